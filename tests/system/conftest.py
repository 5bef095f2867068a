"""Fixtures for end-to-end tests against real processes, on a fresh SQLite or PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import DATABASES
from tests.services import throwaway_database
from tests.system.harness import Api, Inbox, Server, Simulator

pytestmark = pytest.mark.processes


@pytest.fixture(params=DATABASES)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database the server migrates itself on start, as `make run` does."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'zapdesk.db'}"
        return
    with throwaway_database("zapdesk_system") as url:
        yield url


@pytest.fixture
async def server(fresh_database_url: str, tmp_path: Path) -> AsyncIterator[Server]:
    server = Server(database_url=fresh_database_url, data_dir=tmp_path / "data")
    await server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
async def api(server: Server) -> AsyncIterator[Api]:
    api = await Api(server.url).login()
    yield api
    await api.close()


@pytest.fixture
async def simulator(server: Server) -> AsyncIterator[Simulator]:
    simulator = Simulator(f"{server.url}/simulator")
    yield simulator
    await simulator.close()


@pytest.fixture
async def inbox(server: Server, api: Api) -> AsyncIterator[Inbox]:
    inbox = await Inbox().connect(server.url, api.token)
    yield inbox
    await inbox.close()
