"""The transaction boundary: commit once, then (and only then) let events leave."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AFTER_COMMIT_KEY = "zapdesk.after_commit"


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened to a resource, published to the rooms allowed to see it."""

    name: str
    payload: dict[str, Any]
    rooms: tuple[str, ...] = field(default=())


EventSink = Callable[[list[DomainEvent]], Awaitable[None]]


def record_event(session: AsyncSession, event: DomainEvent) -> None:
    """Queue an event on the session; it leaves only if the transaction commits."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(event)


def take_events(session: AsyncSession) -> list[DomainEvent]:
    events: list[DomainEvent] = session.info.pop(AFTER_COMMIT_KEY, [])
    return events


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink | None = None
) -> AsyncIterator[AsyncSession]:
    """Open a session; commit on success and hand its events to `sink`; roll back and drop them on error."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            take_events(session)
            await session.rollback()
            raise
        events = take_events(session)
    if events and sink is not None:
        await sink(events)
