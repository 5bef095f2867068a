"""Connection leases: exactly one process holds a session, for as long as it keeps its heartbeat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.models import Connection, ConnectionLease, DesiredState
from zapdesk.db.base import utcnow


async def wanted_connection_ids(session: AsyncSession, owner: str, limit: int) -> list[int]:
    """Connections that need a holder (running, or with a command waiting) whose lease is free or expired.

    Not the ones `owner` holds: they are renewed, not claimed, and counting them here would fill `limit` with
    sessions it has already, so a worker holding half its share would never take another."""
    now = utcnow()
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
    return list((await session.execute(query)).scalars())


async def claim(session: AsyncSession, owner: str, connection_id: int, ttl: float) -> bool:
    """Take the lease if it is free, expired or already ours; atomic on both databases."""
    now = utcnow()
    values = {
        "connection_id": connection_id,
        "owner": owner,
        "expires_at": now + timedelta(seconds=ttl),
        "heartbeat_at": now,
    }
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ConnectionLease).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[ConnectionLease.connection_id],
        set_={"owner": owner, "expires_at": values["expires_at"], "heartbeat_at": now},
        where=or_(ConnectionLease.expires_at < now, ConnectionLease.owner == owner),
    )
    await session.execute(statement)
    holder = await session.scalar(select(ConnectionLease.owner).where(ConnectionLease.connection_id == connection_id))
    return holder == owner


async def renew(session: AsyncSession, owner: str, ttl: float) -> set[int]:
    """Extend every lease `owner` still holds; returns their connection ids (a lost lease is not among them)."""
    now = utcnow()
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
