"""The event log: every committed event meant for browsers, at its position, so that a client that lost its
socket catches up by position ("everything after 4711") instead of by time.

How positions stay monotonic and gap-free with several writers (scale-out runs API processes and workers on one
PostgreSQL). A position is handed out inside the transaction that made the event, as its last step before the
commit, under a lock that the commit releases: PostgreSQL's `pg_advisory_xact_lock` (SQLite: the write lock
every transaction takes with BEGIN IMMEDIATE). The next writer waits for that lock, then reads the highest
position — a fresh snapshot, since transactions run READ COMMITTED — so positions are handed out in commit order
and a rolled-back transaction hands none out. Hence:

- a reader that sees position N committed sees every position before it (no hole to wait for);
- positions have no gaps, so each server process delivers them in order and notices a missed hand-over (a lost
  Redis message, a worker that died after its commit) by the gap, which it reads back from here;
- the lock is held only from the last flush through the commit, so writers queue briefly and only when they
  have events. Time plays no part: a sleeping tab is behind by a count of positions, whatever the clock says.

One row per transaction (its events as one JSON array) keeps the hot path to one INSERT however many events a
transaction makes: ingest stores up to 500 messages, so about a thousand events, at a time. The newest
`RETAINED_POSITIONS` are kept; older rows are deleted now and then, by position.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pydantic_core
from sqlalchemy import BigInteger, Text, column, delete, func, insert, literal, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId
from zapdesk.db.events import Event, Published

log = logging.getLogger(__name__)

# Positions kept; a client further behind than what is kept reloads instead (a "resync").
RETAINED_POSITIONS = 10_000
# Old rows are deleted each time the log passes a multiple of this many positions.
PRUNE_EVERY = 1_000
# pg_advisory_xact_lock key shared by every zapdesk process ("zdev").
_LOCK_KEY = 0x7A646576
# Durable readers (`zapdesk.db.cursors`) hold back the pruning of what they have not read, up to this many
# positions: a reader further behind than that (stopped for good) no longer makes the log grow.
MAX_HELD_POSITIONS = 1_000_000
_readers = table("event_cursors", column("position"))


class EventBatch(Base):
    """The events one transaction committed, at positions `first_seq` to `last_seq`."""

    __tablename__ = "event_log"

    last_seq: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    # [{"name", "payload", "rooms"}, ...] in position order.
    events: Mapped[str] = mapped_column(Text)


async def append(session: AsyncSession, events: Sequence[Event[Any]]) -> list[Published]:
    """Log the events for browsers at the next positions, in the caller's transaction: call it last, right
    before the commit (it takes the lock the commit releases). Events not for browsers get no position."""
    logged = [event for event in events if event.for_browsers]
    if not logged:
        return [Published(None, event) for event in events]
    # Whatever the transaction still has to write goes first, outside the lock.
    await session.flush()
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    rows = [{"name": event.name, "payload": event.data, "rooms": event.rooms} for event in logged]
    # Read the latest position and write after it in one statement: the lock is held until the commit, and each
    # round trip under it made every other committing transaction wait that much longer.
    latest = func.coalesce(func.max(EventBatch.last_seq), 0)
    written = insert(EventBatch).from_select(
        ["last_seq", "first_seq", "events"],
        select(latest + len(logged), latest + 1, literal(pydantic_core.to_json(rows).decode(), Text)),
    )
    last = int((await session.execute(written.returning(EventBatch.last_seq))).scalar_one()) - len(logged)
    positions = iter(range(last + 1, last + len(logged) + 1))
    return [Published(next(positions) if event.for_browsers else None, event) for event in events]


async def latest_position(session: AsyncSession) -> int:
    """The position of the newest committed event (0 when none was ever logged)."""
    latest = (await session.execute(select(func.max(EventBatch.last_seq)))).scalar()
    return int(latest or 0)


async def batch_end(session: AsyncSession, position: int) -> int:
    """The last position of the batch that holds `position` (the latest position when none reaches it yet)."""
    holding = select(func.min(EventBatch.last_seq)).where(EventBatch.last_seq >= position).scalar_subquery()
    latest = select(func.max(EventBatch.last_seq)).scalar_subquery()
    return int((await session.execute(select(func.coalesce(holding, latest, 0)))).scalar_one())


async def oldest_position(session: AsyncSession) -> int | None:
    """The position of the oldest event still kept (None when the log is empty)."""
    query = select(EventBatch.first_seq).order_by(EventBatch.last_seq).limit(1)
    oldest = (await session.execute(query)).scalar()
    return None if oldest is None else int(oldest)


async def read(session: AsyncSession, *, after: int, upto: int) -> list[Published]:
    """The logged events at positions `after` < seq ≤ `upto`, in order (those already deleted are missing)."""
    query = (
        select(EventBatch.first_seq, EventBatch.events)
        .where(EventBatch.last_seq > after, EventBatch.first_seq <= upto)
        .order_by(EventBatch.last_seq)
    )
    found: list[Published] = []
    for first, events in (await session.execute(query)).all():
        for seq, item in enumerate(pydantic_core.from_json(events), start=first):
            kind = Event.registered_type(item["name"])
            if kind is None:  # logged by another version of zapdesk, which had this event
                log.warning("skipping event %d: no event type is called %r", seq, item["name"])
            elif after < seq <= upto:
                found.append(Published(seq, kind.from_data(item["payload"], item["rooms"])))
    return found


def passes_prune_mark(published: Sequence[Published]) -> bool:
    """Whether these positions crossed a multiple of `PRUNE_EVERY` (then it is time to delete old rows)."""
    positions = [item.seq for item in published if item.seq is not None]
    return bool(positions) and (positions[0] - 1) // PRUNE_EVERY != positions[-1] // PRUNE_EVERY


async def prune(sessionmaker: async_sessionmaker[AsyncSession], keep: int | None = None) -> None:
    """Delete the rows older than the newest `keep` (default `RETAINED_POSITIONS`) positions, in a transaction
    of its own (after a commit)."""
    try:
        async with sessionmaker() as session:
            latest = await latest_position(session)
            bound = latest - (RETAINED_POSITIONS if keep is None else keep)
            slowest = (await session.execute(select(func.min(_readers.c.position)))).scalar()
            if slowest is not None:
                bound = min(bound, max(slowest, latest - MAX_HELD_POSITIONS))
            await session.execute(delete(EventBatch).where(EventBatch.last_seq <= bound))
            await session.commit()
    except Exception:  # the log only grows a little longer until the next mark
        log.exception("could not delete old events from the event log")
