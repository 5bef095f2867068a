"""Scheduled messages: written now, sent later. An agent manages their own (administrators all of them) and may
edit or cancel one until it goes out. When due, a worker turns it into an ordinary `pending` message in the
contact's ticket, and the outbox sends it; from then on its status is that message's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.db.uow import record_event
from zapdesk.errors import Conflict, Invalid, NotFound, field_error
from zapdesk.kit.paging import Keyset
from zapdesk.messages.models import Message, MessageStatus
from zapdesk.messages.service import SIGNATURE_KEY, Attachment, from_our_side, message_added, signature_of
from zapdesk.scheduled.events import ScheduledMessageUpdated
from zapdesk.scheduled.models import ScheduledMessage, ScheduleState
from zapdesk.scheduled.schemas import ScheduledDraft, ScheduledRead, ScheduledUpdate, ScheduleStatus
from zapdesk.templates.engine import render
from zapdesk.tickets import repository as tickets
from zapdesk.tickets.history import service as history
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.service import find_or_create_active_ticket
from zapdesk.tickets.variables import ticket_variables
from zapdesk.users.models import User

# `extra` of the message a schedule became: the schedule it came from.
SCHEDULE_KEY = "scheduled_message_id"
_DELIVERED = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)


# --- reading ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleFilters:
    status: ScheduleStatus | None = None
    connection_id: int | None = None
    contact_id: int | None = None
    after: datetime | None = None  # send_at from
    before: datetime | None = None  # send_at until


def status_of(schedule: ScheduledMessage, message: Message | None) -> tuple[ScheduleStatus, str | None]:
    """Its status and, if it failed, why: once queued, it follows the message it became."""
    if schedule.state != ScheduleState.QUEUED:
        return ScheduleStatus(str(schedule.state)), schedule.error
    if message is None or message.status in _DELIVERED:
        return ScheduleStatus.SENT, None  # a message deleted since had gone out
    if message.status == MessageStatus.FAILED:
        return ScheduleStatus.FAILED, message.error
    return ScheduleStatus.SENDING, None


def _status_clause(status: ScheduleStatus, message: type[Message]) -> ColumnElement[bool]:
    queued = ScheduledMessage.state == ScheduleState.QUEUED
    if status == ScheduleStatus.SENDING:
        return and_(queued, message.status == MessageStatus.PENDING)
    if status == ScheduleStatus.SENT:
        return and_(queued, or_(message.id.is_(None), message.status.in_(_DELIVERED)))
    if status == ScheduleStatus.FAILED:
        return or_(ScheduledMessage.state == ScheduleState.FAILED, and_(queued, message.status == MessageStatus.FAILED))
    return ScheduledMessage.state == ScheduleState(status.value)


def to_read(schedule: ScheduledMessage, contact: Contact, message: Message | None) -> ScheduledRead:
    status, error = status_of(schedule, message)
    return ScheduledRead(
        id=schedule.id,
        connection_id=schedule.connection_id,
        contact_id=schedule.contact_id,
        contact_name=contact.name,
        contact_phone=contact.phone,
        author_id=schedule.author_id,
        body=schedule.body,
        media_name=schedule.media_name,
        media_type=schedule.media_type,
        send_at=schedule.send_at,
        status=status,
        error=error,
        open_ticket=schedule.open_ticket,
        ticket_id=schedule.ticket_id,
        message_id=schedule.message_id,
        created_at=schedule.created_at,
        updated_at=schedule.updated_at,
    )


SOONEST_FIRST = Keyset((ScheduledMessage.send_at, ScheduledMessage.id))


async def list_scheduled(
    session: AsyncSession, user: User, filters: ScheduleFilters, *, limit: int, cursor: str | None
) -> tuple[list[ScheduledRead], str | None]:
    """Soonest first; an agent sees the ones they wrote, an administrator all."""
    message = aliased(Message)
    query = (
        select(ScheduledMessage, Contact, message)
        .join(Contact, Contact.id == ScheduledMessage.contact_id)
        .outerjoin(message, message.id == ScheduledMessage.message_id)
    )
    if not user.is_admin:
        query = query.where(ScheduledMessage.author_id == user.id)
    if filters.status is not None:
        query = query.where(_status_clause(filters.status, message))
    if filters.connection_id is not None:
        query = query.where(ScheduledMessage.connection_id == filters.connection_id)
    if filters.contact_id is not None:
        query = query.where(ScheduledMessage.contact_id == filters.contact_id)
    if filters.after is not None:
        query = query.where(ScheduledMessage.send_at >= filters.after)
    if filters.before is not None:
        query = query.where(ScheduledMessage.send_at <= filters.before)
    if cursor is not None:
        query = query.where(SOONEST_FIRST.after(SOONEST_FIRST.decode(cursor)))
    rows = (await session.execute(query.order_by(*SOONEST_FIRST.order_by()).limit(limit + 1))).all()
    page = [to_read(schedule, contact, sent) for schedule, contact, sent in rows[:limit]]
    return page, SOONEST_FIRST.encode(page[-1]) if len(rows) > limit else None


async def get_scheduled(session: AsyncSession, user: User, schedule_id: int, *, lock: bool = False) -> ScheduledMessage:
    """One the user may see (their own, or any for an administrator); 404 otherwise."""
    query = select(ScheduledMessage).where(ScheduledMessage.id == schedule_id)
    if lock:
        query = query.with_for_update()
    schedule = (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()
    if schedule is None or not (user.is_admin or schedule.author_id == user.id):
        raise NotFound("There is no scheduled message with this id that you can see.", code="scheduled_not_found")
    return schedule


async def read_one(session: AsyncSession, schedule: ScheduledMessage) -> ScheduledRead:
    contact = await session.get(Contact, schedule.contact_id)
    assert contact is not None  # the schedule goes with its contact (ON DELETE CASCADE)
    message = await session.get(Message, schedule.message_id) if schedule.message_id is not None else None
    return to_read(schedule, contact, message)


# --- writing ----------------------------------------------------------------------------------------------------


async def schedule_message(
    session: AsyncSession, user: User, data: ScheduledDraft, *, now: datetime, attachment: Attachment | None = None
) -> ScheduledMessage:
    _ensure_future(data.send_at, now)
    if not data.body and attachment is None:
        raise Invalid("Write the message (or attach a file).", errors=[_empty_body()])
    if await session.get(Contact, data.contact_id) is None:
        raise Invalid("There is no contact with this id.", code="unknown_contact")
    if await session.get(Connection, data.connection_id) is None:
        raise Invalid("There is no connection with this id.", code="unknown_connection")
    schedule = ScheduledMessage(
        connection_id=data.connection_id,
        contact_id=data.contact_id,
        author_id=user.id,
        body=data.body,
        send_at=data.send_at,
        state=ScheduleState.SCHEDULED,
        open_ticket=data.open_ticket,
    )
    if attachment is not None:
        schedule.media_type = attachment.type.value
        schedule.media_path, schedule.media_mime, schedule.media_size = (
            attachment.path,
            attachment.mime,
            attachment.size,
        )
        schedule.media_name = attachment.name
    session.add(schedule)
    await session.flush()
    await _record_updated(session, schedule)
    return schedule


async def update_scheduled(
    session: AsyncSession, user: User, schedule_id: int, data: ScheduledUpdate, *, now: datetime
) -> ScheduledMessage:
    schedule = await _still_scheduled(session, user, schedule_id)
    if data.send_at is not None:
        _ensure_future(data.send_at, now)
        schedule.send_at = data.send_at
    if data.body is not None:
        if not data.body and schedule.media_path is None:
            raise Invalid("Write the message.", errors=[_empty_body()])
        schedule.body = data.body
    if data.open_ticket is not None:
        schedule.open_ticket = data.open_ticket
    await session.flush()
    await _record_updated(session, schedule)
    return schedule


async def cancel_scheduled(session: AsyncSession, user: User, schedule_id: int) -> ScheduledMessage:
    schedule = await _still_scheduled(session, user, schedule_id)
    schedule.state = ScheduleState.CANCELLED
    await session.flush()
    await _record_updated(session, schedule)
    return schedule


async def _still_scheduled(session: AsyncSession, user: User, schedule_id: int) -> ScheduledMessage:
    # Locked: the worker sending it at this moment and this change must not both win.
    schedule = await get_scheduled(session, user, schedule_id, lock=True)
    if schedule.state != ScheduleState.SCHEDULED:
        raise Conflict(
            f"This message is {schedule.state} already and can no longer change.", code="scheduled_not_pending"
        )
    return schedule


def _empty_body() -> dict[str, object]:
    return field_error(("body", "body"), "missing", "write the message")


def _ensure_future(send_at: datetime, now: datetime) -> None:
    if send_at <= now:
        raise Invalid(
            "The time to send it has passed already.",
            errors=[field_error(("body", "send_at"), "send_at_in_past", "choose a time in the future")],
        )


async def _record_updated(session: AsyncSession, schedule: ScheduledMessage) -> None:
    await session.flush()
    record_event(session, ScheduledMessageUpdated(await read_one(session, schedule), schedule.author_id))


# --- sending when due (the worker) -----------------------------------------------------------------------------


async def send_due(session: AsyncSession, *, now: datetime, limit: int) -> int:
    """Turn the due schedules this transaction claims into pending messages; how many it claimed.

    Claimed FOR UPDATE SKIP LOCKED (PostgreSQL): with several workers each goes out once, and a worker that
    dies before its commit leaves them scheduled for the next one.
    """
    query = (
        select(ScheduledMessage)
        .where(ScheduledMessage.state == ScheduleState.SCHEDULED, ScheduledMessage.send_at <= now)
        .order_by(ScheduledMessage.send_at, ScheduledMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    due = list((await session.execute(query)).scalars())
    for schedule in due:
        await _send(session, schedule, now)
    return len(due)


async def next_due(session: AsyncSession) -> datetime | None:
    query = select(ScheduledMessage.send_at).where(ScheduledMessage.state == ScheduleState.SCHEDULED)
    return (await session.execute(query.order_by(ScheduledMessage.send_at).limit(1))).scalar()


async def _send(session: AsyncSession, schedule: ScheduledMessage, now: datetime) -> None:
    ticket = await _ticket_for(session, schedule)
    if ticket is None:
        schedule.state = ScheduleState.FAILED
        schedule.error = "The contact or the connection no longer exists."
    else:
        author = await session.get(User, schedule.author_id) if schedule.author_id is not None else None
        message = from_our_side(
            ticket,
            author_id=schedule.author_id,
            body=render(schedule.body, await ticket_variables(session, ticket, now=now)),
            type=schedule.media_type or "text",
            media_path=schedule.media_path,
            media_mime=schedule.media_mime,
            media_name=schedule.media_name,
            media_size=schedule.media_size,
            status=MessageStatus.PENDING,
            sender_name=author.name if author is not None else None,
            extra=await _extra(session, schedule, author),
        )
        session.add(message)
        await message_added(session, ticket, message)
        schedule.state, schedule.message_id, schedule.ticket_id = ScheduleState.QUEUED, message.id, ticket.id
    await _record_updated(session, schedule)


async def _ticket_for(session: AsyncSession, schedule: ScheduledMessage) -> Ticket | None:
    """The contact's active ticket on the connection; else a new one (theirs), or their latest if asked so."""
    contact = await session.get(Contact, schedule.contact_id)
    connection = await session.get(Connection, schedule.connection_id)
    if contact is None or connection is None:
        return None
    if not schedule.open_ticket:
        latest = await tickets.latest_ticket(session, contact_id=contact.id, connection_id=connection.id)
        if latest is not None:
            return latest
    author = await session.get(User, schedule.author_id) if schedule.author_id is not None else None
    opened_by = history.by_user(author.id) if author is not None else history.BOT
    ticket, _created = await find_or_create_active_ticket(
        session, contact=contact, connection=connection, opened_by=opened_by, assignee=author, lock=True
    )
    return ticket


async def _extra(session: AsyncSession, schedule: ScheduledMessage, author: User | None) -> dict[str, object]:
    """The message's `extra`: the schedule it came from, and the name it goes out signed with."""
    signature = await signature_of(session, author)
    return {SCHEDULE_KEY: schedule.id} | ({SIGNATURE_KEY: signature} if signature is not None else {})
