"""The `X-Hub-Signature-256` of Meta's webhooks: HMAC-SHA256 of the raw body with the app secret.

Here, not in the Cloud API engine, because two sides compute it: the engine checks what Meta signed, and the
simulator's fake Meta signs what it posts.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Hub-Signature-256"


def signature_of(app_secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends with `body`."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(app_secret: str, body: bytes, header: str) -> bool:
    """Constant-time: how long the comparison takes says nothing about how much of a guess was right."""
    return hmac.compare_digest(signature_of(app_secret, body).encode(), header.strip().encode())
