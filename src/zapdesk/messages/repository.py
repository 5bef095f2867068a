"""Queries on messages: a ticket's history page by page, and lookups by the client's idempotency key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.messages.models import Message


async def messages_page(session: AsyncSession, ticket_id: int, *, before: int | None, limit: int) -> list[Message]:
    """Up to `limit + 1` messages of a ticket older than message `before`, newest first."""
    query = select(Message).where(Message.ticket_id == ticket_id)
    if before is not None:
        query = query.where(Message.id < before)
    query = query.order_by(Message.id.desc()).limit(limit + 1)
    return list((await session.execute(query)).scalars())


async def message_by_client_id(session: AsyncSession, ticket_id: int, client_id: str) -> Message | None:
    query = select(Message).where(Message.ticket_id == ticket_id, Message.client_id == client_id)
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()


async def message_in_ticket(session: AsyncSession, message_id: int, ticket_id: int) -> bool:
    query = select(Message.id).where(Message.id == message_id, Message.ticket_id == ticket_id)
    return (await session.execute(query)).first() is not None


async def newest_inbound(session: AsyncSession, ticket_id: int) -> Message | None:
    query = (
        select(Message)
        .where(Message.ticket_id == ticket_id, Message.from_me.is_(False), Message.external_id.is_not(None))
        .order_by(Message.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
