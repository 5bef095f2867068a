"""Automatic messages: a connection's greeting on a new ticket, its farewell when a ticket closes.

Both are ordinary `pending` outbound messages with no author, stored in the caller's transaction, so the
outbox sends them like any other and they vanish if that transaction rolls back.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.kit.placeholders import fill_placeholders
from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.messages.window import service_window
from zapdesk.queues.models import Queue
from zapdesk.settings.service import SEND_GREETING_ON_NEW_TICKET, get_setting
from zapdesk.tickets.models import Ticket


def contact_name(contact: Contact) -> str:
    """The contact's name, or the name they chose on WhatsApp when we only know a number."""
    return contact.name if contact.name and contact.name != contact.phone else (contact.push_name or "")


def render_template(template: str, contact: Contact, ticket: Ticket) -> str:
    """Fill `{{name}}` with the contact's name (`contact_name`) and `{{protocol}}` with the ticket's protocol
    number."""
    return fill_placeholders(template, {"name": contact_name(contact), "protocol": ticket.protocol}).strip()


async def queue_greeting(session: AsyncSession, ticket: Ticket) -> Message | None:
    """The greeting for a ticket a customer just opened: the connection's, else its queue's, if any and enabled."""
    if not await get_setting(session, SEND_GREETING_ON_NEW_TICKET):
        return None
    connection = await session.get(Connection, ticket.connection_id)
    template = connection.greeting_message if connection is not None else None
    if not (template and template.strip()) and ticket.queue_id is not None:
        queue = await session.get(Queue, ticket.queue_id)
        template = queue.greeting_message if queue is not None else None
    return await _queue_automatic(session, ticket, template)


async def queue_farewell(session: AsyncSession, ticket: Ticket) -> Message | None:
    """The connection's farewell for a ticket that was just closed, if it has one."""
    connection = await session.get(Connection, ticket.connection_id)
    return await _queue_automatic(session, ticket, connection.farewell_message if connection is not None else None)


async def _queue_automatic(session: AsyncSession, ticket: Ticket, template: str | None) -> Message | None:
    # Imported here: messages.service imports tickets.service, which calls back into this module.
    from zapdesk.messages.service import message_added

    if not template or not template.strip():
        return None
    contact = await session.get(Contact, ticket.contact_id)
    if contact is None or contact.is_group:
        # A greeting posted into a whole group would reach everyone in it, not one customer.
        return None
    body = render_template(template, contact, ticket)
    if not body:
        return None
    if not (await service_window(session, ticket)).is_open():
        return None  # free text cannot reach the customer now (Cloud API after 24 hours)
    message = Message(
        ticket_id=ticket.id,
        contact_id=ticket.contact_id,
        connection_id=ticket.connection_id,
        author_id=None,
        from_me=True,
        body=body,
        type=MessageType.TEXT,
        status=MessageStatus.PENDING,
        extra={"automatic": True},
        reactions={},
    )
    session.add(message)
    await message_added(session, ticket, message)
    return message
