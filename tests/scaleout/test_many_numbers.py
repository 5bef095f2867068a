"""Many numbers in one worker (a smaller run of the 1,000-number benchmark, `bench/numbers.py`): a restart of the
whole deployment brings every session back by itself, without a scan, and no message customers sent before,
during or after it is lost or stored twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import text

from tests.scaleout.cluster import Cluster
from tests.system.harness import Api, LinkingDesk, Simulator, eventually
from zapdesk.config import to_async_url
from zapdesk.db.engine import create_engine

pytestmark = pytest.mark.processes

NUMBERS = 50


def business(index: int) -> str:
    return f"5511977{index:06d}"


def customer(index: int) -> str:
    return f"5521988{index:06d}"


async def test_a_restart_brings_fifty_numbers_back_without_a_scan_and_loses_no_message(
    cluster: Cluster, postgres_url: str
) -> None:
    (server,) = await cluster.start_apis(1)
    (worker,) = await cluster.start_workers(1)
    api = await Api(server.url).login()
    desk = await LinkingDesk().connect(server.url, api.token)
    phones = [business(index) for index in range(NUMBERS)]
    ids = await desk.link_many(api, cluster.simulator, phones, at_once=25)
    await desk.close()
    await _each_writes(cluster.simulator, "antes")

    worker.stop()
    server.stop()
    await api.close()
    await _each_writes(cluster.simulator, "durante")  # WhatsApp holds these for the linked devices

    cluster.apis.clear()
    cluster.workers.clear()
    (server,) = await cluster.start_apis(1)
    api = await Api(server.url).login()
    desk = await LinkingDesk().connect(server.url, api.token)  # listening before the sessions come back
    await cluster.start_workers(1)
    try:
        await desk.until_connected(ids, within=60)
        assert [(await api.get(f"/api/connections/{i}"))["status"] for i in ids] == ["CONNECTED"] * NUMBERS
        assert desk.named("connection.qr") == []  # no session showed a QR code: none needed a scan
        await _each_writes(cluster.simulator, "depois")

        stored = await eventually(lambda: _inbound_when_complete(postgres_url), timeout=60, what="every message")
        assert stored == Counter({(phone, moment): 1 for phone in phones for moment in ("antes", "durante", "depois")})
    finally:
        await desk.close()
        await api.close()


async def _each_writes(simulator: Simulator, body: str) -> None:
    gate = asyncio.Semaphore(25)

    async def write(index: int) -> None:
        async with gate:
            await simulator.customer_writes(customer(index), business(index), body)

    await asyncio.gather(*(write(index) for index in range(NUMBERS)))


async def _inbound_when_complete(database_url: str) -> Counter[tuple[str, str]] | None:
    """(business number, message) of every inbound message stored, once all 150 are; None before."""
    engine = create_engine(to_async_url(database_url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT c.phone, m.body FROM messages m JOIN connections c ON c.id = m.connection_id "
                    "WHERE NOT m.from_me"
                )
            )
            stored = Counter((phone, body) for phone, body in rows.all())
    finally:
        await engine.dispose()
    return stored if sum(stored.values()) >= 3 * NUMBERS else None
