"""The inbound inbox's rows: written as an engine hands events over, deleted in the transaction that stores them,
read back when a session starts again after they were left there (a crash, a handover)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.models import Connection, DesiredState
from zapdesk.engine import codec
from zapdesk.ingest.models import InboxEntry
from zapdesk.ingest.service import Inbound

log = logging.getLogger(__name__)


async def add(session: AsyncSession, events: Sequence[Inbound]) -> list[int]:
    """Keep these events raw, in this order, with one statement; their entries' ids in the same order."""
    rows = [{"connection_id": connection_id, "event": codec.encode(event)} for connection_id, event in events]
    if session.get_bind().dialect.name == "sqlite":
        # SQLAlchemy returns ordered ids there with one INSERT per row. The transaction holds SQLite's only write
        # lock, and the table never reuses an id (AUTOINCREMENT): the rows took the ids just below the largest.
        await session.execute(insert(InboxEntry), rows)
        last = await session.scalar(select(func.max(InboxEntry.id)))
        assert last is not None
        return list(range(last - len(rows) + 1, last + 1))
    statement = insert(InboxEntry).returning(InboxEntry.id, sort_by_parameter_order=True)
    return list(await session.scalars(statement, rows))


async def forget(session: AsyncSession, ids: Collection[int]) -> None:
    """The events of these entries are stored (or kept as dead letters) in this transaction."""
    if ids:
        await session.execute(delete(InboxEntry).where(InboxEntry.id.in_(ids)))


async def left_for(session: AsyncSession, connection_id: int, *, skip: Collection[int]) -> list[tuple[int, Inbound]]:
    """The entries of `connection_id` still in the inbox, oldest first, except `skip` (being stored already)."""
    rows = await session.execute(
        select(InboxEntry.id, InboxEntry.event).where(InboxEntry.connection_id == connection_id).order_by(InboxEntry.id)
    )
    left = []
    for entry_id, event in rows:
        if entry_id in skip:
            continue
        try:
            left.append((entry_id, Inbound(connection_id, codec.decode_event(event))))
        except codec.UndecodableEvent:
            # Written by a version that knew a kind of event this one does not: kept for the version after.
            log.exception("inbox entry %s of connection %s cannot be read; it stays", entry_id, connection_id)
    return left


async def connections_with_entries(session: AsyncSession) -> list[tuple[int, bool]]:
    """The connections with entries, each with whether it is stopped (nobody should run it)."""
    stopped = Connection.desired_state == DesiredState.STOPPED
    query = select(InboxEntry.connection_id, stopped).join(Connection, Connection.id == InboxEntry.connection_id)
    return [(connection_id, bool(is_stopped)) for connection_id, is_stopped in await session.execute(query.distinct())]
