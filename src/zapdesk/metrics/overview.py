"""What health checks and scrapes read from the database: small queries on small tables (or a partial index).

Nothing here returns secrets: no phone numbers, session references, QR or pairing codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.models import Connection, ConnectionLease
from zapdesk.db.base import utcnow
from zapdesk.messages.models import PENDING_ONLY, Message


@dataclass(frozen=True, slots=True)
class ConnectionState:
    id: int
    name: str
    status: str
    worker: str | None  # the owner of its live lease: the process holding the session now
    engine: str | None  # the program that ran its session last


@dataclass(frozen=True, slots=True)
class WorkerLeases:
    owner: str
    sessions: int
    last_heartbeat: datetime
    alive: bool  # some lease of it has not expired: it beat within LEASE_SECONDS


async def connection_states(session: AsyncSession) -> list[ConnectionState]:
    live_lease = and_(ConnectionLease.connection_id == Connection.id, ConnectionLease.expires_at > utcnow())
    query = (
        select(Connection.id, Connection.name, Connection.status, ConnectionLease.owner, Connection.engine)
        .outerjoin(ConnectionLease, live_lease)
        .order_by(Connection.id)
    )
    return [ConnectionState(*row) for row in await session.execute(query)]


async def worker_leases(session: AsyncSession) -> list[WorkerLeases]:
    """Workers as their leases show them: a worker holding no session does not appear."""
    query = (
        select(
            ConnectionLease.owner,
            func.count(),
            func.max(ConnectionLease.heartbeat_at),
            func.max(ConnectionLease.expires_at),
        )
        .group_by(ConnectionLease.owner)
        .order_by(ConnectionLease.owner)
    )
    now = utcnow()
    return [
        WorkerLeases(owner=owner, sessions=sessions, last_heartbeat=heartbeat, alive=expires > now)
        for owner, sessions, heartbeat, expires in await session.execute(query)
    ]


async def pending_sends(session: AsyncSession) -> dict[int, int]:
    """Pending outbound messages per connection: the outbox's queue depth."""
    # The literal predicate (not a bound parameter) lets PostgreSQL use the partial outbox index in every plan.
    query = select(Message.connection_id, func.count()).where(PENDING_ONLY).group_by(Message.connection_id)
    return {connection_id: count for connection_id, count in await session.execute(query)}
