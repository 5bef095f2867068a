"""Sending for automations: find (or create) the contact and its ticket, then queue the message in the outbox like
an agent's reply. Idempotent by `client_id` per connection and number.

What a message from the API does to the inbox follows the `send_api_opens_ticket` setting: on (the default) it
opens the contact's ticket as pending, so the team sees the conversation; off, it is sent without touching the
inbox — into the contact's active ticket if there is one, else its latest (closed) ticket, else a new closed one.
"""

from __future__ import annotations

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.cloud.schemas import TemplateMessageCreate
from zapdesk.cloud.service import render_for_ticket
from zapdesk.config import Settings
from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.contacts.service import find_or_create_contact
from zapdesk.db.base import utcnow
from zapdesk.errors import Invalid, NotFound, PayloadTooLarge
from zapdesk.kit.addresses import check_literal, check_url, guarded_session
from zapdesk.kit.phones import normalize_phone
from zapdesk.media.service import store_attachment
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.messages.service import Attachment, Outbound, queue_outbound
from zapdesk.send_api.schemas import SendMessageIn
from zapdesk.settings.service import SEND_API_OPENS_TICKET, get_setting
from zapdesk.tickets import repository as tickets
from zapdesk.tickets.history import service as history
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.tickets.service import find_or_create_active_ticket, record_ticket_created

DOWNLOAD_SECONDS = 30.0


async def send_message(
    session: AsyncSession,
    settings: Settings,
    data: SendMessageIn,
    *,
    sender: str,
    upload: tuple[bytes, str | None] | None = None,
) -> tuple[Message, bool]:
    """Queue `data` for its number on its connection; `False` (and the first message) for a repeated `client_id`."""
    connection = await _connection(session, data)
    phone = normalize_phone(data.number)
    contact = await find_or_create_contact(session, phone=phone, name=data.name)
    if data.client_id is not None:
        earlier = await _sent_before(session, connection.id, contact.id, data.client_id)
        if earlier is not None:
            return earlier, False
    opens_ticket = await get_setting(session, SEND_API_OPENS_TICKET)
    ticket = await _ticket(session, connection, contact, opens_ticket=opens_ticket)
    outbound = Outbound(body=data.body, sender_name=sender, client_id=data.client_id)
    if data.template is not None:
        template = TemplateMessageCreate(**data.template.model_dump())
        rendered = await render_for_ticket(session, ticket, template, agent=sender)
        outbound = Outbound(body=rendered.text, sender_name=sender, client_id=data.client_id, template=rendered.payload)
    attachment = await _attachment(session, settings, data, upload)
    return await queue_outbound(session, ticket, outbound, attachment=attachment, allow_closed=not opens_ticket)


async def _connection(session: AsyncSession, data: SendMessageIn) -> Connection:
    query = select(Connection)
    query = (
        query.where(Connection.id == data.connection_id)
        if data.connection_id
        else query.where(Connection.name == data.connection)
    )
    connection = await session.scalar(query)
    if connection is None:
        raise NotFound("There is no connection with this id or name.", code="connection_not_found")
    return connection


async def _sent_before(session: AsyncSession, connection_id: int, contact_id: int, client_id: str) -> Message | None:
    query = select(Message).where(
        Message.connection_id == connection_id,
        Message.contact_id == contact_id,
        Message.client_id == client_id,
        Message.from_me.is_(True),
    )
    return await session.scalar(query.order_by(Message.id).limit(1))


async def _ticket(session: AsyncSession, connection: Connection, contact: Contact, *, opens_ticket: bool) -> Ticket:
    if opens_ticket:
        ticket, _created = await find_or_create_active_ticket(
            session, contact=contact, connection=connection, opened_by=history.BOT, lock=True
        )
        return ticket
    active = await tickets.active_ticket(session, contact_id=contact.id, connection_id=connection.id, lock=True)
    if active is not None:
        return active
    latest = await session.scalar(
        select(Ticket)
        .where(Ticket.contact_id == contact.id, Ticket.connection_id == connection.id)
        .order_by(Ticket.id.desc())
        .limit(1)
    )
    if latest is not None:
        return latest
    now = utcnow()
    ticket = Ticket(
        contact=contact,
        connection_id=connection.id,
        status=TicketStatus.CLOSED,
        closed_at=now,
        unread_count=0,
        last_activity_at=now,
    )
    session.add(ticket)
    await session.flush()
    await record_ticket_created(session, ticket)
    return ticket


async def _attachment(
    session: AsyncSession, settings: Settings, data: SendMessageIn, upload: tuple[bytes, str | None] | None
) -> Attachment | None:
    media_store = MediaStore(settings.media_dir)
    if upload is not None:
        content, file_name = upload
        return await store_attachment(
            session, content, data.file_name or file_name, media_store=media_store, max_bytes=settings.max_upload_bytes
        )
    if not data.media_url:
        return None
    content = await download(data.media_url, settings)
    name = data.file_name or data.media_url.rsplit("/", 1)[-1].split("?", 1)[0] or None
    return await store_attachment(session, content, name, media_store=media_store, max_bytes=settings.max_upload_bytes)


async def download(url: str, settings: Settings) -> bytes:
    """A file from `url`, never from inside our network unless private targets are allowed."""
    allow_private = bool(settings.allow_private_targets)
    check_literal(check_url(url), allow_private=allow_private)
    limit = settings.max_upload_bytes
    try:
        async with (
            guarded_session(allow_private=allow_private, timeout=DOWNLOAD_SECONDS) as http,
            http.get(url) as response,
        ):
            if response.status >= 400:
                raise Invalid(f"The media URL answered HTTP {response.status}.", code="media_url_failed")
            content = await response.content.read(limit + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise Invalid(
            f"The media URL could not be downloaded: {exc or type(exc).__name__}.", code="media_url_failed"
        ) from exc
    if len(content) > limit:
        raise PayloadTooLarge(f"The file is larger than the {limit // 1_048_576} MiB allowed.", code="file_too_large")
    return content
