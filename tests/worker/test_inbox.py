"""The worker's inbox for our WhatsApp engine program: a handler hears its verdict once its event is committed
raw; the real pipeline then stores what the inbox holds (a flood in full batches, live traffic at once) and
deletes it in the same transaction; a session starting again first stores what its connection left there."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.event import listen, remove
from sqlalchemy.ext.asyncio import AsyncSession

from tests.ingest.inbound import received
from tests.tickets.factories import make_connection
from zapdesk.connections.models import Connection, DesiredState
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.ingest import inbox as entries
from zapdesk.ingest.models import InboxEntry
from zapdesk.kit.clock import ManualClock
from zapdesk.messages.models import Message
from zapdesk.metrics import recorder
from zapdesk.worker import inbox as inbox_module
from zapdesk.worker.group_commit import GroupCommit, Inbound, Ingest
from zapdesk.worker.inbox import FLOOD, ROUND_SECONDS, Inbox
from zapdesk.worker.pipeline import runner_deps


@dataclass
class Watched:
    """The real pipeline, watched: the message ids of each batch it is given, held until `released`."""

    ingest: Ingest
    batches: list[list[str]] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.released.set()

    async def __call__(self, session: AsyncSession, batch: Sequence[Inbound]) -> None:
        self.batches.append([getattr(event, "external_id", "") for _, event in batch])
        await self.released.wait()
        await self.ingest(session, batch)


@dataclass
class Worker:
    pipeline: Watched
    drains: GroupCommit  # the inbox's way into the pipeline
    inbox: Inbox
    clock: ManualClock


@pytest.fixture
def worker(context: AppContext) -> Worker:
    async def unused_sink(_events: Sequence[Published]) -> None:
        return None

    clock = ManualClock()
    pipeline = Watched(runner_deps(context.settings, context.sessionmaker, unused_sink).ingest)
    drains = GroupCommit(context.sessionmaker, unused_sink, pipeline, clock=clock, regather=0.0)
    inbox = Inbox(context.sessionmaker, drains, clock=clock, one_writer=context.settings.is_sqlite)
    return Worker(pipeline, drains, inbox, clock)


async def _in_inbox(context: AppContext) -> int:
    async with context.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(InboxEntry)) or 0


async def _stored(context: AppContext) -> list[str | None]:
    async with context.sessionmaker() as session:
        return list(await session.scalars(select(Message.external_id).order_by(Message.id)))


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_verdict_comes_once_the_event_is_committed_raw_and_its_entry_leaves_with_the_stored_message(
    context: AppContext, worker: Worker
) -> None:
    line = (await make_connection(context)).id
    worker.pipeline.released.clear()  # the pipeline is slow
    told: list[str] = []

    photo = received("5511944400001", "Oi", external_id="M1")
    await worker.inbox.store(line, photo, keep_trying=lambda: True, stored=lambda: told.append("stored"))

    assert await _in_inbox(context) == 1
    assert await _stored(context) == []
    assert told == []  # a file is fetched only once its message is stored
    worker.pipeline.released.set()
    await worker.inbox.close()
    assert await _stored(context) == ["M1"]
    assert await _in_inbox(context) == 0
    assert told == ["stored"]


async def test_past_its_limit_of_waiting_events_the_verdicts_wait_for_the_pipeline(
    context: AppContext, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    if context.settings.is_sqlite:
        pytest.skip("SQLite has one writer: there the inbox's commits always wait for the pipeline's")
    monkeypatch.setattr(inbox_module, "MAX_WAITING", 2)
    line = (await make_connection(context)).id
    worker.pipeline.released.clear()  # the pipeline is slow
    messages = [received(f"55119444{n:05d}", "Oi", external_id=f"M{n}") for n in range(5)]
    store = worker.inbox.store

    await asyncio.gather(*(store(line, event, keep_trying=lambda: True) for event in messages[:2]))
    await _until(lambda: len(worker.pipeline.batches) == 1)  # the pipeline has them
    for event in messages[2:4]:
        await store(line, event, keep_trying=lambda: True)  # committed: two wait for the pipeline now
    last = asyncio.create_task(store(line, messages[4], keep_trying=lambda: True))
    await asyncio.sleep(0.1)

    assert not last.done()
    assert await _in_inbox(context) == 4
    worker.pipeline.released.set()
    await asyncio.wait_for(last, 5)
    await worker.inbox.close()
    assert sorted(await _stored(context)) == [f"M{n}" for n in range(5)]


async def test_a_flood_is_stored_in_one_batch_and_live_traffic_at_once(context: AppContext, worker: Worker) -> None:
    lines = [(await make_connection(context)).id for _ in range(FLOOD)]
    store = worker.inbox.store

    await store(lines[0], received("5511944400000", "Oi", external_id="LIVE"), keep_trying=lambda: True)
    await _until(lambda: worker.pipeline.batches == [["LIVE"]])  # the clock stands still: nobody waited

    # Three rounds, each session handing over its next message once the previous one's verdict came.
    for round_number in range(3):
        await asyncio.gather(
            *(
                store(
                    line,
                    received(f"55119444{n:05d}", "Ei", external_id=f"R{round_number}S{n}"),
                    keep_trying=lambda: True,
                )
                for n, line in enumerate(lines)
            )
        )
    await worker.clock.until_sleeping()
    assert worker.pipeline.batches == [["LIVE"]]  # waiting for the next round
    await worker.clock.advance(ROUND_SECONDS)  # none comes
    await worker.inbox.close()

    assert len(worker.pipeline.batches) == 2
    assert sorted(worker.pipeline.batches[1]) == sorted(f"R{r}S{n}" for r in range(3) for n in range(FLOOD))
    assert await _in_inbox(context) == 0


async def test_a_session_starting_again_first_stores_what_its_connection_left_in_the_inbox_in_order(
    context: AppContext, worker: Worker
) -> None:
    line, other = (await make_connection(context)).id, (await make_connection(context)).id
    async with context.sessionmaker() as session, session.begin():  # a worker died after these verdicts
        left = [received("5511944400001", text, external_id=f"L{n}") for n, text in enumerate(("Oi", "Tudo", "bem?"))]
        await entries.add(session, [Inbound(line, event) for event in left])
        await entries.add(session, [Inbound(other, received("5511944400002", "Olá", external_id="OTHER"))])
    worker.pipeline.released.clear()
    await worker.inbox.store(line, received("5511944400001", "Alô?", external_id="HELD"), keep_trying=lambda: True)

    recovering = asyncio.create_task(worker.inbox.recover(line))
    await _until(lambda: worker.drains.waiting == 3)  # behind the transaction storing HELD
    worker.pipeline.released.set()
    await recovering
    await worker.inbox.close()

    # Its own entry, being stored already, is not taken twice; the other connection's waits for its session.
    assert sorted(worker.pipeline.batches) == [["HELD"], ["L0", "L1", "L2"]]
    assert sorted(await _stored(context)) == ["HELD", "L0", "L1", "L2"]
    assert await _in_inbox(context) == 1


async def test_a_starting_worker_stores_what_connections_stopped_since_left_in_the_inbox(
    context: AppContext, worker: Worker
) -> None:
    stopped = (await make_connection(context)).id
    running = (await make_connection(context)).id
    async with context.sessionmaker() as session, session.begin():  # a worker died after these verdicts
        await _run(session, running)
        left = [Inbound(stopped, received("5511944400001", "Oi", external_id="STOPPED"))]
        await entries.add(session, [*left, Inbound(running, received("5511944400002", "Oi", external_id="RUNNING"))])

    await worker.inbox.look_for_leftovers()

    assert await _stored(context) == ["STOPPED"]
    assert await _in_inbox(context) == 1  # a running connection's session stores its own as it starts


async def test_an_events_ingest_time_counts_from_the_moment_the_inbox_took_it(
    context: AppContext, worker: Worker
) -> None:
    lines = [(await make_connection(context)).id for _ in range(FLOOD)]
    recorder.take()
    flood = [received(f"55119444{n:05d}", "Oi", external_id=f"M{n}") for n in range(FLOOD)]
    await asyncio.gather(
        *(worker.inbox.store(line, event, keep_trying=lambda: True) for line, event in zip(lines, flood, strict=True))
    )
    await worker.clock.until_sleeping()  # the pipeline waits for the next round
    await asyncio.sleep(0.2)
    await worker.clock.advance(ROUND_SECONDS)
    await worker.inbox.close()

    tally = recorder.take()
    assert tally.ingest_count == FLOOD
    assert tally.ingest_sum >= FLOOD * 0.2  # the wait in the inbox is part of it


async def test_once_the_worker_looked_a_session_starts_without_a_query_unless_its_connection_left_entries(
    context: AppContext, worker: Worker
) -> None:
    quiet, left = (await make_connection(context)).id, (await make_connection(context)).id
    async with context.sessionmaker() as session, session.begin():
        await _run(session, left)
        await entries.add(session, [Inbound(left, received("5511944400001", "Oi", external_id="LEFT"))])
    await worker.inbox.look_for_leftovers()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    listen(context.engine.sync_engine, "before_cursor_execute", count)
    try:
        await worker.inbox.recover(quiet)  # one of a thousand sessions a restart starts
    finally:
        remove(context.engine.sync_engine, "before_cursor_execute", count)
    await worker.inbox.recover(left)
    await worker.inbox.close()

    assert statements == []
    assert await _stored(context) == ["LEFT"]


async def _run(session: AsyncSession, connection_id: int) -> None:
    """Someone asked for the connection's session to run: it stores its own leftovers as it starts."""
    running = update(Connection).where(Connection.id == connection_id).values(desired_state=DesiredState.RUNNING)
    await session.execute(running)
