"""Queries on tickets: loading one with its contact, the active one of a conversation, the filtered list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    SQLColumnExpression,
    Text,
    and_,
    column,
    exists,
    false,
    func,
    select,
    table,
    tuple_,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from zapdesk.connections.models import connection_queues
from zapdesk.contacts.models import Contact
from zapdesk.contacts.repository import contact_search_clause
from zapdesk.db.among import among
from zapdesk.db.base import utcnow
from zapdesk.db.fulltext import message_text_matches
from zapdesk.kit.paging import Keyset, KeyValue
from zapdesk.kit.upserts import insert_or_update
from zapdesk.queues.models import Queue
from zapdesk.tags.models import ticket_tags
from zapdesk.tickets.access import visible_tickets_clause
from zapdesk.tickets.metrics import QueueTime
from zapdesk.tickets.models import Ticket, TicketQueueTime, TicketStatus, parse_protocol
from zapdesk.tickets.schemas import AssigneeFilter
from zapdesk.users.models import User

ACTIVE_STATUSES = (TicketStatus.OPEN, TicketStatus.PENDING)
T = TypeVar("T")

# The columns of the messages table that ticket search reads and a merge of two contacts moves, named as a
# foreign key names a table: the messages package builds on tickets, so tickets do not import it.
_MESSAGES = table(
    "messages",
    column("id", BigInteger),
    column("ticket_id", BigInteger),
    column("contact_id", BigInteger),
    column("body_search", Text),
)


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


async def lock_tickets(session: AsyncSession, ticket_ids: Iterable[int]) -> dict[int, Ticket]:
    """Several tickets with their contacts, their rows held (PostgreSQL) until commit: one query, locked in id
    order, as every transaction that locks several tickets should, so that none waits on another in a circle."""
    query = (
        _with_contact()
        .where(Ticket.id.in_(sorted(set(ticket_ids))))
        .order_by(Ticket.id)
        .with_for_update(of=Ticket)
        .execution_options(populate_existing=True)
    )
    return {ticket.id: ticket for ticket in (await session.execute(query)).scalars()}


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
    session: AsyncSession, *, conversations: Sequence[tuple[Contact, int]], lock: bool = False
) -> list[Ticket]:
    """`active_ticket` for many `(contact, connection_id)` conversations at once; locked in id order, as every
    caller locks many. Each ticket gets the contact given (already loaded: read again, it would reload its tags
    too, one more round trip for every batch of ingest)."""
    if not conversations:
        return []
    contacts = {contact.id: contact for contact, _ in conversations}
    pairs = {(contact.id, connection_id) for contact, connection_id in conversations}
    query = (
        select(Ticket)
        .where(
            # Exact pairs, not a contact's tickets on every connection named: only these rows are locked.
            tuple_(Ticket.contact_id, Ticket.connection_id).in_(pairs),
            Ticket.status.in_(ACTIVE_STATUSES),
        )
        .options(joinedload(Ticket.tags))  # joined in, not a second query (ingest asks every batch)
        .order_by(Ticket.id)
    )
    if lock:
        query = query.with_for_update(of=Ticket)
    result = await session.execute(query.execution_options(populate_existing=True))
    tickets = list(result.unique().scalars())
    for ticket in tickets:
        set_committed_value(ticket, "contact", contacts[ticket.contact_id])
    return tickets


async def connection_queue_ids(session: AsyncSession, connection_id: int, *, limit: int | None = None) -> list[int]:
    """The connection's queues in the order `Connection.queues` lists them (menu order)."""
    return (await queue_ids_by_connection(session, {connection_id})).get(connection_id, [])[:limit]


async def queue_ids_by_connection(session: AsyncSession, connection_ids: set[int]) -> dict[int, list[int]]:
    """`connection_queue_ids` for many connections in one query (a connection without queues is left out)."""
    query = (
        select(connection_queues.c.connection_id, Queue.id)
        .join(connection_queues, connection_queues.c.queue_id == Queue.id)
        .where(connection_queues.c.connection_id.in_(connection_ids))
        .order_by(Queue.order, Queue.name)
    )
    found: dict[int, list[int]] = {}
    for connection_id, queue_id in await session.execute(query):
        found.setdefault(connection_id, []).append(queue_id)
    return found


# The ticket list's order: newest activity first.
NEWEST_FIRST = Keyset((Ticket.last_activity_at, Ticket.id), descending=True)

# Search first collects up to this many matching messages (contacts): when no more match, their tickets are looked
# up by id and sorted; when more do, the word is common, and walking the tickets newest first meets a page of
# matches soon. Decided by counting (inside the one query), not by the planner's guess: trigram estimates were off
# tenfold both ways (100,000 tickets / 1,000,000 messages: a walk for a word in 1 message of 700 probed 5,000
# tickets, 20 to 90 ms; counting 2,000 matches of a common word takes under 10 ms).
FEW_MESSAGES = 2000
FEW_CONTACTS = 500


def tickets_page_query(
    user: User, filters: TicketFilters, *, after: Sequence[KeyValue] | None, limit: int
) -> Select[Ticket]:
    """What `user` may see, newest activity first, one page past the keyset `after` (plus one row)."""
    query = select(Ticket).join(Ticket.contact).options(contains_eager(Ticket.contact))
    if filters.search:
        # A ticket matches by its contact, by the text of a message or by its protocol number. An OR across the
        # ways would leave the planner no good plan for any, so each way yields its own first page and the page
        # is taken from their union.
        search = filters.search
        by_contact, by_text, *by_protocol = search_ways(search)
        ways = [
            *_few_or_many(
                user,
                filters,
                after,
                limit,
                hits=select(Contact.id.label("hit")).where(contact_search_clause(search)),
                few=FEW_CONTACTS,
                key=Ticket.contact_id,
                many=by_contact,
                join_contact=True,
            ),
            *_few_or_many(
                user,
                filters,
                after,
                limit,
                hits=select(_MESSAGES.c.ticket_id.label("hit")).where(_text_matches(search)),
                few=FEW_MESSAGES,
                key=Ticket.id,
                many=by_text,
                join_contact=False,
            ),
            *(_page_ids(user, filters, after, limit, way, join_contact=False) for way in by_protocol),
        ]
        matching = union(*ways).subquery()
        query = query.where(Ticket.id.in_(select(matching.c.id)))
    else:
        query = _narrowed(query, user, filters, after)
    return query.order_by(*NEWEST_FIRST.order_by()).limit(limit + 1)


def search_ways(search: str) -> list[ColumnElement[bool]]:
    """The ways a ticket matches a search: first by its contact (needs `Contact` joined), then by the text of a
    message, then by its protocol number when the search reads as one (the ticket report takes the same)."""
    ways = [contact_search_clause(search), exists().where(_MESSAGES.c.ticket_id == Ticket.id, _text_matches(search))]
    protocol = parse_protocol(search)
    if protocol is not None:
        ways.append(_has_protocol(*protocol))
    return ways


def _text_matches(search: str) -> ColumnElement[bool]:
    return message_text_matches(_MESSAGES.c.id, _MESSAGES.c.body_search, search)


def _few_or_many(
    user: User,
    filters: TicketFilters,
    after: Sequence[KeyValue] | None,
    limit: int,
    *,
    hits: Select[Any],
    few: int,
    key: SQLColumnExpression[int],
    many: ColumnElement[bool],
    join_contact: bool,
) -> list[Select[int]]:
    """Two ways to a page of the tickets whose `key` is among `hits`, of which the database takes one: by those
    ids when there are at most `few` of them, else by `many` (the same condition, checked ticket by ticket)."""
    found = hits.limit(few + 1).cte()
    count = select(func.count()).select_from(found).scalar_subquery()
    by_ids = and_(count <= few, among(key, select(found.c.hit)))
    walked = and_(count > few, many)
    return [
        _page_ids(user, filters, after, limit, by_ids, join_contact=False),
        _page_ids(user, filters, after, limit, walked, join_contact=join_contact),
    ]


def _has_protocol(year: int, ticket_id: int) -> ColumnElement[bool]:
    if not 1 <= year <= 9998:
        return false()
    start = datetime(year, 1, 1, tzinfo=UTC)
    return and_(Ticket.id == ticket_id, Ticket.created_at >= start, Ticket.created_at < start.replace(year=year + 1))


def _narrowed(query: Select[T], user: User, filters: TicketFilters, after: Sequence[KeyValue] | None) -> Select[T]:
    """`query` kept to the tickets `user` may see, the filters other than search, and those past `after`."""
    query = query.where(visible_tickets_clause(user), *filter_clauses(filters, user))
    if after is not None:
        query = query.where(NEWEST_FIRST.after(after))
    return query


def filter_clauses(filters: TicketFilters, user: User) -> list[ColumnElement[bool]]:
    """The list's filters other than search, as WHERE clauses (the ticket report takes the same)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.status is not None:
        clauses.append(Ticket.status == filters.status)
    if filters.queue_id is not None:
        clauses.append(Ticket.queue_id == filters.queue_id)
    if filters.connection_id is not None:
        clauses.append(Ticket.connection_id == filters.connection_id)
    if filters.contact_id is not None:
        clauses.append(Ticket.contact_id == filters.contact_id)
    if filters.tag_id is not None:
        tagged = select(ticket_tags.c.ticket_id).where(ticket_tags.c.tag_id == filters.tag_id)
        clauses.append(Ticket.id.in_(tagged))
    if filters.assignee == AssigneeFilter.ME:
        clauses.append(Ticket.assignee_id == user.id)
    elif filters.assignee == AssigneeFilter.NONE:
        clauses.append(Ticket.assignee_id.is_(None))
    if filters.rating is not None:
        clauses.append(Ticket.rating == filters.rating)
    return clauses


def _page_ids(
    user: User,
    filters: TicketFilters,
    after: Sequence[KeyValue] | None,
    limit: int,
    matches: ColumnElement[bool],
    *,
    join_contact: bool,
) -> Select[int]:
    """The ids of one page of the tickets for which `matches` holds (wrapped: SQLite takes no LIMIT in a UNION)."""
    query = select(Ticket.id)
    if join_contact:
        query = query.join(Ticket.contact)
    ordered = _narrowed(query, user, filters, after).where(matches).order_by(*NEWEST_FIRST.order_by())
    page = ordered.limit(limit + 1).subquery()
    return select(page.c.id)


async def user_exists(session: AsyncSession, user_id: int) -> bool:
    return (await session.execute(select(User.id).where(User.id == user_id))).first() is not None


async def queue_exists(session: AsyncSession, queue_id: int) -> bool:
    return (await session.execute(select(Queue.id).where(Queue.id == queue_id))).first() is not None


async def move_messages(session: AsyncSession, *, from_ticket_id: int, to_ticket_id: int, contact_id: int) -> None:
    """Every message of one ticket into another (of `contact_id`), as one statement."""
    await session.execute(
        update(_MESSAGES)
        .where(_MESSAGES.c.ticket_id == from_ticket_id)
        .values(ticket_id=to_ticket_id, contact_id=contact_id)
    )


async def tickets_of_contact(session: AsyncSession, contact_id: int) -> list[Ticket]:
    query = _with_contact().where(Ticket.contact_id == contact_id).order_by(Ticket.id)
    return list((await session.execute(query.execution_options(populate_existing=True))).scalars())


async def add_queue_time(session: AsyncSession, ticket_id: int, stint: QueueTime) -> None:
    """Add a stint that ended to the ticket's time in its queue (the first one makes the row)."""
    values = {"ticket_id": ticket_id, "queue_id": stint.queue_id, "seconds": stint.seconds}
    values["business_seconds"] = stint.business_seconds
    added = {
        "seconds": TicketQueueTime.seconds + stint.seconds,
        "business_seconds": TicketQueueTime.business_seconds + stint.business_seconds,
    }
    on = (TicketQueueTime.ticket_id, TicketQueueTime.queue_id)
    await session.execute(insert_or_update(session, TicketQueueTime, values, on=on, update=added))


async def write_ticket_columns(session: AsyncSession, changes: Sequence[tuple[Ticket, Mapping[str, Any]]]) -> None:
    """Write these columns of these tickets with one executemany UPDATE by primary key. The ORM's bulk UPDATE
    gives the objects in the session the values as stored (no flush writes them again); its flush of a hundred
    changed tickets would cost several times as much, comparing every column of each."""
    if not changes:
        return
    updated_at = utcnow()  # what a flush would set (`onupdate`), given here so that the objects hold it too
    rows = [{"id": ticket.id, **values, "updated_at": updated_at} for ticket, values in changes]
    await session.execute(update(Ticket), rows)
