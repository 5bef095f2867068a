"""Queries on messages: a ticket's history page by page, and lookups by the client's idempotency key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.fulltext import message_text_matches
from zapdesk.kit.paging import Keyset, keyset_page
from zapdesk.messages.models import ActionKind, Message, MessageAction, MessageStatus

# A ticket's history pages backwards: the newest page first.
NEWEST_FIRST = Keyset((Message.id,), descending=True)


async def messages_page(
    session: AsyncSession, ticket_id: int, *, limit: int, cursor: str | None
) -> tuple[list[Message], str | None]:
    """A page of a ticket's messages, newest first, and the cursor of the older page."""
    query = select(Message).where(Message.ticket_id == ticket_id)
    return await keyset_page(session, query, NEWEST_FIRST, limit=limit, cursor=cursor)


async def matching_messages_page(
    session: AsyncSession, ticket_id: int, search: str, *, limit: int, cursor: str | None
) -> tuple[list[Message], str | None]:
    """A page of the ticket's messages whose text holds `search` (as the ticket list's search reads it), newest
    first, and the cursor of the older page."""
    query = (
        select(Message)
        # A range, not `=`: the planner then cannot drop the ticket from the order and walk the whole table's
        # primary key newest first, checking every message of every ticket (a word common elsewhere but rare
        # here took 0.5 s at 1,000,000 messages); it walks this ticket's own index (50,000 messages: under 20 ms).
        .where(
            Message.ticket_id.between(ticket_id, ticket_id),
            message_text_matches(Message.id, Message.body_search, search),
        )
        .order_by(Message.ticket_id.desc())
    )
    return await keyset_page(session, query, NEWEST_FIRST, limit=limit, cursor=cursor)


async def messages_around(
    session: AsyncSession, ticket_id: int, message_id: int, *, limit: int
) -> tuple[list[Message], str | None]:
    """`limit` messages of the ticket in chronological order with `message_id` in the middle (fewer when the
    conversation is shorter), and the list's cursor of the page older than them (None when there is none)."""
    older_count = limit // 2 + 1  # the message itself and those before it
    older = (
        select(Message)
        .where(Message.ticket_id == ticket_id, Message.id <= message_id)
        .order_by(Message.id.desc())
        .limit(older_count + 1)
    )
    newer = (
        select(Message)
        .where(Message.ticket_id == ticket_id, Message.id > message_id)
        .order_by(Message.id)
        .limit(limit - older_count)
    )
    before, older_cursor = NEWEST_FIRST.page(list((await session.execute(older)).scalars()), older_count)
    after = list((await session.execute(newer)).scalars())
    return [*reversed(before), *after], older_cursor


async def messages_after(
    session: AsyncSession, ticket_id: int, message_id: int, *, limit: int
) -> tuple[list[Message], bool]:
    """Up to `limit` messages of the ticket newer than `message_id`, in chronological order, and whether there
    are newer ones still."""
    query = (
        select(Message)
        .where(Message.ticket_id == ticket_id, Message.id > message_id)
        .order_by(Message.id)
        .limit(limit + 1)
    )
    found = list((await session.execute(query)).scalars())
    return found[:limit], len(found) > limit


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


async def newest_in_chat(session: AsyncSession, ticket_id: int) -> Message | None:
    """The ticket's newest message WhatsApp knows (either way): it names the chat for what is not a message."""
    query = (
        select(Message)
        .where(
            Message.ticket_id == ticket_id,
            Message.external_id.is_not(None),
            Message.status != MessageStatus.PENDING,
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def action_waiting(session: AsyncSession, message_id: int, kind: ActionKind, *, now: datetime) -> bool:
    """Whether an action of `kind` on this message waits for the outbox still (and is not expired)."""
    query = (
        select(MessageAction.id)
        .where(
            MessageAction.message_id == message_id,
            MessageAction.kind == kind,
            or_(MessageAction.expires_at.is_(None), MessageAction.expires_at > now),
        )
        .limit(1)
    )
    return (await session.execute(query)).first() is not None
