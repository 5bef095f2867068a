"""Outbound delivery rules: which pending message goes next, what exactly is sent, and what a send's outcome
does to the stored message (`pending → sent`, or retried later with backoff, or `failed` with a reason).

Every function runs in the caller's transaction; the dispatcher (`outbox.dispatcher`) strings them together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, Table, bindparam, delete, exists, func, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from zapdesk.contacts.models import Contact
from zapdesk.db.base import utcnow
from zapdesk.engine.events import (
    Chat,
    MediaKind,
    OutgoingMedia,
    OutgoingMessage,
    OutgoingTemplate,
    QuotedMessage,
    SendResult,
    group_address,
)
from zapdesk.errors import Conflict, NotFound
from zapdesk.kit.retry import Backoff
from zapdesk.media.store import MediaMissing, MediaStore
from zapdesk.messages.models import ActionKind, Message, MessageAction, MessageStatus
from zapdesk.messages.service import SIGNATURE_KEY, record_message_updated, record_messages_updated
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.service import get_visible_ticket
from zapdesk.users.models import User

log = logging.getLogger(__name__)

# Inline, not a bound parameter: PostgreSQL only uses the partial outbox index when it sees the literal.
_PENDING: ColumnElement[str] = literal_column("'pending'")
_TEMPLATE: TypeAdapter[OutgoingTemplate] = TypeAdapter(OutgoingTemplate)
# Keyed by plain strings: a message's `type` comes back from the database as one.
_MEDIA_KINDS = {kind.value: kind for kind in MediaKind}


# A couple of seconds after the first failure, doubling up to five minutes.
SEND_BACKOFF = Backoff(first=2.0, cap=300.0)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a failing send is tried again: the next try is stored as `next_attempt_at`."""

    max_attempts: int = 5
    backoff: Backoff = SEND_BACKOFF


@dataclass(frozen=True, slots=True)
class Delivery:
    """One claimed message, ready for `Engine.send(chat, outgoing)`."""

    message_id: int
    chat: Chat
    outgoing: OutgoingMessage


class _Undeliverable(Exception):
    """The message can never be sent as stored (its file is gone): it fails now rather than after retries."""


# --- choosing what goes next -----------------------------------------------------------------------------------


def _sendable(connection_id: int, now: datetime) -> ColumnElement[bool]:
    """Pending on this connection, due, and first in its chat: a later message never overtakes an earlier one
    to the same person, even while the earlier one waits for a retry."""
    return (Message.connection_id == connection_id) & _sendable_anywhere(now)


def _first_pending_in_its_chat() -> ColumnElement[bool]:
    earlier = aliased(Message)
    ahead_in_chat = exists().where(
        earlier.connection_id == Message.connection_id,
        earlier.status == _PENDING,
        earlier.contact_id == Message.contact_id,
        earlier.id < Message.id,
    )
    return (Message.status == _PENDING) & ~ahead_in_chat


# Built once: outboxes ask on every step, and building it (an alias copies every column) costs more than running it.
_FIRST_PENDING_IN_ITS_CHAT = _first_pending_in_its_chat()


def _sendable_anywhere(now: datetime) -> ColumnElement[bool]:
    """Pending, due and first in its chat, on whichever connection it is."""
    return _FIRST_PENDING_IN_ITS_CHAT & or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now)


async def connections_with_due_sends(session: AsyncSession, *, now: datetime | None = None) -> set[int]:
    """The connections with a message or an action to send now: what a worker's sweep wakes the outboxes of,
    instead of each outbox looking by itself."""
    now = now or utcnow()
    messages = select(Message.connection_id).where(_sendable_anywhere(now)).distinct()
    actions = (
        select(MessageAction.connection_id)
        .join(Message, Message.id == MessageAction.message_id)
        .where(_action_due(now))
        .distinct()
    )
    found = set((await session.execute(messages)).scalars())
    return found | set((await session.execute(actions)).scalars())


async def claim_next_delivery(
    session: AsyncSession,
    *,
    connection_id: int,
    new_message_id: Callable[[], str],
    media_store: MediaStore,
    now: datetime | None = None,
) -> Delivery | None:
    """The oldest sendable message of the connection, with its WhatsApp id fixed now; None if nothing is due.

    The id is stored in this transaction, before any send: a resend after a crash reuses it, so WhatsApp
    (and our receipts) see one message, not two. A message that can never be sent is failed on the way.
    """
    claimed = await claim_deliveries(
        session, connection_id=connection_id, new_message_id=new_message_id, media_store=media_store, now=now
    )
    return claimed[0] if claimed else None


async def claim_deliveries(
    session: AsyncSession,
    *,
    connection_id: int,
    new_message_id: Callable[[], str],
    media_store: MediaStore,
    limit: int = 1,
    in_flight: Collection[int] = (),
    now: datetime | None = None,
) -> list[Delivery]:
    """Up to `limit` sendable messages, oldest first, each the first of its chat (so they may go out together),
    leaving out those `in_flight` (being sent now, still pending)."""
    now = now or utcnow()
    deliveries: list[Delivery] = []
    while len(deliveries) < limit:
        query = select(Message).where(_sendable(connection_id, now)).order_by(Message.id)
        skipped = set(in_flight) | {delivery.message_id for delivery in deliveries}
        if skipped:
            query = query.where(Message.id.not_in(skipped))
        messages = list((await session.execute(query.limit(limit - len(deliveries)))).scalars())
        if not messages:
            break
        await _fix_message_ids(session, messages, new_message_id)
        contacts = await _contacts_of(session, messages)
        for message in messages:
            try:
                deliveries.append(await _delivery(session, message, contacts.get(message.contact_id), media_store))
            except _Undeliverable as exc:
                await _fail(session, message, str(exc))
    return deliveries


async def _fix_message_ids(
    session: AsyncSession, messages: Sequence[Message], new_message_id: Callable[[], str]
) -> None:
    """Give each message without a WhatsApp id a new one, in one statement. Only where still unset: should two
    dispatchers ever overlap (a lease changing hands), both send under the one id that won, and WhatsApp sees a
    single message."""
    unset = [message for message in messages if message.external_id is None]
    if not unset:
        return
    table = cast(Table, Message.__table__)
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("message_id"), table.c.external_id.is_(None))
        .values(external_id=bindparam("new_id")),
        [{"message_id": message.id, "new_id": new_message_id()} for message in unset],
    )
    query = select(Message.id, Message.external_id).where(Message.id.in_([message.id for message in unset]))
    stored = {message_id: external_id for message_id, external_id in (await session.execute(query)).all()}
    for message in unset:
        set_committed_value(message, "external_id", stored.get(message.id))


async def _contacts_of(session: AsyncSession, messages: Sequence[Message]) -> dict[int, Contact]:
    ids = {message.contact_id for message in messages}
    return {contact.id: contact for contact in (await session.scalars(select(Contact).where(Contact.id.in_(ids))))}


async def next_attempt_at(session: AsyncSession, *, connection_id: int) -> datetime | None:
    """When the earliest message now waiting for a retry becomes due (the dispatcher sleeps until then)."""
    query = select(func.min(Message.next_attempt_at)).where(
        Message.connection_id == connection_id, Message.status == _PENDING
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _delivery(
    session: AsyncSession, message: Message, contact: Contact | None, media_store: MediaStore
) -> Delivery:
    if contact is None:
        raise _Undeliverable("The contact of this message no longer exists.")
    chat = contact_chat(contact)
    assert message.external_id is not None
    outgoing = OutgoingMessage(
        message_id=message.external_id,
        text=signed(message),
        media=await _media(message, media_store),
        quoted=await _quoted(session, message, contact),
        template=template_of(message),
        forwarded=bool(message.extra.get("forwarded")),
    )
    return Delivery(message_id=message.id, chat=chat, outgoing=outgoing)


def contact_chat(contact: Contact) -> Chat:
    """Where a contact's messages go, written as every engine writes addresses (`engine.events`)."""
    address = group_address(contact.phone) if contact.is_group else contact.phone
    return Chat(address=address, is_group=contact.is_group, name=contact.name)


def signed(message: Message) -> str:
    """The text as WhatsApp gets it: an agent's name in bold on a line of its own above what they wrote."""
    name = message.extra.get(SIGNATURE_KEY)
    if not isinstance(name, str) or not name or not message.body:
        return message.body
    return f"*{name}:*\n{message.body}"


async def _media(message: Message, media_store: MediaStore) -> OutgoingMedia | None:
    if message.media_path is None:
        return None
    try:
        data = await media_store.read(message.media_path)
    except (MediaMissing, OSError) as exc:
        raise _Undeliverable("The attached file is no longer in storage; attach it again.") from exc
    return OutgoingMedia(
        kind=_MEDIA_KINDS.get(str(message.type), MediaKind.DOCUMENT),
        data=data,
        mime=message.media_mime or "application/octet-stream",
        file_name=message.media_name,
        seconds=message.extra.get("seconds"),
    )


def template_of(message: Message) -> OutgoingTemplate | None:
    """The Cloud API template a message was queued with (see `messages.service.Outbound.template`)."""
    stored = message.extra.get("template")
    if not isinstance(stored, dict):
        return None
    try:
        return _TEMPLATE.validate_python(stored)
    except ValidationError:
        log.warning("message %s holds a template we cannot read; sent as text", message.id)
        return None


async def _quoted(session: AsyncSession, message: Message, contact: Contact) -> QuotedMessage | None:
    if message.quoted_message_id is None:
        return None
    quoted = await session.get(Message, message.quoted_message_id)
    if quoted is None or quoted.external_id is None:
        return None  # never reached WhatsApp, or deleted since: send without the quote rather than not at all
    sender_phone: str | None = None
    if not quoted.from_me:
        # In a group the quoted author is one member, kept on the message when it arrived.
        sender_phone = group_author(quoted) if contact.is_group else contact.phone
    return QuotedMessage(external_id=quoted.external_id, sender_phone=sender_phone, text=quoted.body)


# --- outcomes of a send ------------------------------------------------------------------------------------


async def mark_sent_many(session: AsyncSession, outcomes: Sequence[tuple[int, SendResult]]) -> list[Message]:
    """`mark_sent` for several messages that came back together: read with their tickets in one query, announced
    after one flush."""
    query = (
        select(Message, Ticket)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(Message.id.in_([message_id for message_id, _ in outcomes]))
    )
    rows = (await session.execute(query.execution_options(populate_existing=True))).all()
    stored = {message.id: message for message, _ in rows}
    changed = [_sent(stored[message_id], result) for message_id, result in outcomes if message_id in stored]
    await record_messages_updated(session, changed, {ticket.id: ticket for _, ticket in rows})
    return changed


async def mark_sent(session: AsyncSession, *, message_id: int, result: SendResult) -> Message | None:
    """WhatsApp took the message. A receipt that already moved it further is left alone."""
    message = await session.get(Message, message_id, populate_existing=True)
    if message is None:
        return None  # its ticket was deleted while it was on the way
    await record_message_updated(session, _sent(message, result))
    return message


def _sent(message: Message, result: SendResult) -> Message:
    if message.external_id != result.external_id:
        # The engine could not use the id we chose; receipts will name the one it used.
        message.external_id = result.external_id
    if message.sent_at is None or message.status in (MessageStatus.PENDING, MessageStatus.FAILED):
        message.sent_at = result.timestamp
    if message.status in (MessageStatus.PENDING, MessageStatus.FAILED):
        message.status = MessageStatus.SENT
        message.error = None
        message.next_attempt_at = None
    return message


async def hold_unconfirmed(session: AsyncSession, *, message_id: int, until: datetime) -> Message | None:
    """A send that WhatsApp has not answered yet: the message stays pending, and is not tried again before `until`
    (the answer, when it comes, settles it). Not a failed attempt."""
    message = await session.get(Message, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.PENDING:
        return message
    message.error = "WhatsApp has not confirmed this message yet."
    message.next_attempt_at = until
    await record_message_updated(session, message)
    return message


async def record_failure(
    session: AsyncSession,
    *,
    message_id: int,
    error: str,
    retryable: bool,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> Message | None:
    """A send did not work: try again later (capped exponential backoff), or give up with a readable reason."""
    message = await session.get(Message, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.PENDING:
        return message
    message.send_attempts += 1
    if retryable and message.send_attempts < policy.max_attempts:
        message.error = error
        message.next_attempt_at = (now or utcnow()) + timedelta(seconds=policy.backoff.delay(message.send_attempts))
        await record_message_updated(session, message)
        return message
    reason = error if not retryable else f"{error} (gave up after {message.send_attempts} attempts)"
    await _fail(session, message, reason)
    return message


async def record_throttled(
    session: AsyncSession, *, message_id: int, reason: str, retry_after: float, now: datetime | None = None
) -> Message | None:
    """The network asked us to slow down: not a failed attempt, the message waits `retry_after` seconds."""
    message = await session.get(Message, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.PENDING:
        return message
    message.next_attempt_at = (now or utcnow()) + timedelta(seconds=retry_after)
    message.error = f"Waiting: {reason}"
    await record_message_updated(session, message)
    return message


async def _fail(session: AsyncSession, message: Message, reason: str) -> None:
    log.info("message %s failed: %s", message.id, reason)
    message.status = MessageStatus.FAILED
    message.error = reason
    message.next_attempt_at = None
    await record_message_updated(session, message)


# --- reactions and read marks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionDelivery:
    """A claimed reaction, read mark, edit or deletion, ready for the engine method of its kind."""

    action_id: int
    kind: ActionKind
    chat: Chat
    external_id: str
    emoji: str
    text: str  # an edit's new text
    target_from_me: bool
    # In a group, the member who wrote the message (whatsmeow needs them to mark it read or react to it).
    author: str | None = None


def group_author(message: Message) -> str | None:
    """The member who wrote a group message, as WhatsApp addresses them (a number, or `<lid>@lid`)."""
    author = message.extra.get("sender_phone")
    return author if isinstance(author, str) and not message.from_me else None


def _action_due(now: datetime) -> ColumnElement[bool]:
    """Due now, and on a message that went out already (one still on its way waits for it)."""
    return (
        or_(MessageAction.next_attempt_at.is_(None), MessageAction.next_attempt_at <= now)
        & (Message.status != MessageStatus.PENDING)
        & Message.external_id.is_not(None)
    )


async def claim_actions(
    session: AsyncSession, *, connection_id: int, limit: int = 20, now: datetime | None = None
) -> list[ActionDelivery]:
    """Due actions of the connection, oldest first; those on a message of ours still on its way wait for it.
    Typing indicators past their expiry are dropped untold: said late, they would be false."""
    now = now or utcnow()
    await session.execute(
        delete(MessageAction).where(
            MessageAction.connection_id == connection_id,
            MessageAction.expires_at.is_not(None),
            MessageAction.expires_at < now,
        )
    )
    query = (
        select(MessageAction, Message, Contact)
        .join(Message, Message.id == MessageAction.message_id)
        .join(Contact, Contact.id == Message.contact_id)
        .where(MessageAction.connection_id == connection_id, _action_due(now))
        .order_by(MessageAction.id)
        .limit(limit)
    )
    return [
        ActionDelivery(
            action_id=action.id,
            kind=action.kind,
            chat=contact_chat(contact),
            external_id=message.external_id or "",
            emoji=action.emoji,
            text=action.text,
            target_from_me=message.from_me,
            author=group_author(message) if contact.is_group else None,
        )
        for action, message, contact in (await session.execute(query)).all()
    ]


async def action_done(session: AsyncSession, *, action_id: int) -> None:
    await session.execute(delete(MessageAction).where(MessageAction.id == action_id))


async def action_failed(
    session: AsyncSession,
    *,
    action_id: int,
    error: str,
    retryable: bool,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> None:
    """Try a failed reaction or read mark again later, or give it up: nobody waits on it as on a message."""
    action = await session.get(MessageAction, action_id)
    if action is None:
        return
    action.attempts += 1
    if retryable and action.attempts < policy.max_attempts:
        action.next_attempt_at = (now or utcnow()) + timedelta(seconds=policy.backoff.delay(action.attempts))
        return
    log.info("%s on message %s given up: %s", action.kind, action.message_id, error)
    await session.delete(action)


# --- a person asks to try again ----------------------------------------------------------------------------


async def retry_message(session: AsyncSession, user: User, message_id: int) -> Message:
    """Queue a failed message again (same WhatsApp id, so a send that did get through is not doubled)."""
    message = await session.get(Message, message_id, populate_existing=True)
    if message is not None:
        try:
            await get_visible_ticket(session, user, message.ticket_id, lock=True)
        except NotFound:
            message = None
    if message is None:
        raise NotFound("There is no message with this id that you can see.", code="message_not_found")
    await session.refresh(message)
    if not message.from_me or message.status != MessageStatus.FAILED:
        raise Conflict(f"Only a failed message can be sent again; this one is {message.status}.", code="not_failed")
    message.status = MessageStatus.PENDING
    message.error = None
    message.send_attempts = 0
    message.next_attempt_at = None
    await record_message_updated(session, message)
    return message
