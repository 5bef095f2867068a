"""Interactive API docs (zapdesk's at /api/docs, the simulator's at /simulator/docs), served entirely from this server.

FastAPI's default page loads Swagger UI from a CDN with an inline start-up script: it fails offline and
under our Content-Security-Policy (`script-src 'self'`). Here the Swagger UI files come from the
`swagger-ui-bundle-v2` package and the start-up script is a file of its own. The page names its files and the
schema relatively, so it also works in an app mounted under a prefix.
"""

from __future__ import annotations

import posixpath

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/api/docs"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{name}/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="{name}/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{name}/assets/swagger-ui-bundle.js"></script>
<script src="{name}/start.js"></script>
</body>
</html>
"""

_START_SCRIPT = """"use strict";
window.ui = SwaggerUIBundle({
  url: "{openapi_url}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
"""


def install_docs(api: FastAPI, *, path: str = DOCS_PATH) -> None:
    """Serve the docs page at `path`, its start-up script and the Swagger UI files (create `api` with
    `docs_url=None`; its schema must sit next to `path`, as /api/openapi.json does to /api/docs)."""
    assert api.openapi_url is not None
    router = APIRouter(include_in_schema=False)
    name = posixpath.basename(path)
    page = _PAGE.replace("{title}", api.title).replace("{name}", name)
    start_script = _START_SCRIPT.replace("{openapi_url}", posixpath.relpath(api.openapi_url, posixpath.dirname(path)))

    @router.get(path)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    @router.get(f"{path}/start.js")
    async def docs_start_script() -> Response:
        return Response(start_script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    api.include_router(router)
    api.mount(f"{path}/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
