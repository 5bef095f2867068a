"""The interactive API docs at /api/docs, served entirely from this server.

FastAPI's default page loads Swagger UI from a CDN with an inline start-up script: it fails offline and
under our Content-Security-Policy (`script-src 'self'`). Here the Swagger UI files come from the
`swagger-ui-bundle-v2` package and the start-up script is a file of its own.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/api/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>zapdesk API</title>
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/start.js"></script>
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


def install_docs(api: FastAPI, openapi_url: str) -> None:
    """Serve the docs page, its start-up script and the Swagger UI files (create `api` with `docs_url=None`)."""
    router = APIRouter(include_in_schema=False)
    start_script = _START_SCRIPT.replace("{openapi_url}", openapi_url)

    @router.get(DOCS_PATH)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(_PAGE, headers={"Cache-Control": "no-cache"})

    @router.get(f"{DOCS_PATH}/start.js")
    async def docs_start_script() -> Response:
        return Response(start_script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    api.include_router(router)
    api.mount(ASSETS_PATH, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
