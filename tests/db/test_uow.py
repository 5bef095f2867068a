"""A unit of work commits once; only then do its events leave, and a rollback also undoes what it did on disk."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from tests.conftest import EventLog
from zapdesk.context import AppContext
from zapdesk.db.uow import Undo, on_rollback, reading, record_event, savepoint, unit_of_work
from zapdesk.events import ContactRemoved, Removed
from zapdesk.settings.service import IGNORE_GROUP_MESSAGES, get_setting, set_setting


class Undone:
    """Remembers which `on_rollback` actions ran, in order."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def action(self, name: str) -> Undo:
        async def undo() -> None:
            self.names.append(name)

        return undo


class Boom(Exception):
    pass


def contact_removed(contact_id: int) -> ContactRemoved:
    return ContactRemoved(Removed(id=contact_id))


async def _ignoring_groups(context: AppContext) -> bool:
    async with context.sessionmaker() as session:
        return await get_setting(session, IGNORE_GROUP_MESSAGES)


async def test_committed_work_publishes_its_events_and_undoes_nothing(context: AppContext, published: EventLog) -> None:
    undone = Undone()

    async with unit_of_work(context.sessionmaker, context.publish) as session:
        await set_setting(session, IGNORE_GROUP_MESSAGES.name, True)
        record_event(session, contact_removed(1))
        on_rollback(session, undone.action("file"))

    assert await _ignoring_groups(context) is True
    assert [(e.name, e.payload) for e in published.events] == [("contact.removed", {"id": 1})]
    assert undone.names == []


async def test_failed_work_is_rolled_back_silently_and_undone_newest_first(
    context: AppContext, published: EventLog
) -> None:
    undone = Undone()

    with pytest.raises(Boom):
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            await set_setting(session, IGNORE_GROUP_MESSAGES.name, True)
            record_event(session, contact_removed(1))
            on_rollback(session, undone.action("first file"))
            on_rollback(session, undone.action("second file"))
            raise Boom

    assert await _ignoring_groups(context) is False
    assert published.events == []
    assert undone.names == ["second file", "first file"]


async def test_an_undo_that_fails_does_not_stop_the_others_nor_hide_the_error(context: AppContext) -> None:
    undone = Undone()

    async def broken() -> None:
        raise OSError("disk gone")

    with pytest.raises(Boom):
        async with unit_of_work(context.sessionmaker) as session:
            on_rollback(session, undone.action("file"))
            on_rollback(session, broken)
            raise Boom

    assert undone.names == ["file"]


async def test_a_commit_that_fails_keeps_what_its_rows_may_point_to(context: AppContext, published: EventLog) -> None:
    # The database may have written a commit whose answer never arrived: deleting its files could orphan rows.
    undone = Undone()

    def refuse(_session: object) -> None:
        raise Boom

    with pytest.raises(Boom):
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            event.listen(session.sync_session, "before_commit", refuse)
            record_event(session, contact_removed(1))
            on_rollback(session, undone.action("file"))

    assert published.events == []
    assert undone.names == []


async def test_a_savepoint_rolled_back_drops_only_its_own_events_and_undoes_only_its_own_work(
    context: AppContext, published: EventLog
) -> None:
    undone = Undone()

    async with unit_of_work(context.sessionmaker, context.publish) as session:
        record_event(session, contact_removed(1))
        on_rollback(session, undone.action("before"))
        with pytest.raises(Boom):
            async with savepoint(session):
                await set_setting(session, IGNORE_GROUP_MESSAGES.name, True)
                record_event(session, contact_removed(2))
                on_rollback(session, undone.action("inside"))
                raise Boom
        record_event(session, contact_removed(3))

    assert await _ignoring_groups(context) is False
    assert [e.payload["id"] for e in published.events] == [1, 3]
    assert undone.names == ["inside"]


async def test_work_of_a_released_savepoint_is_undone_when_the_transaction_fails(context: AppContext) -> None:
    undone = Undone()

    with pytest.raises(Boom):
        async with unit_of_work(context.sessionmaker) as session:
            async with savepoint(session):
                on_rollback(session, undone.action("inside"))
            raise Boom

    assert undone.names == ["inside"]


async def test_a_reading_session_sees_what_is_committed_without_waiting_for_a_writer_nor_holding_one_up(
    context: AppContext,
) -> None:
    # SQLite: every unit of work holds the database's one write lock from its first statement; a reader that took
    # it too would wait out the writer (up to the busy timeout) and make the next writer sleep in SQLite's busy wait.
    async with unit_of_work(context.sessionmaker) as writer:
        await set_setting(writer, IGNORE_GROUP_MESSAGES.name, True)
        await writer.flush()
        async with asyncio.timeout(5), reading(context.sessionmaker) as reader:
            assert await get_setting(reader, IGNORE_GROUP_MESSAGES) is False  # not committed yet
    async with reading(context.sessionmaker) as reader:
        assert await get_setting(reader, IGNORE_GROUP_MESSAGES) is True
        async with asyncio.timeout(5), unit_of_work(context.sessionmaker) as writer:
            await set_setting(writer, IGNORE_GROUP_MESSAGES.name, False)
    assert await _ignoring_groups(context) is False
