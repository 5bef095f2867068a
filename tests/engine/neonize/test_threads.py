"""Threads: neonize keeps one per live session and loses one for good with every QR window that ends unscanned;
the executor is sized so no call hangs at the session cap, and a worker past its leak limit is recycled."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from tests.engine.neonize.fakes import FakeBackend, FakeClient
from zapdesk.connections import service as connections
from zapdesk.connections.models import Connection, ConnectionLease, Provider
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.base import Engine, EventHandler
from zapdesk.engine.neonize import leaked_session_threads
from zapdesk.engine.neonize.adapter import NeonizeEngine, QrTimings
from zapdesk.engine.neonize.runtime import executor_threads, install_default_executor, leaked_go_threads
from zapdesk.engine.neonize.session_store import SessionStore
from zapdesk.worker.pipeline import runner_deps
from zapdesk.worker.worker import Worker

LEAK_LIMIT = 2


@pytest.fixture
async def spinning_backend() -> AsyncIterator[FakeBackend]:
    """Clients whose unpaired sessions never return once stopped, as goneonize's; let go when the test ends."""
    backend = FakeBackend(prepare=lambda client: setattr(client, "spins_when_unpaired", True))
    yield backend
    for client in backend.clients:
        client.released.set()
    await asyncio.sleep(0)


async def test_a_worker_that_cancelled_more_qr_windows_than_its_leak_limit_is_recycled(
    context: AppContext, spinning_backend: FakeBackend, store: SessionStore
) -> None:
    context.settings.leaked_threads_limit = LEAK_LIMIT

    def neonize_engine(_provider: str, key: str, handler: EventHandler) -> Engine:
        return NeonizeEngine(
            connection_key=key,
            store=store,
            handler=handler,
            backend=spinning_backend,
            settle_timeout=0.01,
            qr_timings=QrTimings(first=60, following=20, codes=6, grace=5),
        )

    deps = dataclasses.replace(
        runner_deps(context.settings, context.sessionmaker, context.publish), build_engine=neonize_engine
    )
    worker = Worker("recycled-worker", deps)
    async with unit_of_work(context.sessionmaker) as session:
        connection = Connection(name="Vendas", provider=Provider.WHATSAPP)
        session.add(connection)
        await session.flush()
        await connections.connect(session, context.settings, connection.id, pairing_phone=None)
    leaked_before = leaked_go_threads()

    await worker.tick()  # the first QR window
    for _click in range(LEAK_LIMIT + 1):  # "Restart" while the code is shown: that window is cancelled
        async with unit_of_work(context.sessionmaker) as session:
            await connections.restart(session, context.settings, connection.id)
        await worker.tick()
        await asyncio.sleep(0)

    assert len(spinning_backend.clients) == LEAK_LIMIT + 2
    assert all(client.stops == 1 for client in spinning_backend.clients[:-1])
    assert leaked_go_threads() - leaked_before == LEAK_LIMIT + 1  # counted through the runtime
    assert leaked_session_threads() == leaked_go_threads()

    stop = asyncio.Event()
    await asyncio.wait_for(worker.run(stop), 10)  # returns by itself: `stop` is never set

    assert worker.recycled and not stop.is_set()
    assert spinning_backend.clients[-1].stops == 1  # its live session was stopped too, keys kept
    async with context.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ConnectionLease)) == 0  # handed over


async def test_no_neonize_call_hangs_with_every_session_and_every_leaked_thread_taken() -> None:
    sessions, leak_limit = 5, 3
    loop = asyncio.get_running_loop()
    install_default_executor(loop, executor_threads(sessions, leak_limit))
    held = threading.Event()
    # What Go's Neonize() does with an executor thread for a session's whole life (and forever, once leaked).
    blocked = [loop.run_in_executor(None, held.wait) for _ in range(sessions + leak_limit)]
    try:
        calls = [asyncio.to_thread(lambda n=n: n * n) for n in range(20)]  # downloads, sends, lookups
        assert await asyncio.wait_for(asyncio.gather(*calls), 5) == [n * n for n in range(20)]
    finally:
        held.set()
        await asyncio.gather(*blocked)


def test_the_executor_holds_the_session_cap_the_leak_limit_and_room_for_calls() -> None:
    assert executor_threads(500, 32) > 500 + 32


async def test_a_paired_session_gives_its_thread_back_when_stopped(
    connected: tuple[NeonizeEngine, FakeClient],
) -> None:
    engine, client = connected
    client.spins_when_unpaired = True
    before = leaked_go_threads()

    await engine.stop()
    await asyncio.sleep(0)

    assert client.stops == 1 and leaked_go_threads() == before
