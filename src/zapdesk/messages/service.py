"""Rules for messages: they follow their ticket's visibility, move its preview and unread count, and
announce themselves. Outbound messages are stored `pending`; sending them is the outbox's job.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.events import ConnectionRef
from zapdesk.connections.models import Connection
from zapdesk.db.base import utcnow
from zapdesk.db.uow import record_event
from zapdesk.errors import Conflict, NotFound
from zapdesk.hours.calendar import NO_HOURS, ConnectionHours
from zapdesk.kit.conflicts import insert_unless_duplicate
from zapdesk.messages import repository
from zapdesk.messages.events import MessageCreated, MessageUpdated, SendQueued
from zapdesk.messages.models import ActionKind, Message, MessageAction, MessageStatus, MessageType
from zapdesk.messages.schemas import MessageCreate, MessageRead, NoteCreate
from zapdesk.messages.window import ServiceWindow, ensure_free_text_allowed, service_window
from zapdesk.notifications.models import NotificationKind
from zapdesk.notifications.service import notify
from zapdesk.settings.service import AGENT_SIGNATURE, get_setting
from zapdesk.tickets import metrics
from zapdesk.tickets.access import ticket_rooms
from zapdesk.tickets.hours import hours_by_connection
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.tickets.repository import write_ticket_columns
from zapdesk.tickets.service import get_visible_ticket, record_ticket_updated, record_tickets_updated
from zapdesk.users.models import User


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file an agent sends with a message, already stored (by `zapdesk.media`) and typed by its content."""

    type: MessageType
    path: str
    mime: str
    size: int
    name: str | None
    seconds: int | None = None  # a voice note's duration, shown before it is played

    def apply_to(self, message: Message) -> None:
        message.type = self.type
        message.media_path, message.media_mime, message.media_size = self.path, self.mime, self.size
        message.media_name = self.name
        if self.seconds is not None:
            message.extra = {**(message.extra or {}), "seconds": self.seconds}


# Who reacted, when it was us (typed on the business phone or sent by an agent).
OWN_REACTION_KEY = "me"

PREVIEW_LENGTH = 200
# `extra` of an agent's message: the name it goes out signed with on WhatsApp (never shown in the chat's text).
SIGNATURE_KEY = "signature"

_TYPE_PREVIEWS: dict[MessageType, str] = {
    MessageType.IMAGE: "📷 Image",
    MessageType.AUDIO: "🎵 Audio",
    MessageType.VOICE: "🎤 Voice message",
    MessageType.VIDEO: "🎥 Video",
    MessageType.VIDEO_NOTE: "📹 Video note",
    MessageType.DOCUMENT: "📄 Document",
    MessageType.STICKER: "Sticker",
    MessageType.LOCATION: "📍 Location",
    MessageType.CONTACT: "👤 Contact",
    MessageType.UNSUPPORTED: "Unsupported message",
}


# --- events -------------------------------------------------------------------------------------------


def record_message_created(session: AsyncSession, message: Message, ticket: Ticket) -> None:
    """Announce a stored message (flushed already: the payload needs its id and timestamps)."""
    record_event(session, MessageCreated(MessageRead.from_model(message), ticket))
    _wake_outbox_if_pending(session, message)


async def record_message_updated(session: AsyncSession, message: Message, ticket: Ticket | None = None) -> None:
    """Announce a changed message (status, edit, reaction, deletion) to whoever may see its ticket."""
    await session.flush()
    if ticket is None:
        ticket = await session.get(Ticket, message.ticket_id)
        if ticket is None:
            return  # the ticket (and so the message) was deleted in this transaction
    record_event(session, MessageUpdated(MessageRead.from_model(message), ticket))
    _wake_outbox_if_pending(session, message)


def _wake_outbox_if_pending(session: AsyncSession, message: Message) -> None:
    if message.status == MessageStatus.PENDING:
        record_event(session, SendQueued(ConnectionRef(connection_id=message.connection_id)))


async def record_messages_updated(
    session: AsyncSession, messages: Sequence[Message], tickets: Mapping[int, Ticket] | None = None
) -> None:
    """`record_message_updated` for several messages, written in one flush; their tickets are read at once unless
    the caller has them (`tickets`, by id)."""
    if not messages:
        return
    await session.flush()
    if tickets is None:
        ticket_ids = {message.ticket_id for message in messages}
        query = select(Ticket).where(Ticket.id.in_(ticket_ids))
        tickets = {ticket.id: ticket for ticket in await session.scalars(query)}
    for message in messages:
        ticket = tickets.get(message.ticket_id)
        if ticket is not None:
            record_event(session, MessageUpdated(MessageRead.from_model(message), ticket))
            _wake_outbox_if_pending(session, message)


# --- a new message in a ticket ------------------------------------------------------------------------


def from_our_side(ticket: Ticket, **fields: Any) -> Message:
    """A message of `ticket`'s that our side writes (an agent's, a note, a forward, an automation's, a scheduled
    one): the ticket's contact and connection, no reactions yet; `fields` say the rest."""
    return Message(
        ticket_id=ticket.id,
        contact_id=ticket.contact_id,
        connection_id=ticket.connection_id,
        from_me=True,
        reactions={},
        **fields,
    )


def message_preview(message: Message) -> str:
    """One line for the ticket list: the text (or caption), else what kind of message it is."""
    if message.is_deleted:
        return "🚫 Message deleted"
    text = " ".join(message.body.split())
    if text:
        return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"
    if message.type == MessageType.DOCUMENT and message.media_name:
        return f"📄 {message.media_name}"
    return _TYPE_PREVIEWS.get(message.type, "Message")


async def message_added(session: AsyncSession, ticket: Ticket, message: Message) -> None:
    """A message was stored in `ticket` (typed here, or received): see `messages_added`."""
    await messages_added(session, [(ticket, [message])])


async def messages_added(session: AsyncSession, added: Sequence[tuple[Ticket, Sequence[Message]]]) -> None:
    """Messages were stored in these tickets, in this order: move each ticket's preview, activity and unread
    count, record `message.created` for each message and `ticket.updated` once per ticket. Call after adding
    the messages to the session; the tickets are written in one statement."""
    await session.flush()
    answering = {
        ticket.connection_id for ticket, messages in added if any(metrics.may_answer(ticket, each) for each in messages)
    }
    hours = await hours_by_connection(session, answering)
    moved: dict[int, tuple[Ticket, _Moves]] = {}
    for ticket, messages in added:
        _, moves = moved.setdefault(ticket.id, (ticket, _Moves.of(ticket)))
        for message in messages:
            moves.follow(message, hours.get(ticket.connection_id, NO_HOURS))
            record_message_created(session, message, ticket)
    await write_ticket_columns(session, [(ticket, moves.columns()) for ticket, moves in moved.values()])
    await record_tickets_updated(session, [ticket for ticket, _ in moved.values()])


@dataclass(slots=True)
class _Moves:
    """The columns of a ticket that the messages stored in it move, worked out beside the ticket and then written
    for every ticket at once (`write_ticket_columns`)."""

    queue_id: int | None
    last_message_preview: str | None
    last_message_at: datetime | None
    last_activity_at: datetime
    unread_count: int
    message_count: int
    first_customer_message_at: datetime | None
    first_response_seconds: int | None
    business_first_response_seconds: int | None

    @classmethod
    def of(cls, ticket: Ticket) -> _Moves:
        return cls(queue_id=ticket.queue_id, **{name: getattr(ticket, name) for name in _MOVED_COLUMNS})

    def follow(self, message: Message, hours: ConnectionHours) -> None:
        moment = message.sent_at or message.created_at
        # A late-arriving older message (history sync, retries) must not replace a newer preview.
        if self.last_message_at is None or moment >= self.last_message_at:
            self.last_message_preview = message_preview(message)
            self.last_message_at = moment
        self.last_activity_at = max(self.last_activity_at, moment)
        metrics.fix_message(self, message, moment, hours)
        if not message.from_me:
            self.unread_count += 1

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _MOVED_COLUMNS}


_MOVED_COLUMNS = (
    "last_message_preview",
    "last_message_at",
    "last_activity_at",
    "unread_count",
    "message_count",
    "first_customer_message_at",
    "first_response_seconds",
    "business_first_response_seconds",
)


@dataclass(frozen=True, slots=True)
class Outbound:
    """An outbound message to queue in a ticket: who wrote it, what it says, and its idempotency key."""

    body: str
    author_id: int | None = None
    sender_name: str | None = None
    quoted_message_id: int | None = None
    client_id: str | None = None
    # A Cloud API template (`OutgoingTemplate` as JSON): the one kind of message allowed outside the window.
    template: dict[str, Any] | None = None
    # The name it goes out signed with on WhatsApp (`signature_of`); never part of the chat's text.
    signature: str | None = None

    def extra(self) -> dict[str, object]:
        extra: dict[str, object] = {"template": self.template} if self.template is not None else {}
        if self.signature is not None:
            extra[SIGNATURE_KEY] = self.signature
        return extra


async def signature_of(session: AsyncSession, author: User | None) -> str | None:
    """The name `author`'s messages go out signed with, if they sign. Fixed when the message is written: one
    already queued keeps the name it was written under."""
    if author is None or not author.signature or not await get_setting(session, AGENT_SIGNATURE):
        return None
    return author.name


async def post_message(
    session: AsyncSession, user: User, ticket_id: int, data: MessageCreate, *, attachment: Attachment | None = None
) -> tuple[Message, bool]:
    """Store an agent's message as `pending` for the outbox; `False` when `client_id` names an earlier one.

    With an `attachment` (a file already stored by `media.service`), `data.body` is its caption and may be empty.
    """
    # Locked so that two posts on one ticket update its preview one after the other.
    ticket = await get_visible_ticket(session, user, ticket_id, lock=True)
    outbound = Outbound(
        body=data.body,
        author_id=user.id,
        sender_name=user.name,
        quoted_message_id=data.quoted_message_id,
        client_id=data.client_id,
        # A voice note carries no text: nothing to sign.
        signature=None if _is_voice(attachment) else await signature_of(session, user),
    )
    return await queue_outbound(session, ticket, outbound, attachment=attachment)


def _is_voice(attachment: Attachment | None) -> bool:
    return attachment is not None and attachment.type == MessageType.VOICE


async def queue_outbound(
    session: AsyncSession,
    ticket: Ticket,
    outbound: Outbound,
    *,
    attachment: Attachment | None = None,
    allow_closed: bool = False,
) -> tuple[Message, bool]:
    """Store `outbound` in `ticket` (locked by the caller) as `pending`; `False` when its `client_id` names an
    earlier message, which is returned instead. 409 on a closed ticket (unless `allow_closed`: an automation
    writing without touching the inbox), or outside the customer-service window for anything but a template."""
    if outbound.client_id is not None:
        earlier = await repository.message_by_client_id(session, ticket.id, outbound.client_id)
        if earlier is not None:
            return earlier, False
    if ticket.status == TicketStatus.CLOSED and not allow_closed:
        raise Conflict("This ticket is closed. Reopen it to send a message.", code="ticket_closed")
    if outbound.template is None:
        await ensure_free_text_allowed(session, ticket)
    if outbound.quoted_message_id is not None and not await repository.message_in_ticket(
        session, outbound.quoted_message_id, ticket.id
    ):
        raise Conflict("The quoted message is not part of this ticket.", code="unknown_quoted_message")
    message = from_our_side(
        ticket,
        author_id=outbound.author_id,
        body=outbound.body,
        type=MessageType.TEXT,
        status=MessageStatus.PENDING,
        quoted_message_id=outbound.quoted_message_id,
        client_id=outbound.client_id,
        sender_name=outbound.sender_name,
        extra=outbound.extra(),
    )
    if attachment is not None:
        attachment.apply_to(message)
    earlier = await _insert_once(session, message)
    if earlier is not None:
        return earlier, False
    if ticket.choosing_queue:
        # A person answers the customer: the menu stops, and the ticket stays where a person can find it.
        previous_rooms = ticket_rooms(ticket)
        ticket.choosing_queue = False
        await record_ticket_updated(session, ticket, previous_rooms=previous_rooms)
    await message_added(session, ticket, message)
    return message, True


async def _insert_once(session: AsyncSession, message: Message) -> Message | None:
    """Insert `message`; None when done, or the earlier message a concurrent request stored with its client id."""
    if await insert_unless_duplicate(session, message):
        return None
    earlier = await repository.message_by_client_id(session, message.ticket_id, message.client_id or "")
    if earlier is None:
        raise Conflict("This message is being sent by someone else; try again.")
    return earlier


# --- internal notes -----------------------------------------------------------------------------------


async def post_note(session: AsyncSession, user: User, ticket_id: int, data: NoteCreate) -> tuple[Message, bool]:
    """An internal note in a ticket `user` may see, at any status: everyone who sees the ticket sees it; it is
    never sent, never moves the ticket's preview, unread count or activity, and notifies whom it mentions."""
    ticket = await get_visible_ticket(session, user, ticket_id, lock=True)
    if data.client_id is not None:
        earlier = await repository.message_by_client_id(session, ticket.id, data.client_id)
        if earlier is not None:
            return earlier, False
    note = from_our_side(
        ticket,
        author_id=user.id,
        body=data.body,
        type=MessageType.NOTE,
        status=MessageStatus.SENT,
        client_id=data.client_id,
        sender_name=user.name,
        extra={},
        sent_at=utcnow(),
    )
    earlier = await _insert_once(session, note)
    if earlier is not None:
        return earlier, False
    record_message_created(session, note, ticket)
    for mentioned in await mentioned_users(session, note.body):
        if mentioned.id != user.id:
            await notify(
                session,
                user_id=mentioned.id,
                kind=NotificationKind.MENTIONED,
                ticket_id=ticket.id,
                message_id=note.id,
                text=note.body,
                actor=user,
            )
    return note, True


async def mentioned_users(session: AsyncSession, text: str) -> list[User]:
    """The users `text` mentions: `@` and their full name, or their first name when no one else has it."""
    if "@" not in text:
        return []
    users = list((await session.execute(select(User).order_by(User.id))).scalars())
    first_names = Counter(_first_name(user.name) for user in users)
    found = []
    for user in users:
        names = [user.name]
        if first_names[_first_name(user.name)] == 1:
            names.append(_first_name(user.name))
        if any(_mentions(text, name) for name in names if name):
            found.append(user)
    return found


def _first_name(name: str) -> str:
    return name.split()[0].casefold() if name.split() else ""


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w@])@{re.escape(name)}(?!\w)", text, flags=re.IGNORECASE) is not None


# --- reading ------------------------------------------------------------------------------------------


async def read_messages(
    session: AsyncSession, user: User, ticket_id: int, *, limit: int, cursor: str | None
) -> tuple[list[Message], str | None]:
    """A page of the ticket's history in chronological order (newest page first), marking the ticket read."""
    ticket = await get_visible_ticket(session, user, ticket_id)
    page, next_cursor = await repository.messages_page(session, ticket.id, limit=limit, cursor=cursor)
    page.reverse()
    if ticket.unread_count:
        ticket.unread_count = 0
        await record_ticket_updated(session, ticket)
        await _queue_read_mark(session, ticket)
    return page, next_cursor


async def search_messages(
    session: AsyncSession, user: User, ticket_id: int, search: str, *, limit: int, cursor: str | None
) -> tuple[list[Message], str | None]:
    """The ticket's messages whose text holds `search`, newest first (the matches, not the history around them)."""
    ticket = await get_visible_ticket(session, user, ticket_id)
    return await repository.matching_messages_page(session, ticket.id, search, limit=limit, cursor=cursor)


async def read_messages_around(
    session: AsyncSession, user: User, ticket_id: int, message_id: int, *, limit: int
) -> tuple[list[Message], str | None]:
    """The history around one message of the ticket (to jump to it), and the cursor of the page older than it."""
    ticket = await _visible_ticket_holding(session, user, ticket_id, message_id)
    return await repository.messages_around(session, ticket.id, message_id, limit=limit)


async def read_messages_after(
    session: AsyncSession, user: User, ticket_id: int, message_id: int, *, limit: int
) -> tuple[list[Message], bool]:
    """The history after one message (reading on from a jump towards the newest), and whether more follows."""
    ticket = await _visible_ticket_holding(session, user, ticket_id, message_id)
    return await repository.messages_after(session, ticket.id, message_id, limit=limit)


async def _visible_ticket_holding(session: AsyncSession, user: User, ticket_id: int, message_id: int) -> Ticket:
    ticket = await get_visible_ticket(session, user, ticket_id)
    if not await repository.message_in_ticket(session, message_id, ticket.id):
        raise NotFound("This ticket has no message with this id.", code="message_not_found")
    return ticket


# --- telling WhatsApp about messages ------------------------------------------------------------------


def queue_action(
    session: AsyncSession,
    message: Message,
    kind: ActionKind,
    emoji: str = "",
    *,
    text: str = "",
    expires_at: datetime | None = None,
) -> None:
    """Queue a reaction, read mark, edit, deletion or typing indicator for the outbox, leaving with this
    transaction's commit."""
    action = MessageAction(
        connection_id=message.connection_id,
        message_id=message.id,
        kind=kind,
        emoji=emoji,
        text=text,
        expires_at=expires_at,
    )
    session.add(action)
    record_event(session, SendQueued(ConnectionRef(connection_id=message.connection_id)))


async def _queue_read_mark(session: AsyncSession, ticket: Ticket) -> None:
    """The customer sees blue ticks (unless the connection keeps them off): marking the newest message read marks
    the earlier ones too."""
    connection = await session.get(Connection, ticket.connection_id)
    if connection is None or not connection.send_read_receipts:
        return
    newest = await repository.newest_inbound(session, ticket.id)
    if newest is not None:
        queue_action(session, newest, ActionKind.READ)


# A typing indicator older than this is not worth telling: the agent has moved on (WhatsApp itself drops
# "composing" after about 25 s without news, and the browser repeats it every few seconds while typing).
TYPING_LIFETIME = timedelta(seconds=10)


async def tell_typing(session: AsyncSession, user: User, ticket_id: int, *, typing: bool) -> None:
    """The customer sees "digitando…" (or stops seeing it). Goes through the outbox like a read mark, as the
    engine runs in the worker; an indicator the outbox could not tell within `TYPING_LIFETIME` is dropped."""
    ticket = await get_visible_ticket(session, user, ticket_id)
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict("This ticket is closed. Reopen it to send a message.", code="ticket_closed")
    anchor = await repository.newest_in_chat(session, ticket.id)
    if anchor is None:
        return  # nothing ever crossed WhatsApp in this ticket: no chat to type in yet
    kind = ActionKind.TYPING if typing else ActionKind.PAUSED
    now = utcnow()
    if await repository.action_waiting(session, anchor.id, kind, now=now):
        return  # the same indicator is still on its way: however often a client repeats it, one row
    queue_action(session, anchor, kind, expires_at=now + TYPING_LIFETIME)


async def react(session: AsyncSession, user: User, message_id: int, emoji: str) -> Message:
    """Set our reaction on a message (an empty `emoji` removes it) and queue it for WhatsApp."""
    message = await session.get(Message, message_id, populate_existing=True)
    ticket = None
    if message is not None:
        try:
            ticket = await get_visible_ticket(session, user, message.ticket_id, lock=True)
        except NotFound:
            message = None
    if message is None or ticket is None:
        raise NotFound("There is no message with this id that you can see.", code="message_not_found")
    if message.is_deleted or (message.external_id is None and not message.from_me):
        raise Conflict("This message cannot be reacted to.", code="not_reactable")
    reactions = dict(message.reactions)
    if emoji:
        reactions[OWN_REACTION_KEY] = emoji
    else:
        reactions.pop(OWN_REACTION_KEY, None)
    if reactions != message.reactions:
        # A new dict: the JSON column only notices assignment, not changes made inside it.
        message.reactions = reactions
        await record_message_updated(session, message, ticket)
        queue_action(session, message, ActionKind.REACTION, emoji)
    return message


async def ticket_window(session: AsyncSession, user: User, ticket_id: int) -> ServiceWindow:
    return await service_window(session, await get_visible_ticket(session, user, ticket_id))
