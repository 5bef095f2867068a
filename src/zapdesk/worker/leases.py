"""Connection leases: exactly one process holds a session, for as long as it keeps its heartbeat."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.models import Connection, ConnectionLease, DesiredState
from zapdesk.kit.upserts import insert

# Leases claimed per statement: well within both databases' limits on bound parameters (four per lease).
_CLAIM_CHUNK = 1000


async def wanted_connection_ids(
    session: AsyncSession, owner: str, limit: int, *, now: datetime, among: Collection[int] | None = None
) -> list[int]:
    """Connections that need a holder (running, or with a command waiting) whose lease is free or expired at `now`
    (only those `among` these ids, when given: the ones a nudge named).

    Not the ones `owner` holds: they are renewed, not claimed, and counting them here would fill `limit` with
    sessions it has already, so a worker holding half its share would never take another."""
    query = (
        select(Connection.id)
        .outerjoin(ConnectionLease, ConnectionLease.connection_id == Connection.id)
        .where(
            or_(Connection.desired_state == DesiredState.RUNNING, Connection.pending_command.is_not(None)),
            or_(
                ConnectionLease.connection_id.is_(None),
                ConnectionLease.expires_at < now,
            ),
        )
        .order_by(Connection.id)
        .limit(limit)
    )
    if among is not None:
        query = query.where(Connection.id.in_(list(among)))
    return list((await session.execute(query)).scalars())


async def claim(session: AsyncSession, owner: str, connection_id: int, ttl: float, *, now: datetime) -> bool:
    """Take the lease if it is free, expired or already ours at `now`; atomic on both databases."""
    return connection_id in await claim_many(session, owner, [connection_id], ttl, now=now)


async def claim_many(
    session: AsyncSession, owner: str, connection_ids: Collection[int], ttl: float, *, now: datetime
) -> set[int]:
    """Take each lease that is free, expired or already ours at `now`, in one statement (a worker starting takes
    hundreds at once); returns the ids it holds now. Atomic per lease on both databases."""
    ids = sorted(set(connection_ids))  # one order for every worker: two claiming together never deadlock
    expires_at = now + timedelta(seconds=ttl)
    held: set[int] = set()
    for start in range(0, len(ids), _CLAIM_CHUNK):
        chunk = ids[start : start + _CLAIM_CHUNK]
        rows = [{"connection_id": id_, "owner": owner, "expires_at": expires_at, "heartbeat_at": now} for id_ in chunk]
        statement = (
            insert(session, ConnectionLease)
            .values(rows)
            .on_conflict_do_update(
                index_elements=[ConnectionLease.connection_id],
                set_={"owner": owner, "expires_at": expires_at, "heartbeat_at": now},
                where=or_(ConnectionLease.expires_at < now, ConnectionLease.owner == owner),
            )
        )
        await session.execute(statement)
        ours = select(ConnectionLease.connection_id).where(
            ConnectionLease.owner == owner, ConnectionLease.connection_id.in_(chunk)
        )
        held.update((await session.execute(ours)).scalars())
    return held


async def renew(session: AsyncSession, owner: str, ttl: float, *, now: datetime) -> set[int]:
    """Extend every lease `owner` still holds; returns their connection ids (a lost lease is not among them)."""
    await session.execute(
        update(ConnectionLease)
        .where(ConnectionLease.owner == owner)
        .values(expires_at=now + timedelta(seconds=ttl), heartbeat_at=now)
    )
    held = select(ConnectionLease.connection_id).where(ConnectionLease.owner == owner)
    return set((await session.execute(held)).scalars())


async def release(session: AsyncSession, owner: str, connection_id: int) -> None:
    await session.execute(
        delete(ConnectionLease).where(ConnectionLease.owner == owner, ConnectionLease.connection_id == connection_id)
    )


async def release_all(session: AsyncSession, owner: str) -> None:
    """Free a dead worker's leases at once, so its sessions resume without waiting for expiry."""
    await session.execute(delete(ConnectionLease).where(ConnectionLease.owner == owner))
