"""Queries for catching up: tickets and messages a user may see that changed since a moment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from zapdesk.messages.models import Message
from zapdesk.tickets.access import visible_tickets_clause
from zapdesk.tickets.models import Ticket
from zapdesk.users.models import User


async def tickets_changed_since(session: AsyncSession, user: User, since: datetime, *, limit: int) -> list[Ticket]:
    """Up to `limit` visible tickets with `updated_at >= since`, oldest change first, with their contact."""
    query = (
        select(Ticket)
        .options(joinedload(Ticket.contact, innerjoin=True))
        .where(Ticket.updated_at >= since, visible_tickets_clause(user))
        .order_by(Ticket.updated_at, Ticket.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def messages_changed_since(session: AsyncSession, user: User, since: datetime, *, limit: int) -> list[Message]:
    """Up to `limit` messages of visible tickets with `updated_at >= since`, oldest change first."""
    query = (
        select(Message)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(Message.updated_at >= since, visible_tickets_clause(user))
        .order_by(Message.updated_at, Message.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
