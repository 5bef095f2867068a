"""The built SPA is served at `/` without ever shadowing the API, real time or the simulator."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from zapdesk.web import IMMUTABLE, WebUI


async def backend(scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse({"from": "backend", "path": scope["path"]}, status_code=404)(scope, receive, send)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("do not serve")
    return tmp_path


def client_for(dist_dir: Path) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=WebUI(backend, dist_dir))
    return httpx.AsyncClient(transport=transport, base_url="http://zapdesk.test")


async def test_root_and_client_routes_get_index_html_uncached(dist: Path) -> None:
    async with client_for(dist) as client:
        for path in ("/", "/tickets/42", "/connections"):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert "<div id=root>" in response.text
            assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(dist: Path) -> None:
    async with client_for(dist) as client:
        response = await client.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert "javascript" in response.headers["content-type"]


async def test_missing_asset_is_404_not_the_index(dist: Path) -> None:
    async with client_for(dist) as client:
        assert (await client.get("/assets/gone-123.js")).status_code == 404
        assert (await client.get("/robots.txt")).status_code == 404


@pytest.mark.parametrize("path", ["/api/anything", "/api", "/socket.io/", "/simulator/", "/simulator/api/scan"])
async def test_reserved_prefixes_reach_the_backend(dist: Path, path: str) -> None:
    async with client_for(dist) as client:
        response = await client.get(path)
    assert response.json() == {"from": "backend", "path": path}


async def test_non_get_requests_reach_the_backend(dist: Path) -> None:
    async with client_for(dist) as client:
        response = await client.post("/tickets")
    assert response.json()["from"] == "backend"


async def test_paths_cannot_escape_the_dist_folder(dist: Path) -> None:
    async with client_for(dist) as client:
        response = await client.get("/..%2Fsecret.txt")
    assert "do not serve" not in response.text


async def test_unbuilt_ui_explains_how_to_build_it(tmp_path: Path) -> None:
    async with client_for(tmp_path / "nothing-here") as client:
        response = await client.get("/")
        api = await client.get("/api/health")
    assert response.status_code == 503
    assert "make web" in response.text
    assert api.json()["from"] == "backend"
