"""Settings for the HTTP clients the tests point at servers they started themselves."""

from __future__ import annotations

import httpx

# uvicorn closes a connection after 5 idle seconds (its default `timeout_keep_alive`). A client that reuses it at
# that very moment gets `httpx.ReadError` for a request the server never saw: the harness waits longer than that
# between calls (starting processes), so the clients let idle connections go first.
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=2.0)
