"""How automation reads the event log: in steps of whole logged batches, so each batch is parsed once."""

from __future__ import annotations

from zapdesk.automation import reactor
from zapdesk.context import AppContext
from zapdesk.db import cursors
from zapdesk.db.base import utcnow
from zapdesk.db.uow import record_event, unit_of_work
from zapdesk.events import ContactRemoved, Removed


async def log_batch(context: AppContext, size: int) -> None:
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        for contact_id in range(size):
            record_event(session, ContactRemoved(Removed(id=contact_id + 1)))


async def react(context: AppContext, *, limit: int = reactor.EVENTS_PER_TRANSACTION, whole_batches: bool = True) -> int:
    async with unit_of_work(context.sessionmaker) as session:
        return await reactor.react_once(session, now=utcnow(), limit=limit, whole_batches=whole_batches)


async def test_a_batch_larger_than_a_step_is_read_whole_in_one_step(context: AppContext) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        assert await cursors.take(session, reactor.READER) is not None
    await log_batch(context, reactor.EVENTS_PER_TRANSACTION + 50)
    await log_batch(context, 3)

    assert await react(context) == reactor.EVENTS_PER_TRANSACTION + 50
    assert await react(context) == 3
    assert await react(context) == 0


async def test_one_event_at_a_time_when_taking_them_singly(context: AppContext) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        assert await cursors.take(session, reactor.READER) is not None
    await log_batch(context, 3)

    assert [await react(context, limit=1, whole_batches=False) for _ in range(4)] == [1, 1, 1, 0]
