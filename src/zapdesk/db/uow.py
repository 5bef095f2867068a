"""The transaction boundary: commit once, then (and only then) let events leave.

Events for browsers are logged at their positions in the same transaction, just before the commit
(`zapdesk.db.journal`): what a client missed can always be read back, and a rollback logs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from zapdesk.db import journal
from zapdesk.db.engine import READ_ONLY
from zapdesk.db.events import Event, EventSink

AFTER_COMMIT_KEY = "zapdesk.after_commit"
ON_ROLLBACK_KEY = "zapdesk.on_rollback"

log = logging.getLogger(__name__)

Undo = Callable[[], Awaitable[None]]


def record_event(session: AsyncSession | Session, event: Event[Any]) -> None:
    """Queue an event on the session (an async one, or its sync self inside a flush); it leaves only if the
    transaction commits."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(event)


def take_events(session: AsyncSession) -> list[Event[Any]]:
    events: list[Event[Any]] = session.info.pop(AFTER_COMMIT_KEY, [])
    return events


def on_rollback(session: AsyncSession, undo: Undo) -> None:
    """Queue the undoing of something done outside the database (a file written) in case the work is rolled back."""
    session.info.setdefault(ON_ROLLBACK_KEY, []).append(undo)


async def _undo_since(session: AsyncSession, mark: int) -> None:
    undos: list[Undo] = session.info.get(ON_ROLLBACK_KEY, [])
    pending, undos[mark:] = undos[mark:], []
    for undo in reversed(pending):
        try:
            await undo()
        except Exception:  # one failed clean-up must not hide the error that caused the rollback
            log.exception("could not undo %r after a rollback", undo)


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink | None = None
) -> AsyncIterator[AsyncSession]:
    """Open a session; log its events, commit and hand them to `sink`; roll back, drop them and undo on error."""
    async with sessionmaker() as session:
        try:
            yield session
            published = await journal.append(session, take_events(session))
        except BaseException:
            take_events(session)
            await session.rollback()
            await _undo_since(session, 0)
            raise
        try:
            await session.commit()
        except BaseException:
            # A commit that failed may still have been written: keep the files its rows may point to.
            session.info.pop(ON_ROLLBACK_KEY, None)
            await session.rollback()
            raise
        session.info.pop(ON_ROLLBACK_KEY, None)
    if journal.passes_prune_mark(published):
        await journal.prune(sessionmaker)
    if published and sink is not None:
        await sink(published)


@asynccontextmanager
async def reading(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session that only reads: one snapshot, rolled back at the end. On SQLite it does not take the write lock
    every `unit_of_work` takes, so it neither waits for a writer nor makes one wait."""
    async with sessionmaker() as session:
        await session.connection(execution_options={READ_ONLY: True})
        yield session


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[None]:
    """A SAVEPOINT: when it rolls back, the events recorded inside it are dropped and its `on_rollback`s run."""
    events = len(session.info.get(AFTER_COMMIT_KEY, []))
    undos = len(session.info.get(ON_ROLLBACK_KEY, []))
    try:
        async with session.begin_nested():
            yield
    except BaseException:
        del session.info.get(AFTER_COMMIT_KEY, [])[events:]
        await _undo_since(session, undos)
        raise
