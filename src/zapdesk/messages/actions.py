"""What an agent does to a message already in a ticket besides reacting (`service.react`): edit it, delete it
for everyone, forward it.

The change shows at once (the bubble is updated for everyone who sees the ticket); WhatsApp is told through the
outbox's action queue (`MessageAction`), once the message itself has gone, and retried through outages. What an
edit or deletion replaced is kept as a `MessageRevision`, which administrators may read.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.base import utcnow
from zapdesk.errors import Conflict, Forbidden, NotFound
from zapdesk.messages.models import (
    EDIT_WINDOW,
    ActionKind,
    Message,
    MessageRevision,
    MessageStatus,
    MessageType,
)
from zapdesk.messages.schemas import ForwardRequest
from zapdesk.messages.service import (
    from_our_side,
    message_preview,
    messages_added,
    queue_action,
    record_message_updated,
)
from zapdesk.messages.window import ensure_free_text_allowed
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.schemas import TicketCreate
from zapdesk.tickets.service import get_visible_ticket, record_ticket_updated, start_conversation
from zapdesk.users.models import User

# Nothing WhatsApp could carry over: a note never left zapdesk; these kinds are not re-sent as they came.
_NOT_FORWARDABLE = {MessageType.NOTE, MessageType.LOCATION, MessageType.CONTACT, MessageType.UNSUPPORTED}
_ON_WHATSAPP = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)


async def edit(session: AsyncSession, user: User, message_id: int, text: str) -> Message:
    """Correct the text of one's own message within WhatsApp's edit window (15 minutes after sending)."""
    message, ticket = await _own_message(session, user, message_id)
    if message.type != MessageType.TEXT:
        raise Conflict("Only text messages can be edited.", code="not_editable")
    if message.sent_at is None or utcnow() - message.sent_at > EDIT_WINDOW:
        raise Conflict("WhatsApp only lets a message be edited within 15 minutes of sending it.", code="edit_too_late")
    if text == message.body:
        return message
    session.add(
        MessageRevision(
            message_id=message.id, author_id=user.id, kind=ActionKind.EDIT, previous=message.body, text=text
        )
    )
    queue_action(session, message, ActionKind.EDIT, text=text)
    message.body = text
    message.is_edited = True
    await _announce(session, message, ticket)
    return message


async def delete_for_everyone(session: AsyncSession, user: User, message_id: int) -> Message:
    """Delete one's own message on the customer's phone too; its text is kept only in the history."""
    message, ticket = await _own_message(session, user, message_id)
    if message.is_deleted:
        return message
    session.add(
        MessageRevision(message_id=message.id, author_id=user.id, kind=ActionKind.REVOKE, previous=message.body)
    )
    queue_action(session, message, ActionKind.REVOKE)
    message.body = ""
    message.is_deleted = True
    await _announce(session, message, ticket)
    return message


async def forward(session: AsyncSession, user: User, data: ForwardRequest) -> tuple[Ticket, list[Message]]:
    """Copies of messages the user can see, sent to another contact: in that contact's active ticket on the
    connection (reused, or opened for the user), marked forwarded on WhatsApp."""
    sources = [await _forwardable(session, user, message_id) for message_id in data.message_ids]
    connection_id = data.connection_id or sources[0].connection_id
    ticket, _ = await start_conversation(
        session, user, TicketCreate(contact_id=data.contact_id, connection_id=connection_id)
    )
    await ensure_free_text_allowed(session, ticket)
    copies = [_copy(source, ticket, user) for source in sources]
    session.add_all(copies)
    await messages_added(session, [(ticket, copies)])
    return ticket, copies


async def message_history(session: AsyncSession, user: User, message_id: int) -> list[MessageRevision]:
    """The edits and deletions made to a message, oldest first, with the texts they replaced."""
    await _visible_message(session, user, message_id)
    query = select(MessageRevision).where(MessageRevision.message_id == message_id).order_by(MessageRevision.id)
    return list((await session.execute(query)).scalars())


# --- rules ------------------------------------------------------------------------------------------------


async def _visible_message(session: AsyncSession, user: User, message_id: int) -> tuple[Message, Ticket]:
    message = await session.get(Message, message_id, populate_existing=True)
    ticket = None
    if message is not None:
        try:
            ticket = await get_visible_ticket(session, user, message.ticket_id, lock=True)
        except NotFound:
            message = None
    if message is None or ticket is None:
        raise NotFound("There is no message with this id that you can see.", code="message_not_found")
    await session.refresh(message)  # as it is now that its ticket is locked
    return message, ticket


async def _own_message(session: AsyncSession, user: User, message_id: int) -> tuple[Message, Ticket]:
    message, ticket = await _visible_message(session, user, message_id)
    if not message.from_me or message.author_id != user.id:
        raise Forbidden("Only the agent who sent a message can edit or delete it.", code="not_your_message")
    if message.type == MessageType.NOTE:
        raise Conflict("An internal note never went to WhatsApp.", code="not_on_whatsapp")
    if message.status not in _ON_WHATSAPP or message.external_id is None:
        raise Conflict("This message has not reached WhatsApp yet.", code="message_not_sent")
    if message.is_deleted:
        raise Conflict("This message was deleted.", code="message_deleted")
    return message, ticket


async def _forwardable(session: AsyncSession, user: User, message_id: int) -> Message:
    message, _ = await _visible_message(session, user, message_id)
    if message.type in _NOT_FORWARDABLE or message.is_deleted:
        raise Conflict("This message cannot be forwarded.", code="not_forwardable")
    return message


def _copy(source: Message, ticket: Ticket, user: User) -> Message:
    return from_our_side(
        ticket,
        author_id=user.id,
        body=source.body,
        type=source.type,
        status=MessageStatus.PENDING,
        sender_name=user.name,
        media_path=source.media_path,
        media_mime=source.media_mime,
        media_name=source.media_name,
        media_size=source.media_size,
        extra={"forwarded": True},
    )


async def _announce(session: AsyncSession, message: Message, ticket: Ticket) -> None:
    """`message.updated`, and the ticket's preview when this is its latest message."""
    await record_message_updated(session, message, ticket)
    if ticket.last_message_at == (message.sent_at or message.created_at):
        ticket.last_message_preview = message_preview(message)
        await record_ticket_updated(session, ticket)
