"""The worker's group commit across connections: events their engines hand over while a transaction runs are
stored together by one call of the real pipeline, and each handler hears its verdict only after that commit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.ingest.inbound import received
from tests.tickets.factories import make_connection
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.dead_letters.models import DeadLetter
from zapdesk.engine import codec
from zapdesk.kit.clock import ManualClock
from zapdesk.messages.models import Message
from zapdesk.worker.group_commit import GroupCommit, Inbound, InboundEvent, Ingest
from zapdesk.worker.pipeline import runner_deps


@dataclass
class Watched:
    """The real pipeline, watched: the batches it is given; held inside its transaction until `released`; and
    failing, after doing its work, any batch that holds a `poisoned` id (a bug on one strange message)."""

    ingest: Ingest
    batches: list[list[Inbound]] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    poisoned: set[str] = field(default_factory=set)
    # What happened, in order: ("commit", message ids announced) and ("verdict", message id).
    timeline: list[tuple[str, ...]] = field(default_factory=list)

    async def __call__(self, session: AsyncSession, batch: Sequence[Inbound]) -> None:
        self.batches.append(list(batch))
        await self.released.wait()
        await self.ingest(session, batch)
        if any(getattr(event, "external_id", None) in self.poisoned for _, event in batch):
            raise ValueError("the pipeline cannot take this message")

    async def committed(self, events: Sequence[Published]) -> None:
        """The sink: called once per commit, with what it announces."""
        created = [item.event.data["external_id"] for item in events if item.name == "message.created"]
        self.timeline.append(("commit", *sorted(created)))


@dataclass
class Worker:
    pipeline: Watched
    group_commit: GroupCommit

    async def handle(self, connection_id: int, event: InboundEvent) -> None:
        """An engine's handler: returns once the event is committed, which is when WhatsApp gets its receipt."""
        await self.group_commit.store(connection_id, event, keep_trying=lambda: True)
        self.pipeline.timeline.append(("verdict", getattr(event, "external_id", "")))


@pytest.fixture
def worker(context: AppContext) -> Worker:
    async def unused_sink(_events: Sequence[Published]) -> None:
        return None

    pipeline = Watched(runner_deps(context.settings, context.sessionmaker, unused_sink).ingest)
    return Worker(pipeline, GroupCommit(context.sessionmaker, pipeline.committed, pipeline, clock=ManualClock()))


async def _stored(context: AppContext) -> dict[tuple[int, str | None], int]:
    """How many times each (connection, external id) is stored."""
    async with context.sessionmaker() as session:
        query = select(Message.connection_id, Message.external_id, func.count()).group_by(
            Message.connection_id, Message.external_id
        )
        rows = await session.execute(query)
        return {(connection_id, external_id): count for connection_id, external_id, count in rows}


async def _settle(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_batch_spanning_three_connections_commits_once_and_each_verdict_follows_that_commit(
    context: AppContext, worker: Worker
) -> None:
    lines = [(await make_connection(context)).id for _ in range(3)]
    first = received("5511933330000", "Primeira", external_id="FIRST")
    handed = [
        (line, received(f"551193333000{number + 1}", "Oi", external_id=f"LINE{number}"))
        for number, line in enumerate(lines)
    ]

    handlers = [asyncio.create_task(worker.handle(lines[0], first))]
    await _settle(lambda: len(worker.pipeline.batches) == 1)  # the first transaction is running, held
    handlers += [asyncio.create_task(worker.handle(line, event)) for line, event in handed]
    await _settle(lambda: worker.group_commit.waiting == 3)
    assert not any(handler.done() for handler in handlers)  # no verdict before a commit
    worker.pipeline.released.set()
    await asyncio.wait_for(asyncio.gather(*handlers), 10)

    first_batch, second_batch = worker.pipeline.batches
    assert first_batch == [Inbound(lines[0], first)]
    assert second_batch == [Inbound(line, event) for line, event in handed]  # one call, three connections
    assert worker.pipeline.timeline[:2] == [("commit", "FIRST"), ("verdict", "FIRST")]
    assert worker.pipeline.timeline[2] == ("commit", "LINE0", "LINE1", "LINE2")
    assert sorted(worker.pipeline.timeline[3:]) == [("verdict", "LINE0"), ("verdict", "LINE1"), ("verdict", "LINE2")]
    assert await _stored(context) == {
        (lines[0], "FIRST"): 1,
        (lines[0], "LINE0"): 1,
        (lines[1], "LINE1"): 1,
        (lines[2], "LINE2"): 1,
    }


async def test_sessions_answered_by_a_commit_hand_over_their_next_events_into_the_same_next_transaction(
    context: AppContext, worker: Worker
) -> None:
    lines = [(await make_connection(context)).id for _ in range(4)]
    # Three sessions that, like whatsmeow, hand over their next message only after the verdict on the first.
    conversations = [
        (line, [received(f"551195555000{n}", text, external_id=f"L{n}M{m}") for m, text in enumerate(("Oi", "Ei"))])
        for n, line in enumerate(lines[:3])
    ]

    async def session(line: int, events: list[InboundEvent]) -> None:
        for event in events:
            await worker.handle(line, event)

    sessions = [asyncio.create_task(session(line, events)) for line, events in conversations]
    await _settle(lambda: len(worker.pipeline.batches) == 1)  # their first messages are being stored, held
    late = received("5511955550009", "Cheguei", external_id="LATE")
    sessions.append(asyncio.create_task(worker.handle(lines[3], late)))
    await _settle(lambda: worker.group_commit.waiting == 1)
    worker.pipeline.released.set()
    await asyncio.wait_for(asyncio.gather(*sessions), 10)

    first, second = (sorted(event.external_id for _, event in batch) for batch in worker.pipeline.batches)
    assert first == ["L0M0", "L1M0", "L2M0"]
    # Not the one that waited alone and then the three in a transaction of their own: all four together.
    assert second == ["L0M1", "L1M1", "L2M1", "LATE"]
    assert sorted(await _stored(context)) == sorted(
        [(line, f"L{n}M{m}") for n, line in enumerate(lines[:3]) for m in range(2)] + [(lines[3], "LATE")]
    )


async def test_a_poisoned_event_in_a_batch_of_three_connections_is_a_dead_letter_and_the_others_are_stored_once(
    context: AppContext, worker: Worker
) -> None:
    lines = [(await make_connection(context)).id for _ in range(3)]
    worker.pipeline.poisoned = {"BAD"}
    handed = [
        (lines[0], received("5511944440001", "Oi", external_id="A1")),
        (lines[1], received("5511944440002", "Estranha", external_id="BAD")),
        (lines[2], received("5511944440003", "Oi", external_id="C1")),
        (lines[0], received("5511944440001", "Tudo bem?", external_id="A2")),
    ]
    worker.pipeline.released.set()

    results = await asyncio.wait_for(
        asyncio.gather(*(worker.handle(line, event) for line, event in handed), return_exceptions=True), 10
    )

    assert results == [None, None, None, None]  # every one acknowledged: stored, or kept to be retried
    assert worker.pipeline.batches[0] == [Inbound(line, event) for line, event in handed]  # together at first
    assert await _stored(context) == {(lines[0], "A1"): 1, (lines[2], "C1"): 1, (lines[0], "A2"): 1}
    commits = [entry[1:] for entry in worker.pipeline.timeline if entry[0] == "commit"]
    announced = sorted(external_id for commit in commits for external_id in commit)
    assert announced == ["A1", "A2", "C1"]  # the failed batch announced nothing: its rollback dropped it all
    async with context.sessionmaker() as session:
        (dead_letter,) = (await session.execute(select(DeadLetter))).scalars()
    assert (dead_letter.connection_id, dead_letter.external_id) == (lines[1], "BAD")
    assert codec.decode_event(dead_letter.event) == handed[1][1]
    assert "the pipeline cannot take this message" in dead_letter.error
