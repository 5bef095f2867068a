"""The inbound pipeline: turns an engine's events into stored messages, contacts and tickets, idempotently.

`ingest_batch` runs inside the caller's transaction and never commits: the worker stores the events all its
connections handed over meanwhile in one `unit_of_work`, and acknowledges them to WhatsApp only after that
commit. A message is stored once per `(connection_id, external_id)`; a repeated delivery changes nothing and
announces nothing. New messages of every connection are stored together: one query for contacts, one for the
active tickets, one INSERT, and one UPDATE for the tickets; duplicates are looked for only when the INSERT met one.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import partial
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.contacts.service import Sighting, find_or_create_contacts, normalize_contact_key
from zapdesk.db.base import utcnow
from zapdesk.db.folding import fold
from zapdesk.db.uow import on_rollback, savepoint
from zapdesk.engine.events import (
    LID_SUFFIX,
    AssociationKind,
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
    Sender,
    TextContent,
    UnsupportedContent,
    lid_address,
)
from zapdesk.errors import Invalid
from zapdesk.ingest.early_receipts import EarlyReceipts
from zapdesk.kit.upserts import insert_or_ignore
from zapdesk.media.store import MediaStore, display_name, received_file_columns
from zapdesk.messages.models import MediaState, Message, MessageStatus, MessageType
from zapdesk.messages.service import OWN_REACTION_KEY, message_preview, messages_added, record_message_updated
from zapdesk.settings.service import IGNORE_GROUP_MESSAGES, get_setting
from zapdesk.tickets import repository as tickets
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.service import Actor
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.ratings import parse_rating, tickets_awaiting_rating
from zapdesk.tickets.service import find_or_create_active_tickets, record_openings, record_ticket_updated

log = logging.getLogger(__name__)

InboundEvent = MessageReceived | Receipt | MessageEdited | MessageRevoked

# In `Message.extra`: the id of the HD copy whose file a message now has.
BETTER_COPY_KEY = "better_copy_id"
# In `Message.extra`: the album a photo or video belongs to (its opening message's id), and its place in it.
ALBUM_KEY, ALBUM_INDEX_KEY = "album_id", "album_index"

# Rows per INSERT: well under the bound-parameter limits of SQLite and asyncpg.
_ROWS_PER_INSERT = 500
# Storing new messages: once as they came, then again after each time the INSERT met one already stored.
_STORE_ATTEMPTS = 4

# Delivery states only move forward; a failed send that WhatsApp later reports delivered did get there.
_STATUS_RANK = {
    MessageStatus.PENDING: 0,
    MessageStatus.FAILED: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
}
_RECEIPT_STATUS = {
    ReceiptKind.SENT: MessageStatus.SENT,
    ReceiptKind.DELIVERED: MessageStatus.DELIVERED,
    ReceiptKind.READ: MessageStatus.READ,
    ReceiptKind.PLAYED: MessageStatus.READ,
}


class Inbound(NamedTuple):
    """An event and the connection whose engine handed it over."""

    connection_id: int
    event: InboundEvent


class _Received(NamedTuple):
    """A new message and its connection."""

    connection_id: int
    event: MessageReceived


async def ingest_batch(
    session: AsyncSession,
    batch: Sequence[Inbound],
    *,
    media_store: MediaStore,
    early_receipts: EarlyReceipts | None = None,
) -> None:
    """The one entry point for the worker: store what each event says about its connection, in order per
    connection (events of different connections do not concern one another).

    Receipts naming ids no stored message has yet go to `early_receipts` (a send may be confirmed after them).
    """
    new_messages: list[_Received] = []
    receipts: list[Inbound] = []
    for connection_id, event in batch:
        event = without_nul(event)
        if isinstance(event, MessageReceived) and not _changes_a_stored_message(event):
            new_messages.append(_Received(connection_id, event))
        elif isinstance(event, Receipt):
            receipts.append(Inbound(connection_id, event))  # applied together: one query per connection
        else:
            # A change may concern the messages and receipts before it: they are stored first.
            await _store_new_messages(session, new_messages, media_store)
            await _apply_receipt_runs(session, receipts, early_receipts)
            new_messages, receipts = [], []
            await _apply_change(session, connection_id, event, media_store)
    await _store_new_messages(session, new_messages, media_store)
    await _apply_receipt_runs(session, receipts, early_receipts)


async def _apply_receipt_runs(
    session: AsyncSession, receipts: Sequence[Inbound], early_receipts: EarlyReceipts | None
) -> None:
    """Receipts of several connections, each connection's in their order, with one query per connection."""
    by_connection: dict[int, list[Receipt]] = {}
    for connection_id, event in receipts:
        by_connection.setdefault(connection_id, []).append(cast(Receipt, event))
    for connection_id, events in by_connection.items():
        await apply_receipts(session, connection_id=connection_id, events=events, early_receipts=early_receipts)


async def ingest_events(
    session: AsyncSession,
    *,
    connection_id: int,
    events: Sequence[InboundEvent],
    media_store: MediaStore,
    early_receipts: EarlyReceipts | None = None,
) -> None:
    """`ingest_batch` for events of one connection."""
    batch = [Inbound(connection_id, event) for event in events]
    await ingest_batch(session, batch, media_store=media_store, early_receipts=early_receipts)


def _changes_a_stored_message(event: MessageReceived) -> bool:
    """A reaction, or a better copy of a stored file: not a message of its own."""
    association = event.association
    better_copy = association is not None and association.kind is AssociationKind.BETTER_COPY
    return better_copy or isinstance(event.content, ReactionContent)


async def _apply_change(
    session: AsyncSession,
    connection_id: int,
    event: MessageReceived | MessageEdited | MessageRevoked,
    media_store: MediaStore,
) -> None:
    if isinstance(event, MessageReceived) and isinstance(event.content, ReactionContent):
        await apply_reaction(session, connection_id=connection_id, event=event, reaction=event.content)
    elif isinstance(event, MessageReceived):
        await apply_better_copy(session, connection_id=connection_id, event=event, media_store=media_store)
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
    if isinstance(value, str):
        if isinstance(value, Enum):  # a StrEnum is a str too, and must stay its enum
            return value
        return cast(_T, value.replace("\x00", "")) if "\x00" in value else value
    if isinstance(value, tuple):
        cleaned = tuple(without_nul(item) for item in value)
        return value if all(new is old for new, old in zip(cleaned, value, strict=True)) else cast(_T, cleaned)
    names = _dataclass_fields(cast(type, type(value)))
    if not names:
        return value
    changes = {}
    for name in names:
        old = getattr(value, name)
        new = without_nul(old)
        if new is not old:
            changes[name] = new
    # Almost no event holds a NUL: it is kept as it is instead of rebuilt.
    return cast(_T, dataclasses.replace(cast(Any, value), **changes)) if changes else value


@functools.cache
def _dataclass_fields(kind: type) -> tuple[str, ...]:
    """The field names of a dataclass (none for any other type), looked up once per type: every event is walked."""
    if not dataclasses.is_dataclass(kind):
        return ()
    return tuple(item.name for item in dataclasses.fields(kind))


# --- received messages -----------------------------------------------------------------------------------------


async def _store_new_messages(session: AsyncSession, batch: Sequence[_Received], media_store: MediaStore) -> None:
    """Store received messages (not reactions) in their contacts' active tickets, skipping those already stored.

    Group messages are skipped when the `ignore_group_messages` setting is on. Contacts, tickets and messages
    are created in one SAVEPOINT: if one of these ids is stored already (a repeated delivery, or another one
    that committed first), everything is rolled back (with its events and files) and stored again without it,
    so a duplicate leaves no trace.
    """
    if not batch:
        return
    connections = await _connections(session, {received.connection_id for received in batch})
    batch = [received for received in batch if received.connection_id in connections]
    if any(received.event.chat.is_group for received in batch) and await get_setting(session, IGNORE_GROUP_MESSAGES):
        batch = [received for received in batch if not received.event.chat.is_group]
    # Almost every message arrives once: stored without asking first (a round trip fewer per batch), and only
    # when the INSERT finds one already there is the batch stored again without those.
    fresh = _each_once(batch, stored=set())
    for _attempt in range(_STORE_ATTEMPTS):
        if not fresh:
            return
        try:
            async with savepoint(session):
                await _store(session, fresh, media_store)
        except _AlreadyStored:
            # A repeated delivery, or another one stored some of them first: again, without those.
            fresh = await _not_yet_stored(session, batch)
            continue
        return
    raise RuntimeError(f"messages for connections {sorted(connections)} kept being stored by another delivery")


async def _connections(session: AsyncSession, ids: set[int]) -> set[int]:
    """Those of these connections that exist; messages for one that no longer exists are dropped with a warning."""
    found = set(await session.scalars(select(Connection.id).where(Connection.id.in_(ids))))
    for missing in ids - found:
        log.warning("messages for unknown connection %s ignored", missing)
    return found


class _AlreadyStored(Exception):
    """Raised inside the SAVEPOINT to undo the contacts and tickets a duplicate delivery would have created."""


# A message as WhatsApp names it: (connection id, external id).
_MessageKey = tuple[int, str]


async def _not_yet_stored(session: AsyncSession, batch: Sequence[_Received]) -> list[_Received]:
    """`batch` without the messages already stored, and with each message once."""
    keys = {(received.connection_id, received.event.external_id) for received in batch}
    return _each_once(batch, stored=set(await _stored_ids(session, keys)))


def _each_once(batch: Sequence[_Received], *, stored: set[_MessageKey]) -> list[_Received]:
    """`batch` without the messages whose keys are `stored`, and with each message once."""
    seen = set(stored)
    fresh = []
    for received in batch:
        key = (received.connection_id, received.event.external_id)
        if key not in seen:
            seen.add(key)
            fresh.append(received)
    return fresh


async def _stored_ids(session: AsyncSession, keys: set[_MessageKey]) -> dict[_MessageKey, int]:
    """Our ids of the stored messages among `keys`, in one query."""
    if not keys:
        return {}
    # Two INs, both on the unique index; the few rows that match only across keys are dropped here.
    query = select(Message.connection_id, Message.external_id, Message.id).where(
        Message.connection_id.in_({connection_id for connection_id, _ in keys}),
        Message.external_id.in_({external_id for _, external_id in keys}),
    )
    found: dict[_MessageKey, int] = {}
    for connection_id, external_id, id_ in (await session.execute(query)).all():
        if external_id is not None and (connection_id, external_id) in keys:
            found[connection_id, external_id] = id_
    return found


@dataclass(slots=True)
class _Thread:
    """A conversation of this batch: its ticket (the active one, or a closed one awaiting a rating), and the
    messages it received now."""

    ticket: Ticket
    opened_by: Actor | None  # None unless this batch opened the ticket: by the customer, or from the business phone
    messages: list[Message] = field(default_factory=list)


async def _store(session: AsyncSession, batch: Sequence[_Received], media_store: MediaStore) -> None:
    seen = [(received, await _sighting(session, received.event)) for received in batch]
    readable = [(received, sighting) for received, sighting in seen if sighting is not None]
    batch = [received for received, _ in readable]
    threads = await _open_threads(session, readable)
    quoted_ids = await _quoted_ids(session, batch)
    rows = [
        await _row_values(session, received.event, thread.ticket, quoted_ids, media_store)
        for received, thread in zip(batch, threads, strict=True)
    ]
    stored = await _insert_message_rows(session, rows)
    if len(stored) < len(rows):
        raise _AlreadyStored
    for thread, message in zip(threads, stored, strict=True):
        thread.messages.append(message)
    _link_quotes_within(stored)
    by_ticket = {thread.ticket.id: thread for thread in threads}
    openings = [
        (thread.ticket, thread.opened_by, thread.messages[0].id)
        for thread in by_ticket.values()
        if thread.opened_by is not None
    ]
    await record_openings(session, openings)
    await messages_added(session, [(thread.ticket, thread.messages) for thread in by_ticket.values()])


async def _open_threads(session: AsyncSession, readable: Sequence[tuple[_Received, Sighting]]) -> list[_Thread]:
    """The thread of each event (one per ticket), in order: contacts and active tickets found or created.

    A customer's rating that answers the survey of their closed ticket goes into that ticket and opens none;
    once they write anything else, their next messages open (or continue) a conversation as usual.
    """
    contacts = await find_or_create_contacts(session, [sighting for _, sighting in readable])
    events = [received.event for received, _ in readable]
    conversations = [
        (contact.id, received.connection_id) for contact, (received, _) in zip(contacts, readable, strict=True)
    ]
    ratings = [_is_rating(event) for event in events]
    awaiting = await tickets_awaiting_rating(
        session,
        conversations={conversation for conversation, rating in zip(conversations, ratings, strict=True) if rating},
    )
    tickets: list[Ticket | None] = []
    for conversation, rating in zip(conversations, ratings, strict=True):
        if not rating:
            awaiting.pop(conversation, None)  # they moved on: what follows is a new conversation
        tickets.append(awaiting.get(conversation))
    rest = [index for index, ticket in enumerate(tickets) if ticket is None]
    # Locked (PostgreSQL): an agent may be resetting the unread count at this very moment.
    active = await find_or_create_active_tickets(
        session,
        conversations=[(contacts[index], readable[index][0].connection_id) for index in rest],
        by_customer=[not events[index].from_me for index in rest],
        lock=True,
    )
    for index, (found, _created) in zip(rest, active, strict=True):
        tickets[index] = found
    placed = [ticket for ticket in tickets if ticket is not None]
    threads: dict[int, _Thread] = {}
    created_ids = {found.id for found, created in active if created}
    for ticket, event in zip(placed, events, strict=True):
        if ticket.id not in threads:
            opened = ticket.id in created_ids
            opened_by = (history.by_user(None) if event.from_me else history.CUSTOMER) if opened else None
            threads[ticket.id] = _Thread(ticket, opened_by)
    return [threads[ticket.id] for ticket in placed]


def _is_rating(event: MessageReceived) -> bool:
    """A customer's message that reads as a rating (in a one-to-one chat: a group takes no survey)."""
    if event.from_me or event.chat.is_group or not isinstance(event.content, TextContent):
        return False
    return parse_rating(event.content.text) is not None


async def _sighting(session: AsyncSession, event: MessageReceived) -> Sighting | None:
    """Who the conversation is with; None when the address cannot be read.

    A person WhatsApp names only by LID (no number in the event, none known for it yet) is keyed by the LID; the
    number's contact takes that one over when the number shows up (`contacts.service`).
    """
    chat, sender = event.chat, event.sender
    if chat.is_group:
        identity = Sighting(chat.address, is_group=True, name=chat.name)
    else:
        # Typed on the business phone, the sender is us: the chat alone says who the customer is.
        customer = Sender(phone=None) if event.from_me else sender
        chat_lid = chat.address.removesuffix(LID_SUFFIX) if chat.address.endswith(LID_SUFFIX) else None
        lid = customer.lid or chat_lid
        phone = customer.phone or (None if chat_lid else chat.address)
        if phone is None and lid is not None:
            # Only the LID came: whoever already has it keeps their number (the LID must not replace it).
            phone = await session.scalar(select(Contact.phone).where(Contact.lid == lid))
        identity = Sighting(phone or lid_address(lid or ""), lid=lid, push_name=customer.push_name)
    try:
        normalize_contact_key(identity.phone, is_group=identity.is_group)
    except Invalid:
        log.warning("message %s from an address we cannot read (%r) ignored", event.external_id, identity.phone)
        return None
    return identity


async def _insert_message_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> list[Message]:
    """INSERT … ON CONFLICT DO NOTHING on the inbound key: the stored messages, in the order of `rows` (fewer
    when some were stored by another delivery meanwhile)."""
    if not rows:
        return []
    statement = insert_or_ignore(session, Message, on=[Message.connection_id, Message.external_id]).returning(Message)
    # Rows as parameters, not as VALUES in the statement: one cached statement, sent in multi-row batches.
    stored = {
        (message.connection_id, message.external_id): message for message in await session.scalars(statement, rows)
    }
    keys = [(row["connection_id"], row["external_id"]) for row in rows]
    return [stored[key] for key in keys if key in stored]


async def _quoted_ids(session: AsyncSession, batch: Sequence[_Received]) -> dict[_MessageKey, int]:
    """Our ids of the stored messages these events quote (messages quoted within the batch come later)."""
    quoted = {
        (received.connection_id, received.event.quoted_id) for received in batch if received.event.quoted_id is not None
    }
    return await _stored_ids(session, quoted)


def _link_quotes_within(messages: list[Message]) -> None:
    """A reply to a message stored in the same INSERT: its id was not known before."""
    ids = {(message.connection_id, message.external_id): message.id for message in messages}
    for message in messages:
        if message.quoted_message_id is None and message.quoted_external_id is not None:
            message.quoted_message_id = ids.get((message.connection_id, message.quoted_external_id))


async def _row_values(
    session: AsyncSession,
    event: MessageReceived,
    ticket: Ticket,
    quoted_ids: dict[_MessageKey, int],
    media_store: MediaStore,
) -> dict[str, Any]:
    contact = ticket.contact
    content = _content_fields(event.content)
    sender = event.sender
    extra = dict(content.extra)
    if event.association is not None and event.association.kind is AssociationKind.ALBUM_ITEM:
        extra[ALBUM_KEY] = event.association.parent_id
        if event.association.index is not None:
            extra[ALBUM_INDEX_KEY] = event.association.index
    sender_name: str | None = None
    if not event.from_me:
        sender_name = sender.push_name or sender.phone
        if contact.is_group and sender.address:
            # Who wrote in the group: needed to quote them, mark their message read or react to it (by LID when
            # WhatsApp hides their number).
            extra["sender_phone"] = sender.address
    return {
        "ticket_id": ticket.id,
        "contact_id": contact.id,
        "connection_id": ticket.connection_id,
        "from_me": event.from_me,
        "body": content.body,
        "body_search": fold(content.body),  # a Core insert: the model's validator does not run
        "type": content.type,
        "extra": extra,
        "reactions": {},
        "quoted_external_id": event.quoted_id,
        "quoted_message_id": quoted_ids.get((ticket.connection_id, event.quoted_id)) if event.quoted_id else None,
        "external_id": event.external_id,
        "sender_name": sender_name[:160] if sender_name else None,
        # Ours or theirs, it is already on WhatsApp: delivery receipts move ours on from here.
        "status": MessageStatus.SENT,
        "sent_at": event.timestamp,
        **await _media_columns(session, event.content, media_store),
    }


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
        if content.data is None and content.ref is None:
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


async def _media_columns(session: AsyncSession, content: Content, media_store: MediaStore) -> dict[str, Any]:
    """A file the engine handed over is saved now (deleted if the row is rolled back); one it can download later
    is `pending`, due at once: the message never waits for its file (`ingest.downloader` fetches it)."""
    columns: dict[str, Any] = {
        "media_path": None,
        "media_mime": None,
        "media_size": None,
        "media_name": None,
        "media_state": None,
        "media_ref": None,
        "media_due_at": None,
    }
    if not isinstance(content, MediaContent):
        return columns
    if content.data is not None:
        stored = await media_store.save(content.data, declared_mime=content.mime)
        on_rollback(session, partial(media_store.delete, stored.path))
        columns.update(media_state=MediaState.READY, **received_file_columns(stored, content.file_name))
        return columns
    columns.update(
        media_mime=content.mime or None,
        media_name=display_name(content.file_name, extension=None),
        media_size=content.size,
    )
    if content.ref is None:
        columns.update(media_state=MediaState.FAILED)
    else:
        columns.update(media_state=MediaState.PENDING, media_ref=content.ref, media_due_at=utcnow())
    return columns


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


async def apply_better_copy(
    session: AsyncSession, *, connection_id: int, event: MessageReceived, media_store: MediaStore
) -> None:
    """An HD copy of a stored photo or video: the stored message gets its file, downloaded like any other (the
    first copy stays shown until then). Without the original, or without a file to download, it is a message of
    its own, never dropped."""
    assert event.association is not None
    original = await _stored_message(session, connection_id, event.association.parent_id)
    content = event.content
    if (
        original is None
        or not isinstance(content, MediaContent)
        or content.ref is None
        or original.type != content.kind.value
    ):
        alone = dataclasses.replace(event, association=None)
        await _store_new_messages(session, [_Received(connection_id, alone)], media_store)
        return
    if original.extra.get(BETTER_COPY_KEY) == event.external_id:
        return  # the same copy delivered again
    original.extra = {**original.extra, BETTER_COPY_KEY: event.external_id}
    original.media_ref = content.ref
    original.media_attempts = 0
    original.media_due_at = utcnow()
    if original.media_path is None:
        original.media_state = MediaState.PENDING
    await record_message_updated(session, original)


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


async def apply_receipt(
    session: AsyncSession, *, connection_id: int, event: Receipt, early_receipts: EarlyReceipts | None = None
) -> list[Message]:
    """Move our messages forward (sent, delivered, read); never backwards. Ids we do not know are kept in
    `early_receipts` when given (a send may be confirmed after its receipts), else ignored.

    A FAILED receipt fails a message that has not reached the phone yet (`pending` or `sent`), with its reason.
    """
    return await apply_receipts(session, connection_id=connection_id, events=[event], early_receipts=early_receipts)


async def apply_receipts(
    session: AsyncSession,
    *,
    connection_id: int,
    events: Sequence[Receipt],
    early_receipts: EarlyReceipts | None = None,
) -> list[Message]:
    """`apply_receipt` for several receipts, in order, with one query for all their messages (a webhook burst of
    statuses, each once a query of its own, was most of what storing it cost)."""
    if not events:
        return []
    ids = {external_id for event in events for external_id in event.external_ids}
    query = (
        select(Message)
        .where(
            Message.connection_id == connection_id,
            Message.external_id.in_(ids),
            Message.from_me.is_(True),
        )
        .order_by(Message.id)
    )
    by_id: dict[str, list[Message]] = {}
    for message in (await session.execute(query)).scalars():
        by_id.setdefault(message.external_id or "", []).append(message)
    # Their tickets in one query too (each announcement names its ticket): a burst of Cloud status webhooks
    # spent a sixth of the API process's CPU reading them one by one.
    ticket_ids = {message.ticket_id for messages in by_id.values() for message in messages}
    tickets = {ticket.id: ticket for ticket in await session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))}
    changed: list[Message] = []
    for event in events:
        found = sorted(
            {
                message.id: message for external_id in event.external_ids for message in by_id.get(external_id, [])
            }.values(),
            key=lambda message: message.id,
        )
        if early_receipts is not None:
            unknown = [external_id for external_id in event.external_ids if external_id not in by_id]
            early_receipts.keep(connection_id, event, unknown)
        for message in found:
            if event.kind == ReceiptKind.FAILED:
                if not _fail_undelivered(message, event.error):
                    continue
            elif not _advance(message, _RECEIPT_STATUS[event.kind], event.timestamp):
                continue
            await record_message_updated(session, message, tickets.get(message.ticket_id))
            changed.append(message)
    return changed


def _advance(message: Message, new_status: MessageStatus, timestamp: datetime) -> bool:
    """A failed message moves on only with proof that it arrived: a late "sent" may be older than its failure."""
    if message.status == MessageStatus.FAILED:
        if new_status == MessageStatus.SENT:
            return False
    elif _STATUS_RANK[message.status] >= _STATUS_RANK[new_status]:
        return False
    message.status = new_status
    message.error = None
    message.next_attempt_at = None
    if message.sent_at is None:
        message.sent_at = timestamp
    return True


def _fail_undelivered(message: Message, error: str | None) -> bool:
    if message.status not in (MessageStatus.PENDING, MessageStatus.SENT):
        return False
    message.status = MessageStatus.FAILED
    message.error = error or "WhatsApp could not deliver this message."
    message.next_attempt_at = None
    return True
