"""Building the engine events a customer's phone would cause, and feeding them through the inbound pipeline."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.events import (
    Chat,
    Content,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    Receipt,
    ReceiptKind,
    Sender,
    TextContent,
    group_address,
    lid_address,
)
from zapdesk.ingest.service import Inbound, InboundEvent, ingest_batch
from zapdesk.media.store import MediaStore

_ids = itertools.count(1)
_START = utcnow()


def next_external_id() -> str:
    return f"3EB0{next(_ids):016X}"


def moment(seconds: int) -> datetime:
    return _START + timedelta(seconds=seconds)


def received(
    phone: str | None,
    content: Content | str,
    *,
    external_id: str | None = None,
    push_name: str | None = "Maria Silva",
    lid: str | None = None,
    chat: Chat | None = None,
    from_me: bool = False,
    at: datetime | None = None,
    quoted_id: str | None = None,
) -> MessageReceived:
    """A message in a one-to-one chat with `phone` (or in `chat`), written by the customer unless `from_me`; a
    customer known only by `lid` is in the chat the engines address as `<lid>@lid`."""
    if chat is None:
        address = phone or (lid_address(lid) if lid else None)
        assert address is not None
        chat = Chat(address=address)
    return MessageReceived(
        external_id=external_id or next_external_id(),
        chat=chat,
        sender=Sender(phone=phone, lid=lid, push_name=push_name),
        from_me=from_me,
        timestamp=at or utcnow(),
        content=TextContent(content) if isinstance(content, str) else content,
        quoted_id=quoted_id,
    )


def in_group(
    group_id: str,
    member_phone: str | None,
    text: str,
    *,
    member_name: str,
    group_name: str = "Família",
    member_lid: str | None = None,
    external_id: str | None = None,
) -> MessageReceived:
    """A member's message in a group, addressed as the engines address groups (`<id>@g.us`)."""
    return received(
        member_phone,
        text,
        push_name=member_name,
        lid=member_lid,
        external_id=external_id,
        chat=Chat(address=group_address(group_id), is_group=True, name=group_name),
    )


def receipt(kind: ReceiptKind, *external_ids: str, chat: str = "5511988887777") -> Receipt:
    return Receipt(chat=Chat(address=chat), external_ids=external_ids, kind=kind, timestamp=utcnow())


def edited(external_id: str, text: str, *, chat: str = "5511988887777") -> MessageEdited:
    return MessageEdited(chat=Chat(address=chat), external_id=external_id, text=text, timestamp=utcnow())


def revoked(external_id: str, *, chat: str = "5511988887777") -> MessageRevoked:
    return MessageRevoked(chat=Chat(address=chat), external_id=external_id, timestamp=utcnow())


async def deliver(context: AppContext, connection_id: int, event: InboundEvent, media_store: MediaStore) -> None:
    """What the worker does with an event that arrives alone: ingest it in a transaction of its own."""
    await deliver_together(context, connection_id, [event], media_store)


async def deliver_together(
    context: AppContext, connection_id: int, events: list[InboundEvent], media_store: MediaStore
) -> None:
    """What the worker does with events that arrived while others were being stored: one transaction."""
    await deliver_batch(context, [Inbound(connection_id, event) for event in events], media_store)


async def deliver_batch(context: AppContext, batch: list[Inbound], media_store: MediaStore) -> None:
    """The same for events the engines of several connections handed over meanwhile."""
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        await ingest_batch(session, batch, media_store=media_store)
