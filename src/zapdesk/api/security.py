"""Security headers on every HTTP answer: no MIME sniffing, no framing, no referrer, and a Content-Security-Policy
that lets a page run only scripts and styles served by this server (the web UI and the API docs need nothing else).

A header a route set itself wins (a message file's download carries its own, stricter sandbox policy).
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# connect-src: the API and Socket.IO (HTTP long-polling and its WebSocket) on this same origin. CSP Level 3
# browsers count ws(s) to our own host as 'self'; the explicit ws/wss source of the request's host covers
# the others (see `connect_sources`).
_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",  # data: QR codes and icons; blob: message media fetched with the token
    "media-src": "'self' blob:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The simulator's phone page is one self-contained file with inline script and styles; it is a development
# tool, never mounted in production (see zapdesk.simulator.app).
_SIMULATOR_PREFIX = "/simulator"
_SIMULATOR_POLICY = {**_POLICY, "script-src": "'self' 'unsafe-inline'", "style-src": "'self' 'unsafe-inline'"}

# A Host header is the caller's own claim: only a plain host[:port] may enter the policy.
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def connect_sources(host: str | None) -> str:
    if host and _HOST.fullmatch(host):
        return f"'self' ws://{host} wss://{host}"
    return "'self'"


def content_security_policy(path: str, host: str | None) -> str:
    """The policy for an answer to `path`, requested with Host `host`."""
    simulator = path == _SIMULATOR_PREFIX or path.startswith(_SIMULATOR_PREFIX + "/")
    directives = {**(_SIMULATOR_POLICY if simulator else _POLICY), "connect-src": connect_sources(host)}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    """ASGI middleware: wrap the whole server (HTTP API, web UI, Socket.IO's HTTP transport)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), None)
        policy = content_security_policy(scope["path"], host)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (*STATIC_HEADERS.items(), ("Content-Security-Policy", policy)):
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
