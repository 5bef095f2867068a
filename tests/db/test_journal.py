"""The event log: committed events for browsers get consecutive positions in commit order, with no gap, also
when writers overlap; rolled-back work takes none; old positions are deleted by count."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog
from zapdesk.context import AppContext
from zapdesk.db import journal
from zapdesk.db.events import Published
from zapdesk.db.uow import record_event, unit_of_work
from zapdesk.events import ConnectionCommanded, ConnectionRef, ContactRemoved, Removed


class Boom(Exception):
    pass


def removed(*ids: int) -> list[ContactRemoved]:
    return [ContactRemoved(Removed(id=contact_id)) for contact_id in ids]


async def commit(context: AppContext, *ids: int) -> None:
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        for event in removed(*ids):
            record_event(session, event)


async def logged(context: AppContext, after: int = 0) -> list[tuple[int | None, int]]:
    async with context.sessionmaker() as session:
        items = await journal.read(session, after=after, upto=await journal.latest_position(session))
    return [(item.seq, item.event.payload.id) for item in items]


async def test_each_committed_event_gets_the_next_position_in_commit_order(
    context: AppContext, published: EventLog
) -> None:
    await commit(context, 10, 11)
    await commit(context, 12)
    await commit(context, 13, 14, 15)

    assert [(heard.seq, heard.payload["id"]) for heard in published.events] == [
        (1, 10),
        (2, 11),
        (3, 12),
        (4, 13),
        (5, 14),
        (6, 15),
    ]
    assert await logged(context) == [(1, 10), (2, 11), (3, 12), (4, 13), (5, 14), (6, 15)]
    assert await logged(context, after=2) == [(3, 12), (4, 13), (5, 14), (6, 15)]


async def test_rolled_back_work_takes_no_position(context: AppContext) -> None:
    await commit(context, 1)
    with pytest.raises(Boom):
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            record_event(session, removed(2)[0])
            raise Boom
    await commit(context, 3)

    assert await logged(context) == [(1, 1), (2, 3)]


async def test_events_for_the_server_alone_are_neither_logged_nor_numbered(
    context: AppContext, published: EventLog
) -> None:
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        record_event(session, ConnectionCommanded(ConnectionRef(connection_id=7)))
        record_event(session, removed(1)[0])

    assert [(heard.name, heard.seq) for heard in published.internal] == [("internal.connection_commanded", None)]
    assert await logged(context) == [(1, 1)]


async def test_overlapping_writers_still_number_without_gaps_or_repeats(context: AppContext) -> None:
    await asyncio.gather(*(commit(context, 3 * n, 3 * n + 1, 3 * n + 2) for n in range(20)))

    positions = await logged(context)
    assert [seq for seq, _ in positions] == list(range(1, 61))
    # A transaction's events stay together, in the order it recorded them.
    by_position = [contact_id for _, contact_id in positions]
    for start in range(0, 60, 3):
        first = by_position[start]
        assert first % 3 == 0 and by_position[start : start + 3] == [first, first + 1, first + 2]


async def test_a_writer_waits_for_the_one_holding_the_next_position_to_commit(context: AppContext) -> None:
    if context.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers are serialized from BEGIN IMMEDIATE on: there is no overlap to order")
    async with context.sessionmaker() as first:
        numbered = await journal.append(first, removed(1))
        second = asyncio.create_task(commit(context, 2))
        async with context.sessionmaker() as observer:
            while not await _someone_waits_for_the_log(observer):
                await asyncio.sleep(0.01)
        assert not second.done()  # it queued behind `first`, which holds position 1 but has not committed
        await first.commit()
    await second

    assert [item.seq for item in numbered] == [1]
    assert await logged(context) == [(1, 1), (2, 2)]


async def _someone_waits_for_the_log(session: AsyncSession) -> bool:
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    waiting = (await session.execute(query)).scalar()
    await session.rollback()  # a fresh snapshot of pg_locks next time
    return bool(waiting)


async def test_batch_end_is_the_last_position_of_the_batch_holding_a_position(context: AppContext) -> None:
    async with context.sessionmaker() as session:
        assert await journal.batch_end(session, 1) == 0  # nothing logged yet
    await commit(context, 1, 2, 3)
    await commit(context, 4)

    async with context.sessionmaker() as session:
        assert [await journal.batch_end(session, position) for position in (1, 2, 3, 4)] == [3, 3, 3, 4]
        assert await journal.batch_end(session, 9) == 4  # beyond the log: its latest position


async def test_old_positions_are_deleted_by_count(context: AppContext) -> None:
    for contact_id in range(1, 6):
        await commit(context, contact_id)

    await journal.prune(context.sessionmaker, keep=2)

    assert await logged(context) == [(4, 4), (5, 5)]
    async with context.sessionmaker() as session:
        assert await journal.oldest_position(session) == 4
        assert await journal.latest_position(session) == 5


async def test_passing_a_multiple_of_the_prune_step_deletes_what_is_no_longer_kept(
    context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal, "PRUNE_EVERY", 4)
    monkeypatch.setattr(journal, "RETAINED_POSITIONS", 3)
    await commit(context, 1, 2)
    await commit(context, 3)
    assert [seq for seq, _ in await logged(context)] == [1, 2, 3]

    await commit(context, 4, 5)  # passes position 4: everything before the newest 3 goes

    assert [seq for seq, _ in await logged(context)] == [3, 4, 5]


def test_a_batch_that_passes_a_mark_is_told_apart() -> None:
    def batch(*positions: int) -> list[Published]:
        return [Published(seq, removed(seq)[0]) for seq in positions]

    assert journal.passes_prune_mark(batch(999, 1000))
    assert journal.passes_prune_mark(batch(1000))
    assert not journal.passes_prune_mark(batch(1001, 1002))
    assert not journal.passes_prune_mark([Published(None, removed(1)[0])])
