"""A worker holding many sessions: between heartbeats it touches only what a nudge names, and its sessions' loops
are woken by one sweep for due work instead of each polling its own queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.ingest.inbound import received
from tests.outbox.helpers import queue_message
from tests.tickets.factories import make_connection, make_ticket
from tests.worker.scripted_engine import ScriptedEngine
from zapdesk.connections import service as connections
from zapdesk.connections.models import Connection, ConnectionLease, DesiredState, Provider
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.base import Engine, EventHandler
from zapdesk.engine.events import EngineState, StateChanged
from zapdesk.ingest import inbox
from zapdesk.kit.clock import ManualClock
from zapdesk.worker import leases
from zapdesk.worker.group_commit import GroupCommit
from zapdesk.worker.inbox import Inbox
from zapdesk.worker.nudges import Nudge
from zapdesk.worker.runner import Inbound, InboundEvent, RunnerDeps
from zapdesk.worker.worker import SWEEP_INTERVAL_SECONDS, Worker


@dataclass
class CountingLoop:
    """A session loop that only counts how often it was woken."""

    nudges: int = 0

    def nudge(self) -> None:
        self.nudges += 1

    async def close(self) -> None:
        return None


@dataclass
class Sessions:
    """What a worker under test built: engines and loops by connection id."""

    engines: dict[int, ScriptedEngine] = field(default_factory=dict)
    outboxes: dict[int, CountingLoop] = field(default_factory=dict)
    downloaders: dict[int, CountingLoop] = field(default_factory=dict)

    def deps(self, context: AppContext, clock: ManualClock) -> RunnerDeps:
        def build(_provider: str, key: str, handler: EventHandler) -> Engine:
            engine = self.engines[int(key)] = ScriptedEngine(key, handler)
            return engine

        def loop(kind: dict[int, CountingLoop]) -> Callable[[int, Engine, Callable[[], bool]], CountingLoop]:
            def start(connection_id: int, _engine: Engine, _connected: Callable[[], bool]) -> CountingLoop:
                started = kind[connection_id] = CountingLoop()
                return started

            return start

        async def ingest(_session: AsyncSession, _connection_id: int, _events: Sequence[InboundEvent]) -> None:
            return None

        return RunnerDeps(
            settings=context.settings,
            sessionmaker=context.sessionmaker,
            sink=context.sink,
            build_engine=build,
            ingest=ingest,
            start_outbox=loop(self.outboxes),
            start_downloader=loop(self.downloaders),
            clock=clock,
        )


@dataclass
class Running:
    """A worker ticking on a manual clock: its heartbeat comes only when the test moves the time."""

    worker: Worker
    sessions: Sessions
    clock: ManualClock
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    async def start(self, expected: list[int]) -> None:
        """Start the worker; return once it started the sessions of `expected` (its first heartbeat)."""
        self.task = asyncio.create_task(self.worker.run(self.stop))
        await _until(lambda: all(i in self.sessions.engines for i in expected))

    async def heartbeat(self) -> None:
        await self.clock.advance(self.worker.heartbeat_seconds)


@pytest.fixture
async def running(context: AppContext) -> AsyncIterator[Running]:
    clock, sessions = ManualClock(), Sessions()
    running = Running(Worker("worker-a", sessions.deps(context, clock)), sessions, clock)
    try:
        yield running
    finally:
        running.stop.set()
        if running.task is not None:
            await running.task


async def _running_connections(context: AppContext, count: int) -> list[int]:
    async with context.sessionmaker() as session:
        rows = [
            Connection(
                name=f"Linha {n}", provider=Provider.SIMULATOR, desired_state=DesiredState.RUNNING, command_seq=1
            )
            for n in range(count)
        ]
        session.add_all(rows)
        await session.commit()
        return [row.id for row in rows]


async def _connect(running: Running, connection_id: int) -> None:
    engine = running.sessions.engines[connection_id]
    engine.connected = True
    await engine.emit(StateChanged(EngineState.CONNECTED, phone=f"55119{connection_id:08d}", session_ref="token"))


async def test_a_starting_worker_claims_every_session_it_has_room_for(context: AppContext, running: Running) -> None:
    ids = await _running_connections(context, 30)
    await running.start(ids)
    async with context.sessionmaker() as session:
        owners = set((await session.execute(select(ConnectionLease.owner))).scalars())
    assert owners == {"worker-a"}
    assert sorted(running.worker.runners) == ids


async def test_a_send_nudge_wakes_only_the_outbox_of_the_connection_it_names(
    context: AppContext, running: Running
) -> None:
    ids = await _running_connections(context, 3)
    await running.start(ids)
    before = {i: loop.nudges for i, loop in running.sessions.outboxes.items()}

    running.worker.nudge(Nudge(sends=frozenset({ids[1], 999_999})))

    after = {i: loop.nudges for i, loop in running.sessions.outboxes.items()}
    assert after == {**before, ids[1]: before[ids[1]] + 1}


async def test_a_command_is_carried_out_before_the_heartbeat_touching_only_the_commanded_session(
    context: AppContext, running: Running
) -> None:
    held, commanded = await _running_connections(context, 2)
    await running.start([held, commanded])
    # A change nobody nudged about waits for the heartbeat; the commanded one is acted on at once.
    async with unit_of_work(context.sessionmaker) as session:
        (await session.get_one(Connection, held)).desired_state = DesiredState.STOPPED
        await connections.restart(session, context.settings, commanded)
    restarted = running.sessions.engines[commanded]

    running.worker.nudge(Nudge(commands=frozenset({commanded})))

    await _until(lambda: running.sessions.engines[commanded] is not restarted)
    assert restarted.stopped == 1 and running.sessions.engines[commanded].started
    assert held in running.worker.runners and running.sessions.engines[held].stopped == 0

    await running.heartbeat()
    await _until(lambda: held not in running.worker.runners)
    assert running.sessions.engines[held].stopped == 1


async def test_a_connection_connected_after_the_start_is_claimed_through_its_nudge(
    context: AppContext, running: Running
) -> None:
    await running.start([])
    async with unit_of_work(context.sessionmaker) as session:
        connection = Connection(name="Nova", provider=Provider.SIMULATOR)
        session.add(connection)
        await session.flush()
        await connections.connect(session, context.settings, connection.id, pairing_phone=None)

    running.worker.nudge(Nudge(commands=frozenset({connection.id})))

    await _until(lambda: connection.id in running.sessions.engines)
    async with unit_of_work(context.sessionmaker) as session:
        assert await leases.renew(session, "worker-a", 15, now=running.clock.now()) == {connection.id}


async def test_sessions_that_connect_wake_only_the_loops_that_have_something_due(
    context: AppContext, running: Running
) -> None:
    ids = await _running_connections(context, 4)
    busy = ids[1]
    await queue_message(context, await make_ticket(context, connection=await _connection(context, busy)), "oi")
    await running.start(ids)
    before = {i: running.sessions.outboxes[i].nudges for i in ids}

    for connection_id in ids:
        await _connect(running, connection_id)
    await running.clock.advance(SWEEP_INTERVAL_SECONDS)  # sessions connecting together are swept together

    await _until(lambda: running.sessions.outboxes[busy].nudges > before[busy])
    assert all(running.sessions.outboxes[i].nudges == before[i] for i in ids if i != busy)
    assert all(running.sessions.downloaders[i].nudges == 0 for i in ids)


async def test_each_heartbeat_wakes_the_outboxes_of_held_sessions_with_due_work_only(
    context: AppContext, running: Running
) -> None:
    mine = await _running_connections(context, 2)
    await running.start(mine)
    elsewhere = await make_connection(context, name="Outra")  # stopped: no worker holds it
    for connection in (elsewhere, await _connection(context, mine[0])):
        await queue_message(context, await make_ticket(context, connection=connection), "oi")
    before = {i: running.sessions.outboxes[i].nudges for i in mine}

    await running.heartbeat()

    await _until(lambda: running.sessions.outboxes[mine[0]].nudges > before[mine[0]])
    assert running.sessions.outboxes[mine[1]].nudges == before[mine[1]]
    assert elsewhere.id not in running.worker.runners


async def _connection(context: AppContext, connection_id: int) -> Connection:
    async with context.sessionmaker() as session:
        return await session.get_one(Connection, connection_id)


async def _until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until `check()` holds: the worker works in its own task and transactions."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


async def test_each_heartbeat_stores_what_a_dead_worker_left_in_the_inbox_for_stopped_connections(
    context: AppContext,
) -> None:
    clock, sessions = ManualClock(), Sessions()
    stored: list[tuple[int, str]] = []

    async def ingest(_session: AsyncSession, batch: Sequence[Inbound]) -> None:
        stored.extend((connection_id, getattr(event, "external_id", "")) for connection_id, event in batch)

    pipeline = GroupCommit(context.sessionmaker, context.sink, ingest, clock=clock, regather=0.0)
    deps = replace(sessions.deps(context, clock), inbox=Inbox(context.sessionmaker, pipeline, clock=clock))
    running = Running(Worker("worker-a", deps), sessions, clock)
    stopped = (await make_connection(context)).id
    await _leave_in_inbox(context, stopped, "BEFORE")
    try:
        await running.start([])
        await _until(lambda: stored == [(stopped, "BEFORE")])
        await _leave_in_inbox(context, stopped, "AFTER")  # another worker died meanwhile
        await running.heartbeat()
        await _until(lambda: stored == [(stopped, "BEFORE"), (stopped, "AFTER")])
    finally:
        running.stop.set()
        if running.task is not None:
            await running.task


async def _leave_in_inbox(context: AppContext, connection_id: int, external_id: str) -> None:
    async with context.sessionmaker() as session, session.begin():
        await inbox.add(session, [Inbound(connection_id, received("5511944400001", "Oi", external_id=external_id))])
