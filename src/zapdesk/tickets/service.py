"""Rules for tickets: one active ticket per conversation, who may act on it, and the events it sends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Connection as DatabaseConnection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, object_session

from zapdesk.connections.automation import automation_of
from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.contacts.repository import get_contact
from zapdesk.contacts.service import on_absorb
from zapdesk.db.base import utcnow
from zapdesk.db.uow import record_event
from zapdesk.errors import Conflict, NotFound
from zapdesk.kit.conflicts import flush_or_conflict, insert_unless_duplicate
from zapdesk.notifications.models import NotificationKind
from zapdesk.notifications.service import notify
from zapdesk.tags.service import get_tag
from zapdesk.templates.engine import render
from zapdesk.tickets import repository
from zapdesk.tickets.access import can_see, ticket_rooms
from zapdesk.tickets.events import TicketCreated, TicketRemoved, TicketUpdated
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.models import TicketEventKind
from zapdesk.tickets.history.service import Actor
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.tickets.repository import TicketFilters
from zapdesk.tickets.schemas import TicketAction, TicketCreate, TicketRead, TicketTransfer, TicketUpdate
from zapdesk.tickets.variables import ticket_variables
from zapdesk.users.models import User

# --- events -------------------------------------------------------------------------------------------


async def ticket_payload(session: AsyncSession, ticket: Ticket) -> TicketRead:
    """The ticket exactly as the REST API returns it (flushed first, so timestamps are current)."""
    await session.flush()
    return await _flushed_payload(session, ticket)


async def _flushed_payload(session: AsyncSession, ticket: Ticket) -> TicketRead:
    unloaded = inspect(ticket).unloaded & {"contact", "tags"}
    if unloaded:
        await session.refresh(ticket, attribute_names=sorted(unloaded))
    return TicketRead.from_model(ticket)


async def record_ticket_created(session: AsyncSession, ticket: Ticket) -> None:
    record_event(session, TicketCreated(await ticket_payload(session, ticket)))


async def record_ticket_updated(session: AsyncSession, ticket: Ticket, *, previous_rooms: Iterable[str] = ()) -> None:
    """Send the new state to the rooms that may see it now, and `ticket.removed` to those that lost it.

    `previous_rooms` is `ticket_rooms(ticket)` taken before the change. The removal goes first: a socket in
    both a lost room and a new one (an agent who is also the new assignee) then ends up holding the ticket.
    """
    rooms = ticket_rooms(ticket)
    lost = tuple(room for room in previous_rooms if room not in rooms)
    if lost:
        record_ticket_removed(session, ticket.id, lost)
    record_event(session, TicketUpdated(await ticket_payload(session, ticket)))


async def record_tickets_updated(session: AsyncSession, tickets: Iterable[Ticket]) -> None:
    """`record_ticket_updated` for tickets whose rooms stay the same, after one flush for them all."""
    await session.flush()
    for ticket in tickets:
        record_event(session, TicketUpdated(await _flushed_payload(session, ticket)))


def record_ticket_removed(session: AsyncSession, ticket_id: int, rooms: Iterable[str]) -> None:
    """Tell `rooms` to drop a ticket: only its id, since they may no longer see its content."""
    record_event(session, TicketRemoved(ticket_id, tuple(rooms)))


@event.listens_for(Contact, "before_delete")
def _tickets_leave_with_their_contact(_mapper: Mapper[Contact], database: DatabaseConnection, contact: Contact) -> None:
    """The database deletes a contact's tickets with it (ON DELETE CASCADE): tell whoever could see them.

    Contacts know nothing of tickets (tickets build on contacts), so tickets react to the deletion here.
    """
    session = object_session(contact)
    if session is None:
        return
    placed = select(Ticket.id, Ticket.status, Ticket.queue_id, Ticket.assignee_id)
    for ticket in database.execute(placed.where(Ticket.contact_id == contact.id)):
        record_event(session, TicketRemoved(ticket.id, ticket_rooms(ticket)))


# --- reading ------------------------------------------------------------------------------------------


async def get_visible_ticket(session: AsyncSession, user: User, ticket_id: int, *, lock: bool = False) -> Ticket:
    """The ticket, if it exists and `user` may see it; otherwise 404 (its existence is not disclosed)."""
    ticket = await repository.get_ticket(session, ticket_id, lock=lock)
    if ticket is None or not can_see(user, ticket):
        raise NotFound("There is no ticket with this id that you can see.", code="ticket_not_found")
    return ticket


async def list_tickets(
    session: AsyncSession, user: User, filters: TicketFilters, *, limit: int, cursor: str | None
) -> tuple[list[Ticket], str | None]:
    after = repository.NEWEST_FIRST.decode(cursor) if cursor is not None else None
    query = repository.tickets_page_query(user, filters, after=after, limit=limit)
    return repository.NEWEST_FIRST.page((await session.execute(query)).scalars().unique().all(), limit)


# --- one person, two contacts ------------------------------------------------------------------------


async def move_conversations(session: AsyncSession, *, from_contact: Contact, to_contact: Contact) -> None:
    """Every ticket and message of `from_contact` becomes `to_contact`'s (they were the same person). Where both
    have an active ticket on one connection, the messages join `to_contact`'s and the other ticket goes: one
    active ticket per conversation (invariant 2)."""
    for ticket in await repository.tickets_of_contact(session, from_contact.id):
        target = None
        if ticket.status != TicketStatus.CLOSED:
            target = await repository.active_ticket(
                session, contact_id=to_contact.id, connection_id=ticket.connection_id, lock=True
            )
        if target is None:
            target = ticket
            ticket.contact_id = to_contact.id
            session.expire(ticket, ["contact"])
        else:
            _take_activity(target, ticket)
            record_ticket_removed(session, ticket.id, ticket_rooms(ticket))
        await repository.move_messages(
            session, from_ticket_id=ticket.id, to_ticket_id=target.id, contact_id=to_contact.id
        )
        if target is not ticket:
            await session.delete(ticket)
        await record_ticket_updated(session, target)


@on_absorb
async def _conversations_follow_their_person(session: AsyncSession, absorbed: Contact, kept: Contact) -> None:
    await move_conversations(session, from_contact=absorbed, to_contact=kept)


def _take_activity(target: Ticket, merged: Ticket) -> None:
    """`target` now also holds `merged`'s messages: their unread count, and the newest preview of the two."""
    target.unread_count += merged.unread_count
    if merged.last_message_at is not None and (
        target.last_message_at is None or merged.last_message_at > target.last_message_at
    ):
        target.last_message_at = merged.last_message_at
        target.last_message_preview = merged.last_message_preview
    target.last_activity_at = max(target.last_activity_at, merged.last_activity_at)


async def render_for(session: AsyncSession, user: User, ticket_id: int, template: str) -> str:
    """`template` filled for a ticket `user` may see (now, in the workspace's time zone)."""
    ticket = await get_visible_ticket(session, user, ticket_id)
    return render(template, await ticket_variables(session, ticket, now=utcnow()))


# --- the active ticket of a conversation --------------------------------------------------------------


async def find_or_create_active_ticket(
    session: AsyncSession,
    *,
    contact: Contact,
    connection: Connection,
    opened_by: Actor,
    assignee: User | None = None,
    by_customer: bool = False,
    lock: bool = False,
) -> tuple[Ticket, bool]:
    """The open-or-pending ticket of `contact` on `connection`, or a new one; `True` when created.

    A new ticket is pending in the connection's first queue (or none), or, with an `assignee`, open and
    theirs. A customer's new ticket (`by_customer`) on a connection whose menu is on and that serves several
    queues starts without a queue instead, choosing one. Records `ticket.created` and the `created` line of its
    history, by `opened_by`. `lock` holds an existing ticket's row (PostgreSQL) until commit.
    """
    ticket, created = await _find_or_insert_active_ticket(
        session, contact=contact, connection=connection, assignee=assignee, by_customer=by_customer, lock=lock
    )
    if created:
        await record_opening(session, ticket, opened_by)
    return ticket, created


async def record_opening(
    session: AsyncSession, ticket: Ticket, opened_by: Actor, *, message_id: int | None = None
) -> None:
    """The `created` line of a new ticket's history: who opened it, into which queue, by which message."""
    await record_openings(session, [(ticket, opened_by, message_id)])


async def record_openings(session: AsyncSession, openings: Sequence[tuple[Ticket, Actor, int | None]]) -> None:
    """`record_opening` for many new tickets (each with who opened it and the message that did): one flush."""
    if not openings:
        return
    lines = [
        history.Line(
            ticket,
            TicketEventKind.CREATED,
            opened_by,
            message_id=message_id,
            to_queue_id=ticket.queue_id,
            to_user_id=ticket.assignee_id,
            at=ticket.created_at,
        )
        for ticket, opened_by, message_id in openings
    ]
    await history.record_all(session, lines)


async def _find_or_insert_active_ticket(
    session: AsyncSession,
    *,
    contact: Contact,
    connection: Connection,
    assignee: User | None,
    by_customer: bool,
    lock: bool,
) -> tuple[Ticket, bool]:
    """The partial unique index decides races: the insert runs in a SAVEPOINT and a violation means another
    transaction created the ticket first, so we read theirs. Records `ticket.created` for a new ticket."""
    existing = await repository.active_ticket(session, contact_id=contact.id, connection_id=connection.id, lock=lock)
    if existing is not None:
        return existing, False
    queue_ids = await repository.connection_queue_ids(session, connection.id, limit=2)
    ticket = _new_ticket(contact, connection, queue_ids, assignee=assignee, by_customer=by_customer)
    if not await insert_unless_duplicate(session, ticket):
        # Another transaction opened the conversation's ticket first: the partial unique index refused ours.
        winner = await repository.active_ticket(session, contact_id=contact.id, connection_id=connection.id, lock=lock)
        if winner is None:
            raise Conflict("This conversation is being changed by someone else; try again.")
        return winner, False
    await record_ticket_created(session, ticket)
    return ticket, True


def _new_ticket(
    contact: Contact, connection: Connection, queue_ids: Sequence[int], *, assignee: User | None, by_customer: bool
) -> Ticket:
    """A conversation's new ticket: pending in the connection's first queue (`queue_ids`, in menu order), or
    without a queue while its customer chooses one from the menu (never in a group), or open and `assignee`'s."""
    menu = by_customer and assignee is None
    choosing = menu and len(queue_ids) > 1 and not contact.is_group and automation_of(connection).menu.enabled
    now = utcnow()
    return Ticket(
        contact=contact,
        connection_id=connection.id,
        queue_id=None if choosing or not queue_ids else queue_ids[0],
        choosing_queue=choosing,
        assignee_id=assignee.id if assignee is not None else None,
        status=TicketStatus.OPEN if assignee is not None else TicketStatus.PENDING,
        unread_count=0,
        last_activity_at=now,
        created_at=now,
        tags=[],
    )


async def find_or_create_active_tickets(
    session: AsyncSession,
    *,
    conversations: Sequence[tuple[Contact, int]],
    by_customer: Sequence[bool],
    lock: bool = False,
) -> list[tuple[Ticket, bool]]:
    """The active ticket of each conversation (a contact on a connection, by id), in order, created when missing
    (`by_customer` says who wrote each first); one query finds those that exist, whatever their connections, and
    the connections are read only for the conversations that need a new ticket.

    For ingest, which knows the message that opened each new ticket only once it is stored: the caller
    records each new ticket's `created` line with `record_openings`.
    """
    keys = [(contact.id, connection_id) for contact, connection_id in conversations]
    existing = await repository.active_tickets(session, conversations=conversations, lock=lock)
    by_key = {(ticket.contact_id, ticket.connection_id): (ticket, False) for ticket in existing}
    missing: dict[tuple[int, int], tuple[Contact, bool]] = {}
    for key, (contact, _), customer in zip(keys, conversations, by_customer, strict=True):
        if key not in by_key:
            missing.setdefault(key, (contact, customer))  # who wrote first opened it
    if not missing:
        return [by_key[key] for key in keys]
    connections = await _connections_by_id(session, {connection_id for _, connection_id in missing})
    new = [
        ((contact, connections[connection_id]), customer) for (_, connection_id), (contact, customer) in missing.items()
    ]
    by_key |= await _insert_new_conversations(session, new)
    found = []
    for key, (contact, connection_id), customer in zip(keys, conversations, by_customer, strict=True):
        if key not in by_key:
            by_key[key] = await _find_or_insert_active_ticket(
                session,
                contact=contact,
                connection=connections[connection_id],
                assignee=None,
                by_customer=customer,
                lock=lock,
            )
        found.append(by_key[key])
    return found


async def _connections_by_id(session: AsyncSession, ids: set[int]) -> dict[int, Connection]:
    return {
        connection.id: connection
        for connection in await session.scalars(select(Connection).where(Connection.id.in_(ids)))
    }


async def _insert_new_conversations(
    session: AsyncSession, conversations: Sequence[tuple[tuple[Contact, Connection], bool]]
) -> dict[tuple[int, int], tuple[Ticket, bool]]:
    """New tickets for conversations that have none, inserted together (one statement), each placed as
    `find_or_create_active_ticket` would (`True`: by the customer). Nothing when another writer opened one of
    them first: the one-by-one path then finds theirs."""
    if not conversations:
        return {}
    connection_ids = {connection.id for (_contact, connection), _customer in conversations}
    queue_ids = await repository.queue_ids_by_connection(session, connection_ids)
    tickets = [
        _new_ticket(contact, connection, queue_ids.get(connection.id, []), assignee=None, by_customer=customer)
        for (contact, connection), customer in conversations
    ]
    if not await insert_unless_duplicate(session, *tickets):
        return {}
    for ticket in tickets:
        await record_ticket_created(session, ticket)
    return {(ticket.contact_id, ticket.connection_id): (ticket, True) for ticket in tickets}


async def start_conversation(session: AsyncSession, user: User, data: TicketCreate) -> tuple[Ticket, bool]:
    """An agent writes first: reuse the active ticket, or open a new one assigned to them."""
    contact = await get_contact(session, data.contact_id)
    if contact is None:
        raise Conflict("There is no contact with this id.", code="unknown_contact")
    connection = await session.get(Connection, data.connection_id)
    if connection is None:
        raise Conflict("There is no connection with this id.", code="unknown_connection")
    ticket, created = await find_or_create_active_ticket(
        session, contact=contact, connection=connection, opened_by=history.by_user(user.id), assignee=user
    )
    if not can_see(user, ticket):
        raise Conflict(
            "This contact already has an active ticket on this connection, in a queue you are not in.",
            code="ticket_active_elsewhere",
        )
    return ticket, created


# --- changing a ticket --------------------------------------------------------------------------------


async def tag_ticket(session: AsyncSession, user: User, ticket_id: int, tag_id: int, *, tagged: bool) -> Ticket:
    """Put a tag on a ticket `user` may see (`tagged`), or take it off; whoever sees the ticket is told."""
    ticket = await get_visible_ticket(session, user, ticket_id, lock=True)
    tag = await get_tag(session, tag_id)  # a path id: unknown is 404
    others = [item for item in ticket.tags if item.id != tag.id]
    if tagged == (len(others) < len(ticket.tags)):
        return ticket
    ticket.tags = [*others, tag] if tagged else others
    await record_ticket_updated(session, ticket)
    return ticket


async def update_ticket(session: AsyncSession, user: User, ticket_id: int, data: TicketUpdate) -> Ticket:
    """Apply one action (or a transfer given by fields) to a ticket `user` may see, and announce it."""
    action = data.action
    # Locked: two agents accepting the same ticket at once must not both win.
    ticket = await get_visible_ticket(session, user, ticket_id, lock=True)
    actor = history.by_user(user.id)
    if action == TicketAction.CLOSE:
        await close_ticket(session, ticket, actor)
        return ticket
    previous_rooms = ticket_rooms(ticket)
    before = _Placement.of(ticket)
    if action == TicketAction.ACCEPT:
        changed = _accept(ticket, user)
    elif action == TicketAction.REOPEN:
        changed = await _reopen(session, ticket, user)
    else:
        assert isinstance(data, TicketTransfer)
        changed = await _transfer(session, ticket, data)
    if changed:
        await record_ticket_updated(session, ticket, previous_rooms=previous_rooms)
        await before.record_move(session, ticket, _ACTION_EVENTS[action], actor)
        if action == TicketAction.TRANSFER:
            await _tell_new_holder(session, ticket, before, user)
    return ticket


async def _tell_new_holder(session: AsyncSession, ticket: Ticket, before: _Placement, user: User) -> None:
    """A ticket transferred to someone else than who did it: they get a notification."""
    holder = ticket.assignee_id
    if holder is None or holder == before.user_id or holder == user.id:
        return
    await notify(
        session,
        user_id=holder,
        kind=NotificationKind.TRANSFERRED,
        ticket_id=ticket.id,
        text=ticket.contact.name,
        actor=user,
    )


_ACTION_EVENTS = {
    TicketAction.ACCEPT: TicketEventKind.ACCEPTED,
    TicketAction.REOPEN: TicketEventKind.REOPENED,
    TicketAction.TRANSFER: TicketEventKind.TRANSFERRED,
}


@dataclass(frozen=True, slots=True)
class _Placement:
    """Who holds a ticket and in which queue: a history line names what a change moved."""

    user_id: int | None
    queue_id: int | None

    @classmethod
    def of(cls, ticket: Ticket) -> _Placement:
        return cls(ticket.assignee_id, ticket.queue_id)

    async def record_move(self, session: AsyncSession, ticket: Ticket, kind: TicketEventKind, actor: Actor) -> None:
        """The history line of a change from this placement: the users when the holder changed, the queues
        when the queue did (both None: it did not change)."""
        user_moved = ticket.assignee_id != self.user_id
        queue_moved = ticket.queue_id != self.queue_id
        await history.record(
            session,
            ticket,
            kind,
            actor,
            from_user_id=self.user_id if user_moved else None,
            to_user_id=ticket.assignee_id if user_moved else None,
            from_queue_id=self.queue_id if queue_moved else None,
            to_queue_id=ticket.queue_id if queue_moved else None,
        )


async def close_ticket(session: AsyncSession, ticket: Ticket, actor: Actor, *, at: datetime | None = None) -> bool:
    """Close `ticket` (locked by the caller) on behalf of `actor`: history and events (automation, reacting to
    the history line, says goodbye).

    For automation too (`history.BOT`, `history.TIMER`); False when it was closed already.
    """
    previous_rooms = mark_closed(ticket, at)
    if previous_rooms is None:
        return False
    await record_ticket_updated(session, ticket, previous_rooms=previous_rooms)
    await history.record(session, ticket, TicketEventKind.CLOSED, actor, at=at)
    return True


def _accept(ticket: Ticket, user: User) -> bool:
    if ticket.status == TicketStatus.OPEN and ticket.assignee_id == user.id:
        return False
    if ticket.status != TicketStatus.PENDING:
        raise Conflict(f"Only a pending ticket can be accepted; this one is {ticket.status}.", code="not_pending")
    ticket.status = TicketStatus.OPEN
    ticket.assignee_id = user.id
    ticket.choosing_queue = False  # a person took over: the menu stops
    return True


async def _reopen(session: AsyncSession, ticket: Ticket, user: User) -> bool:
    if ticket.status != TicketStatus.CLOSED:
        raise Conflict(f"Only a closed ticket can be reopened; this one is {ticket.status}.", code="not_closed")
    conflict = Conflict(
        "This contact already has another active ticket on this connection; continue that one instead.",
        code="active_ticket_exists",
    )
    other = await repository.active_ticket(
        session, contact_id=ticket.contact_id, connection_id=ticket.connection_id, other_than=ticket.id
    )
    if other is not None:
        raise conflict
    ticket.status = TicketStatus.OPEN
    ticket.assignee_id = user.id
    ticket.closed_at = None
    ticket.survey_until = None  # the conversation goes on: the survey's question is moot
    ticket.last_activity_at = utcnow()
    # Another transaction may have made an active ticket between our check and our write.
    await flush_or_conflict(session, conflict)
    return True


async def _transfer(session: AsyncSession, ticket: Ticket, data: TicketTransfer) -> bool:
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict("A closed ticket cannot be transferred; reopen it first.", code="ticket_closed")
    fields = data.model_fields_set
    if (
        "assignee_id" in fields
        and data.assignee_id is not None
        and not await repository.user_exists(session, data.assignee_id)
    ):
        raise Conflict("There is no user with this id to transfer to.", code="unknown_user")
    if "queue_id" in fields and data.queue_id is not None and not await repository.queue_exists(session, data.queue_id):
        raise Conflict("There is no queue with this id to transfer to.", code="unknown_queue")
    before = (ticket.assignee_id, ticket.queue_id, ticket.status)
    if "assignee_id" in fields:
        ticket.assignee_id = data.assignee_id
    if "queue_id" in fields:
        ticket.queue_id = data.queue_id
    ticket.choosing_queue = False  # a person chose for the customer
    if ticket.assignee_id is None:
        # Nobody holds it any more: it waits in its queue for someone to accept it.
        ticket.status = TicketStatus.PENDING
    return (ticket.assignee_id, ticket.queue_id, ticket.status) != before


# --- changes automation makes (no person acts) ----------------------------------------------------------
#
# Each changes the ticket in memory and returns the rooms that could see it before (None: nothing changed). The
# caller announces the change (`record_ticket_updated(..., previous_rooms=...)`) and writes its history line:
# automation changes many tickets in one transaction and writes them all with one flush.


def place_in_queue(ticket: Ticket, queue_id: int | None) -> tuple[str, ...]:
    """The menu is over: the customer chose `queue_id` (or the fallback applies; None: no queue). Its agents now
    see the ticket; nobody else learns more than that it is gone."""
    previous_rooms = ticket_rooms(ticket)
    ticket.queue_id = queue_id
    ticket.choosing_queue = False
    return previous_rooms


def mark_closed(ticket: Ticket, at: datetime | None = None) -> tuple[str, ...] | None:
    """Close the ticket (None when it was closed already)."""
    if ticket.status == TicketStatus.CLOSED:
        return None
    previous_rooms = ticket_rooms(ticket)
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = at or utcnow()
    ticket.choosing_queue = False
    return previous_rooms


def return_to_queue(ticket: Ticket) -> tuple[str, ...] | None:
    """An open ticket whose agent stopped answering waits in its queue again, for anyone to accept."""
    if ticket.status != TicketStatus.OPEN:
        return None
    previous_rooms = ticket_rooms(ticket)
    ticket.status = TicketStatus.PENDING
    ticket.assignee_id = None
    return previous_rooms


def await_rating(ticket: Ticket, until: datetime | None) -> None:
    """The survey was sent (a rating is awaited until `until`), or its window is over (None). Not news to
    anyone: it shows when the rating comes."""
    ticket.survey_until = until


async def record_rating(
    session: AsyncSession, ticket: Ticket, rating: int, *, at: datetime, message_id: int | None = None
) -> None:
    """The customer's answer to the survey (`message_id`), kept with the agent and queue the ticket had."""
    ticket.rating = rating
    ticket.rated_at = at
    ticket.rated_agent_id = ticket.assignee_id
    ticket.rated_queue_id = ticket.queue_id
    ticket.survey_until = None
    await record_ticket_updated(session, ticket)
    detail = {"score": rating}
    await history.record(
        session, ticket, TicketEventKind.RATED, history.CUSTOMER, message_id=message_id, detail=detail, at=at
    )
