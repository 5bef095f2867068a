"""The sockets of servers the tests start themselves, and settings for the HTTP clients pointed at them."""

from __future__ import annotations

import socket

import httpx

# uvicorn closes a connection after 5 idle seconds (its default `timeout_keep_alive`). A client that reuses it at
# that very moment gets `httpx.ReadError` for a request the server never saw: the harness waits longer than that
# between calls (starting processes), so the clients let idle connections go first.
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=2.0)


def tcp_listener(host: str, port: int = 0) -> socket.socket:
    """A bound socket for uvicorn to serve on (port 0: the kernel picks a free one, and the caller holds it).

    Named as TCP, not only as a stream: asyncio turns Nagle's algorithm off only on sockets whose protocol says TCP.
    Left on, a response's body (written after its headers) waits for the client's delayed ACK: 40 ms a request.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    return listener
