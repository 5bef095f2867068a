"""The inbound pipeline: turns an engine's events into stored messages, contacts and tickets, idempotently.

Each function runs inside the caller's transaction and never commits: the worker gives every event its own
`unit_of_work`, and acknowledges it to WhatsApp only after that commit. A message is stored once per
`(connection_id, external_id)`; a repeated delivery changes nothing and announces nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.contacts.service import find_or_create_contact, normalize_contact_key
from zapdesk.db.uow import AFTER_COMMIT_KEY
from zapdesk.engine.events import (
    ContactCardContent,
    Content,
    LocationContent,
    MediaContent,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    ReactionContent,
    Receipt,
    ReceiptKind,
    TextContent,
    UnsupportedContent,
)
from zapdesk.errors import Invalid
from zapdesk.media.store import MediaStore, display_name
from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.messages.service import message_added, message_preview, record_message_updated
from zapdesk.outbox.greetings import queue_greeting
from zapdesk.settings.service import IGNORE_GROUP_MESSAGES, get_setting
from zapdesk.tickets import repository as tickets
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.service import find_or_create_active_ticket, record_ticket_updated

log = logging.getLogger(__name__)

InboundEvent = MessageReceived | Receipt | MessageEdited | MessageRevoked

# Who reacted, when it was us (typed on the business phone or sent by an agent).
OWN_REACTION_KEY = "me"

# Delivery states only move forward; a failed send that WhatsApp later reports delivered did get there.
_STATUS_RANK = {
    MessageStatus.PENDING: 0,
    MessageStatus.FAILED: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
}
_RECEIPT_STATUS = {
    ReceiptKind.DELIVERED: MessageStatus.DELIVERED,
    ReceiptKind.READ: MessageStatus.READ,
    ReceiptKind.PLAYED: MessageStatus.READ,
}


async def ingest_event(
    session: AsyncSession, *, connection_id: int, event: InboundEvent, media_store: MediaStore
) -> None:
    """The one entry point for the worker: store what `event` says about connection `connection_id`."""
    event = without_nul(event)
    if isinstance(event, MessageReceived):
        await ingest_message(session, connection_id=connection_id, event=event, media_store=media_store)
    elif isinstance(event, Receipt):
        await apply_receipt(session, connection_id=connection_id, event=event)
    elif isinstance(event, MessageEdited):
        await apply_edit(session, connection_id=connection_id, event=event)
    else:
        await apply_revoke(session, connection_id=connection_id, event=event)


_T = TypeVar("_T")


def without_nul(value: _T) -> _T:
    """`value` with every NUL character dropped from its text, however deep (file bytes stay as they are).

    A sender may put NUL anywhere (text, name, caption, vCard) and PostgreSQL cannot store it in text: the
    message must still be stored, so the character goes.
    """
    if isinstance(value, Enum):  # a StrEnum is a str too, and must stay its enum
        return value
    if isinstance(value, str):
        return cast(_T, value.replace("\x00", "")) if "\x00" in value else value
    if isinstance(value, tuple):
        return cast(_T, tuple(without_nul(item) for item in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {item.name: without_nul(getattr(value, item.name)) for item in dataclasses.fields(value)}
        return cast(_T, dataclasses.replace(value, **changes))
    return value


# --- a received message ----------------------------------------------------------------------------------------


async def ingest_message(
    session: AsyncSession, *, connection_id: int, event: MessageReceived, media_store: MediaStore
) -> Message | None:
    """Store a received message in its contact's active ticket; None when there was nothing new to store.

    Reactions are not messages: they attach to their target. Group messages are skipped when the
    `ignore_group_messages` setting is on.
    """
    if isinstance(event.content, ReactionContent):
        return await apply_reaction(session, connection_id=connection_id, event=event, reaction=event.content)
    if event.chat.is_group and await get_setting(session, IGNORE_GROUP_MESSAGES):
        return None
    if await _stored_message(session, connection_id, event.external_id) is not None:
        return None
    identity = await _chat_identity(session, event)
    if identity is None:
        return None
    connection = await session.get(Connection, connection_id)
    if connection is None:
        log.warning("message %s for unknown connection %s ignored", event.external_id, connection_id)
        return None

    stored = await _insert_with_ticket(session, connection=connection, event=event, identity=identity)
    if stored is None:
        return None
    message, ticket, created = stored
    if isinstance(event.content, MediaContent):
        await _attach_media(message, event.content, media_store)
    if not created:
        # Locked (PostgreSQL) and re-read: an agent may be resetting the unread count at this very moment.
        ticket = await tickets.get_ticket(session, ticket.id, lock=True) or ticket
    await message_added(session, ticket, message)
    if created and not event.from_me:
        await queue_greeting(session, ticket)
    return message


@dataclass(frozen=True, slots=True)
class _ChatIdentity:
    """Who the conversation is with, in the form `find_or_create_contact` takes."""

    key: str
    lid: str | None = None
    push_name: str | None = None
    is_group: bool = False
    name: str | None = None


async def _chat_identity(session: AsyncSession, event: MessageReceived) -> _ChatIdentity | None:
    chat, sender = event.chat, event.sender
    if chat.is_group:
        identity = _ChatIdentity(key=chat.address, is_group=True, name=chat.name)
    elif event.from_me:
        # Typed on the business phone: the sender is us, the chat is the customer.
        identity = _ChatIdentity(key=chat.address)
    else:
        phone = sender.phone
        if phone is None and sender.lid is not None:
            # Only the LID came: whoever already has it keeps their number (the LID must not replace it).
            phone = await session.scalar(select(Contact.phone).where(Contact.lid == sender.lid))
        identity = _ChatIdentity(key=phone or chat.address, lid=sender.lid, push_name=sender.push_name)
    try:
        key = normalize_contact_key(identity.key, is_group=identity.is_group)
    except Invalid:
        log.warning("message %s from an address we cannot read (%r) ignored", event.external_id, identity.key)
        return None
    return _ChatIdentity(key, identity.lid, identity.push_name, identity.is_group, identity.name)


class _AlreadyStored(Exception):
    """Raised inside the SAVEPOINT to undo the contact and ticket a duplicate delivery would have created."""


async def _insert_with_ticket(
    session: AsyncSession, *, connection: Connection, event: MessageReceived, identity: _ChatIdentity
) -> tuple[Message, Ticket, bool] | None:
    """Contact, ticket and message row in one SAVEPOINT: if another delivery of the same id wins the unique
    key, everything this one created is rolled back (and its events dropped), so a duplicate leaves no trace.
    """
    events_before = len(session.info.get(AFTER_COMMIT_KEY, []))
    try:
        async with session.begin_nested():
            contact = await find_or_create_contact(
                session,
                phone=identity.key,
                lid=identity.lid,
                push_name=identity.push_name,
                is_group=identity.is_group,
                name=identity.name,
            )
            ticket, created = await find_or_create_active_ticket(session, contact=contact, connection=connection)
            message_id = await _insert_message_row(session, _row_values(event, ticket, contact))
            if message_id is None:
                raise _AlreadyStored
    except _AlreadyStored:
        del session.info.get(AFTER_COMMIT_KEY, [])[events_before:]
        return None
    message = await session.get(Message, message_id)
    assert message is not None
    return message, ticket, created


async def _insert_message_row(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING on the inbound key: the new id, or None when it was already stored."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Message)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Message.connection_id, Message.external_id])
        .returning(Message.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


def _row_values(event: MessageReceived, ticket: Ticket, contact: Contact) -> dict[str, Any]:
    content = _content_fields(event.content)
    sender = event.sender
    extra = dict(content.extra)
    sender_name: str | None = None
    if not event.from_me:
        sender_name = sender.push_name or sender.phone
        if contact.is_group and (sender.phone or sender.lid):
            # Who wrote in the group: shown on the message, and needed to quote it in a reply.
            extra["sender_phone"] = sender.phone or sender.lid
    return {
        "ticket_id": ticket.id,
        "contact_id": contact.id,
        "connection_id": ticket.connection_id,
        "from_me": event.from_me,
        "body": content.body,
        "type": content.type,
        "extra": extra,
        "reactions": {},
        "quoted_external_id": event.quoted_id,
        "quoted_message_id": _quoted_subquery(ticket.connection_id, event.quoted_id),
        "external_id": event.external_id,
        "sender_name": sender_name[:160] if sender_name else None,
        # Ours or theirs, it is already on WhatsApp: delivery receipts move ours on from here.
        "status": MessageStatus.SENT,
        "sent_at": event.timestamp,
    }


def _quoted_subquery(connection_id: int, quoted_id: str | None) -> Any:
    if quoted_id is None:
        return None
    return (
        select(Message.id)
        .where(Message.connection_id == connection_id, Message.external_id == quoted_id)
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class _ContentFields:
    type: MessageType
    body: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _content_fields(content: Content) -> _ContentFields:
    """Our columns for each kind of content; anything we do not know is kept as `unsupported`, never dropped."""
    if isinstance(content, TextContent):
        return _ContentFields(MessageType.TEXT, content.text)
    if isinstance(content, MediaContent):
        extra: dict[str, Any] = {}
        if content.seconds is not None:
            extra["seconds"] = content.seconds
        if content.data is None:
            extra["media_error"] = content.error or "The file could not be downloaded from WhatsApp."
        return _ContentFields(MessageType(content.kind.value), content.caption, extra)
    if isinstance(content, LocationContent):
        label = " — ".join(part for part in (content.name, content.address) if part)
        coordinates = {
            "latitude": content.latitude,
            "longitude": content.longitude,
            "name": content.name,
            "address": content.address,
        }
        return _ContentFields(MessageType.LOCATION, label, coordinates)
    if isinstance(content, ContactCardContent):
        card = {"display_name": content.display_name, "vcard": content.vcard}
        return _ContentFields(MessageType.CONTACT, content.display_name, card)
    kind = content.kind if isinstance(content, UnsupportedContent) else type(content).__name__
    return _ContentFields(MessageType.UNSUPPORTED, f"Unsupported message: {kind}", {"kind": kind})


async def _attach_media(message: Message, content: MediaContent, media_store: MediaStore) -> None:
    """Save the downloaded bytes under a generated name; the type comes from the bytes, not the sender."""
    if content.data is None:
        message.media_mime = content.mime or None
        message.media_name = display_name(content.file_name, extension=None)
        message.media_size = content.size
        return
    stored = await media_store.save(content.data, declared_mime=content.mime)
    extension = stored.file_type.extension if stored.file_type is not None else None
    message.media_path = stored.path
    message.media_mime = stored.mime
    message.media_size = stored.size
    message.media_name = display_name(content.file_name, extension=extension)


async def _stored_message(session: AsyncSession, connection_id: int, external_id: str) -> Message | None:
    query = select(Message).where(Message.connection_id == connection_id, Message.external_id == external_id)
    return (await session.execute(query)).scalar_one_or_none()


# --- changes to stored messages --------------------------------------------------------------------------------


async def apply_reaction(
    session: AsyncSession, *, connection_id: int, event: MessageReceived, reaction: ReactionContent
) -> Message | None:
    """Set (or, with an empty emoji, remove) the sender's reaction on its target; unknown targets are ignored."""
    target = await _stored_message(session, connection_id, reaction.target_id)
    if target is None:
        return None
    who = OWN_REACTION_KEY if event.from_me else (event.sender.phone or event.sender.lid or event.chat.address)
    reactions = dict(target.reactions)
    if reaction.emoji:
        reactions[who] = reaction.emoji
    else:
        reactions.pop(who, None)
    if reactions == target.reactions:
        return target
    # A new dict: the JSON column only notices assignment, not changes made inside it.
    target.reactions = reactions
    await record_message_updated(session, target)
    return target


async def apply_edit(session: AsyncSession, *, connection_id: int, event: MessageEdited) -> Message | None:
    message = await _stored_message(session, connection_id, event.external_id)
    if message is None:
        return None
    message.body = event.text
    message.is_edited = True
    await _announce_change(session, message)
    return message


async def apply_revoke(session: AsyncSession, *, connection_id: int, event: MessageRevoked) -> Message | None:
    """Deleted for everyone: the row stays (agents see that something was said and removed)."""
    message = await _stored_message(session, connection_id, event.external_id)
    if message is None:
        return None
    message.is_deleted = True
    await _announce_change(session, message)
    return message


async def _announce_change(session: AsyncSession, message: Message) -> None:
    """Record `message.updated`, and refresh the ticket's preview when this was its latest message."""
    ticket = await tickets.get_ticket(session, message.ticket_id, lock=True)
    if ticket is None:
        return
    moment = message.sent_at or message.created_at
    if ticket.last_message_at == moment:
        preview = message_preview(message)
        if preview != ticket.last_message_preview:
            ticket.last_message_preview = preview
            await record_ticket_updated(session, ticket)
    await record_message_updated(session, message, ticket)


async def apply_receipt(session: AsyncSession, *, connection_id: int, event: Receipt) -> list[Message]:
    """Move our messages forward (delivered, read); never backwards, and ids we do not know are ignored."""
    new_status = _RECEIPT_STATUS[event.kind]
    query = (
        select(Message)
        .where(
            Message.connection_id == connection_id,
            Message.external_id.in_(event.external_ids),
            Message.from_me.is_(True),
        )
        .order_by(Message.id)
    )
    changed = []
    for message in (await session.execute(query)).scalars():
        if _STATUS_RANK[message.status] >= _STATUS_RANK[new_status]:
            continue
        message.status = new_status
        message.error = None
        if message.sent_at is None:
            message.sent_at = event.timestamp
        await record_message_updated(session, message)
        changed.append(message)
    return changed
