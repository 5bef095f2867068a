"""The simulator inside the main server: mounted at /simulator outside production, absent (404) in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer
from tests.simulator.harness import FAST_ENGINE, Recorder
from zapdesk.app import assemble_server
from zapdesk.config import Environment, Settings
from zapdesk.context import AppContext
from zapdesk.engine.events import Chat, EngineState, OutgoingMessage, QrCode, Receipt, SessionTarget
from zapdesk.engine.simulator import SimulatorEngine

BUSINESS = "5511900000001"
CUSTOMER = "5511999990001"


def _settings(tmp_path: Path, environment: Environment, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": environment,
        "data_dir": tmp_path,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        "jwt_secret": "s" * 40,
        "jwt_refresh_secret": "r" * 40,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The whole server app (web UI, Socket.IO, API), as `zapdesk run` serves it, minus the worker processes."""
    context = AppContext.from_settings(settings.model_copy(update={"run_workers": False}))
    app = assemble_server(context).asgi
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://zapdesk.test") as client:
            yield client
    finally:
        await context.close()


@pytest.fixture
async def development(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(_settings(tmp_path, Environment.DEVELOPMENT)):
        yield client


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(_settings(tmp_path, Environment.PRODUCTION)):
        yield client


async def test_the_simulator_is_mounted_at_simulator_outside_production(
    development: httpx.AsyncClient, tmp_path: Path
) -> None:
    page = await development.get("/simulator", follow_redirects=True)
    status = await development.get("/simulator/api/sessions")

    assert page.status_code == 200 and "WhatsApp simulator" in page.text
    assert str(page.url).endswith("/simulator/")  # the page's relative API paths need the slash
    assert status.json() == {"waiting": [], "phones": []}
    assert (tmp_path / "simulator.db").exists()  # its own state file, beside the app's data


@pytest.mark.parametrize("path", ["/simulator", "/simulator/", "/simulator/api/sessions", "/simulator/openapi.json"])
async def test_the_simulator_answers_404_in_production(production: httpx.AsyncClient, path: str) -> None:
    response = await production.get(path)

    assert response.status_code == 404


async def test_the_simulator_stays_off_when_disabled(tmp_path: Path) -> None:
    async for client in _client(_settings(tmp_path, Environment.DEVELOPMENT, simulator_enabled=False)):
        assert (await client.post("/simulator/api/scan", json={"code": "x", "phone": BUSINESS})).status_code == 404


async def test_an_engine_links_and_talks_through_the_simulator_mounted_in_the_server(live_server: LiveServer) -> None:
    recorder = Recorder()
    engine = SimulatorEngine(f"{live_server.url}/simulator", recorder, connection_key="mounted", options=FAST_ENGINE)
    try:
        await engine.start(SessionTarget())
        qr = await recorder.wait_for(QrCode)
        async with live_server.http() as http:
            scanned = await http.post("/simulator/api/scan", json={"code": qr.code, "phone": BUSINESS})
            assert scanned.status_code == 200, scanned.text
            await recorder.wait_for_state(EngineState.CONNECTED)

            sent = await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=engine.new_message_id(), text="oi"))
            await recorder.wait_for(Receipt)
            seen = (await http.get(f"/simulator/api/phones/{CUSTOMER}/messages")).json()["items"]

        assert [(item["id"], item["state"]) for item in seen] == [(sent.external_id, "delivered")]
    finally:
        await engine.stop()
