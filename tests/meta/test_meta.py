"""/api/meta tells the web UI about the server before anyone signs in."""

from __future__ import annotations

import httpx

from zapdesk import __version__
from zapdesk.context import AppContext


async def test_meta_is_public_and_points_to_the_simulator_when_it_is_on(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/meta")

    assert response.status_code == 200
    assert response.json() == {"version": __version__, "environment": "test", "simulator_url": "/simulator/"}


async def test_simulator_url_is_null_when_the_simulator_is_off(client: httpx.AsyncClient, context: AppContext) -> None:
    context.settings.simulator_enabled = False

    response = await client.get("/api/meta")

    assert response.json()["simulator_url"] is None
