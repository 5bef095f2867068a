"""Socket.IO shares the ASGI app with the API: the lifespan, the HTTP limits and CORS still hold."""

from __future__ import annotations

import pytest
import socketio

from tests.conftest import MakeUser
from tests.live_server import LiveServer, connect_socket, live_server_for
from zapdesk.config import Settings
from zapdesk.context import AppContext


async def test_lifespan_runs_through_the_socketio_wrapper(context: AppContext) -> None:
    steps: list[str] = []

    async def started() -> None:
        steps.append("started")

    async def closed() -> None:
        steps.append("closed")

    context.on_start.append(started)
    context.on_close.append(closed)
    async with live_server_for(context) as server, server.http() as http:
        assert (await http.get("/api/health")).status_code == 200
        assert steps == ["started"]
    assert steps == ["started", "closed"]


async def test_http_bodies_over_the_limit_are_still_refused(live_server: LiveServer) -> None:
    oversize = b"x" * (live_server.context.settings.max_body_bytes + 1)
    async with live_server.http() as http:
        response = await http.post(
            "/api/tickets/1/messages", content=oversize, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_configured_origins_may_open_sockets_and_others_may_not(
    context: AppContext, settings: Settings, make_user: MakeUser
) -> None:
    allowed = settings.model_copy(update={"cors_origins": "https://desk.example.com, https://other.example.com/"})
    agent = await make_user()
    shared = AppContext(settings=allowed, engine=context.engine, sessionmaker=context.sessionmaker)
    async with live_server_for(shared) as server:
        socket = await connect_socket(server.url, server.token(agent), headers={"Origin": "https://other.example.com"})
        await socket.client.disconnect()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await connect_socket(server.url, server.token(agent), headers={"Origin": "https://evil.example.com"})
