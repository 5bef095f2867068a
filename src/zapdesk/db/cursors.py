"""Durable readers of the event log: a reader (the worker's automation) keeps its position in a row, so after a
restart or a crash it goes on from the last event it acted on, and the log keeps what it has not read yet.

A reader takes its row FOR UPDATE SKIP LOCKED (PostgreSQL): with several workers, one reads at a time and the
others skip their turn instead of queueing. Its actions and its new position commit together, so each event is
acted on once: a transaction that dies takes its actions and its position back with it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db import journal
from zapdesk.db.base import Base


class EventCursor(Base):
    __tablename__ = "event_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The position of the last event this reader acted on.
    position: Mapped[int] = mapped_column(BigInteger)


async def take(session: AsyncSession, name: str) -> EventCursor | None:
    """The reader's row, held until the transaction ends; None while another process holds it.

    A reader that never ran starts at the newest position: what happened before it existed is not news to it.
    """
    query = (
        select(EventCursor)
        .where(EventCursor.name == name)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    cursor = (await session.execute(query)).scalar_one_or_none()
    if cursor is not None:
        return cursor
    if (await session.execute(select(EventCursor.name).where(EventCursor.name == name))).first() is not None:
        return None  # it exists: another process holds it
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    start = await journal.latest_position(session)
    await session.execute(insert(EventCursor).values(name=name, position=start).on_conflict_do_nothing())
    return (await session.execute(query)).scalar_one_or_none()
