"""Queuing outbound messages directly, reading them back, and waiting for the dispatcher to get somewhere."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from zapdesk.context import AppContext
from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.tickets.models import Ticket


async def queue_message(context: AppContext, ticket: Ticket, body: str, **columns: Any) -> Message:
    """An outbound message, `pending` (as an agent's POST leaves it) unless `columns` say otherwise."""
    async with context.sessionmaker() as session:
        message = Message(
            ticket_id=ticket.id,
            contact_id=ticket.contact_id,
            connection_id=ticket.connection_id,
            from_me=columns.pop("from_me", True),
            body=body,
            type=columns.pop("type", MessageType.TEXT),
            status=columns.pop("status", MessageStatus.PENDING),
            extra=columns.pop("extra", {}),
            reactions={},
            **columns,
        )
        session.add(message)
        await session.commit()
        return message


async def reload(context: AppContext, message_id: int) -> Message:
    async with context.sessionmaker() as session:
        message = await session.get(Message, message_id)
        assert message is not None
        return message


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 10.0) -> None:
    """Wait until `check()` holds (the dispatcher works in its own task and transactions)."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.02)


async def eventually_reloaded(context: AppContext, message_id: int, check: Callable[[Message], bool]) -> Message:
    async def holds() -> bool:
        return check(await reload(context, message_id))

    await eventually(holds)
    return await reload(context, message_id)


async def status_becomes(context: AppContext, message_id: int, status: MessageStatus) -> Message:
    async def reached() -> bool:
        return (await reload(context, message_id)).status == status

    await eventually(reached)
    return await reload(context, message_id)
