"""Queries on tickets: loading one with its contact, the active one of a conversation, the filtered list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload

from zapdesk.connections.models import connection_queues
from zapdesk.contacts.repository import LIKE_ESCAPE, contact_search_clause, contains_pattern
from zapdesk.db.folding import fold
from zapdesk.messages.models import Message
from zapdesk.queues.models import Queue
from zapdesk.tags.models import ticket_tags
from zapdesk.tickets.access import visible_tickets_clause
from zapdesk.tickets.models import Ticket, TicketStatus, parse_protocol
from zapdesk.tickets.schemas import AssigneeFilter
from zapdesk.users.models import User

ACTIVE_STATUSES = (TicketStatus.OPEN, TicketStatus.PENDING)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TicketFilters:
    status: TicketStatus | None = None
    queue_id: int | None = None
    connection_id: int | None = None
    assignee: AssigneeFilter = AssigneeFilter.ANY
    search: str | None = None
    tag_id: int | None = None
    contact_id: int | None = None
    rating: int | None = None


def _with_contact() -> Select[Ticket]:
    return select(Ticket).options(joinedload(Ticket.contact, innerjoin=True))


async def get_ticket(session: AsyncSession, ticket_id: int, *, lock: bool = False) -> Ticket | None:
    """One ticket with its contact; `lock` holds the row (PostgreSQL) so concurrent changes queue up."""
    query = _with_contact().where(Ticket.id == ticket_id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update(of=Ticket)
    return (await session.execute(query)).scalar_one_or_none()


async def active_ticket(
    session: AsyncSession, *, contact_id: int, connection_id: int, other_than: int | None = None, lock: bool = False
) -> Ticket | None:
    """The open-or-pending ticket of this contact on this connection (the index allows at most one); `lock` as
    in `get_ticket`."""
    query = _with_contact().where(
        Ticket.contact_id == contact_id,
        Ticket.connection_id == connection_id,
        Ticket.status.in_(ACTIVE_STATUSES),
    )
    if other_than is not None:
        query = query.where(Ticket.id != other_than)
    if lock:
        query = query.with_for_update(of=Ticket)
    return (await session.execute(query.execution_options(populate_existing=True))).scalars().first()


async def latest_ticket(session: AsyncSession, *, contact_id: int, connection_id: int) -> Ticket | None:
    """The contact's most recent ticket on the connection, whatever its status."""
    query = (
        _with_contact()
        .where(Ticket.contact_id == contact_id, Ticket.connection_id == connection_id)
        .order_by(Ticket.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalars().first()


async def active_tickets(
    session: AsyncSession, *, contact_ids: set[int], connection_id: int, lock: bool = False
) -> list[Ticket]:
    """`active_ticket` for many contacts at once; locked in id order, as every caller locks many."""
    query = (
        _with_contact()
        .where(
            Ticket.contact_id.in_(contact_ids),
            Ticket.connection_id == connection_id,
            Ticket.status.in_(ACTIVE_STATUSES),
        )
        .order_by(Ticket.id)
    )
    if lock:
        query = query.with_for_update(of=Ticket)
    return list((await session.execute(query.execution_options(populate_existing=True))).scalars())


async def connection_queue_ids(session: AsyncSession, connection_id: int, *, limit: int | None = None) -> list[int]:
    """The connection's queues in the order `Connection.queues` lists them (menu order)."""
    query = (
        select(Queue.id)
        .join(connection_queues, connection_queues.c.queue_id == Queue.id)
        .where(connection_queues.c.connection_id == connection_id)
        .order_by(Queue.order, Queue.name)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


def tickets_page_query(
    user: User, filters: TicketFilters, *, after: tuple[datetime, int] | None, limit: int
) -> Select[Ticket]:
    """What `user` may see, newest activity first, one page past the keyset `after` (plus one row)."""
    query = select(Ticket).join(Ticket.contact).options(contains_eager(Ticket.contact))
    if filters.search:
        # A ticket matches by its contact or by the text of a message. Each way has its own fast plan (a walk down
        # the activity index probing each ticket when matches are common, an index of the matches when they are
        # rare); an OR across both would leave the planner neither. So each way yields its own first page and
        # the page is taken from their union.
        by_contact = _page_ids(user, filters, after, limit, contact_search_clause(filters.search), join_contact=True)
        body_matches = exists().where(
            Message.ticket_id == Ticket.id,
            Message.body_search.like(contains_pattern(fold(filters.search)), escape=LIKE_ESCAPE),
        )
        by_message = _page_ids(user, filters, after, limit, body_matches, join_contact=False)
        ways = [by_contact, by_message]
        protocol = parse_protocol(filters.search)
        if protocol is not None:
            ways.append(_page_ids(user, filters, after, limit, _has_protocol(*protocol), join_contact=False))
        matching = union(*ways).subquery()
        query = query.where(Ticket.id.in_(select(matching.c.id)))
    else:
        query = _narrowed(query, user, filters, after)
    return query.order_by(*_NEWEST_FIRST).limit(limit + 1)


def _has_protocol(year: int, ticket_id: int) -> ColumnElement[bool]:
    if not 1 <= year <= 9998:
        return false()
    start = datetime(year, 1, 1, tzinfo=UTC)
    return and_(Ticket.id == ticket_id, Ticket.created_at >= start, Ticket.created_at < start.replace(year=year + 1))


_NEWEST_FIRST = (Ticket.last_activity_at.desc(), Ticket.id.desc())


def _narrowed(query: Select[T], user: User, filters: TicketFilters, after: tuple[datetime, int] | None) -> Select[T]:
    """`query` kept to the tickets `user` may see, the filters other than search, and those past `after`."""
    query = query.where(visible_tickets_clause(user))
    if filters.status is not None:
        query = query.where(Ticket.status == filters.status)
    if filters.queue_id is not None:
        query = query.where(Ticket.queue_id == filters.queue_id)
    if filters.connection_id is not None:
        query = query.where(Ticket.connection_id == filters.connection_id)
    if filters.contact_id is not None:
        query = query.where(Ticket.contact_id == filters.contact_id)
    if filters.tag_id is not None:
        tagged = select(ticket_tags.c.ticket_id).where(ticket_tags.c.tag_id == filters.tag_id)
        query = query.where(Ticket.id.in_(tagged))
    if filters.assignee == AssigneeFilter.ME:
        query = query.where(Ticket.assignee_id == user.id)
    elif filters.assignee == AssigneeFilter.NONE:
        query = query.where(Ticket.assignee_id.is_(None))
    if filters.rating is not None:
        query = query.where(Ticket.rating == filters.rating)
    if after is not None:
        activity, ticket_id = after
        query = query.where(
            or_(
                Ticket.last_activity_at < activity,
                and_(Ticket.last_activity_at == activity, Ticket.id < ticket_id),
            )
        )
    return query


def _page_ids(
    user: User,
    filters: TicketFilters,
    after: tuple[datetime, int] | None,
    limit: int,
    matches: ColumnElement[bool],
    *,
    join_contact: bool,
) -> Select[int]:
    """The ids of one page of the tickets for which `matches` holds (wrapped: SQLite takes no LIMIT in a UNION)."""
    query = select(Ticket.id)
    if join_contact:
        query = query.join(Ticket.contact)
    page = _narrowed(query, user, filters, after).where(matches).order_by(*_NEWEST_FIRST).limit(limit + 1).subquery()
    return select(page.c.id)


async def user_exists(session: AsyncSession, user_id: int) -> bool:
    return (await session.execute(select(User.id).where(User.id == user_id))).first() is not None


async def queue_exists(session: AsyncSession, queue_id: int) -> bool:
    return (await session.execute(select(Queue.id).where(Queue.id == queue_id))).first() is not None


async def move_messages(session: AsyncSession, *, from_ticket_id: int, to_ticket_id: int, contact_id: int) -> None:
    """Every message of one ticket into another (of `contact_id`), as one statement."""
    await session.execute(
        update(Message).where(Message.ticket_id == from_ticket_id).values(ticket_id=to_ticket_id, contact_id=contact_id)
    )


async def tickets_of_contact(session: AsyncSession, contact_id: int) -> list[Ticket]:
    query = _with_contact().where(Ticket.contact_id == contact_id).order_by(Ticket.id)
    return list((await session.execute(query.execution_options(populate_existing=True))).scalars())
