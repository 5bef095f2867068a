"""Serving the built web UI: hashed assets cached for a year, `index.html` for client-side routes.

The UI comes from `WEB_DIST_DIR` when set; else from the copy an installed package carries (`zapdesk/webapp`,
put there by the build: see setup.py); else from `web/dist` of the source checkout (`make web`).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

# Paths the UI must never answer: the API, real time, the simulator (and anything mounted under them).
RESERVED_PREFIXES = ("/api", "/socket.io", "/simulator", "/metrics")
PACKAGED_DIST_DIR = Path(__file__).resolve().parent / "webapp"
CHECKOUT_DIST_DIR = Path(__file__).resolve().parents[2] / "web" / "dist"
DEFAULT_DIST_DIR = PACKAGED_DIST_DIR if (PACKAGED_DIST_DIR / "index.html").is_file() else CHECKOUT_DIST_DIR
IMMUTABLE = "public, max-age=31536000, immutable"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zapdesk: web UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The zapdesk web UI is not built yet</h1>
<p>The API is running (see <a href="/api/docs">/api/docs</a>), but <code>{dist}</code> holds no
<code>index.html</code>.</p>
<p>Build it with <code>make web</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>), or point
<code>WEB_DIST_DIR</code> at a built copy, then reload this page.</p>
</body></html>
"""


def is_reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PREFIXES)


class WebUI:
    """Answers GET/HEAD outside the reserved prefixes from the built SPA; everything else goes to `app`."""

    def __init__(self, app: ASGIApp, dist_dir: Path | None = None) -> None:
        self.app = app
        self.dist_dir = (dist_dir or DEFAULT_DIST_DIR).resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or is_reserved(scope["path"]):
            await self.app(scope, receive, send)
            return
        await self.respond(scope["path"])(scope, receive, send)

    def respond(self, path: str) -> Response:
        index = self.dist_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT_PAGE.replace("{dist}", str(self.dist_dir)), status_code=503)
        file = self._file_for(path)
        if file is not None:
            cache = IMMUTABLE if path.startswith("/assets/") else "public, max-age=3600"
            media_type, _ = mimetypes.guess_type(file.name)
            return FileResponse(file, media_type=media_type, headers={"Cache-Control": cache})
        # A missing asset is a 404; any other path is a client-side route the SPA renders.
        if path.startswith("/assets/") or Path(path).suffix:
            return PlainTextResponse("Not found.", status_code=404)
        return FileResponse(index, media_type="text/html", headers={"Cache-Control": "no-cache"})

    def _file_for(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if not relative or relative == "index.html":
            return None
        candidate = (self.dist_dir / relative).resolve()
        if not candidate.is_relative_to(self.dist_dir) or not candidate.is_file():
            return None
        return candidate
