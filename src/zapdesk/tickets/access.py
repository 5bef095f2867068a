"""Who may see a ticket (and so its messages): the one rule behind REST queries, checks and Socket.IO rooms.

Admins see every ticket. An agent sees the tickets of the queues they belong to, the tickets assigned to
them, and pending tickets that have no queue yet (anyone may pick those up) — except while the customer is
still choosing a queue from the menu: the ticket then waits for its queue's agents, and only admins see it.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, and_, false, or_, true

from zapdesk.db.audiences import ADMINS_ROOM, AGENTS_ROOM, queue_room, user_room
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.users.models import User


class TicketScope(Protocol):
    """What decides who may see a ticket: a `Ticket` row, or its `TicketRead` as events carry it."""

    @property
    def status(self) -> TicketStatus: ...
    @property
    def queue_id(self) -> int | None: ...
    @property
    def assignee_id(self) -> int | None: ...
    @property
    def choosing_queue(self) -> bool: ...


def _queue_ids(user: User) -> list[int]:
    return [queue.id for queue in user.queues]


def visible_tickets_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause keeping only the tickets `user` may see (needs `user.queues` loaded)."""
    if user.is_admin:
        return true()
    queue_ids = _queue_ids(user)
    return or_(
        Ticket.queue_id.in_(queue_ids) if queue_ids else false(),
        Ticket.assignee_id == user.id,
        and_(Ticket.status == TicketStatus.PENDING, Ticket.queue_id.is_(None), Ticket.choosing_queue.is_(False)),
    )


def can_see(user: User, ticket: Ticket) -> bool:
    """The same rule as `visible_tickets_clause`, for one ticket already in memory."""
    if user.is_admin:
        return True
    if ticket.queue_id is not None and ticket.queue_id in _queue_ids(user):
        return True
    if ticket.assignee_id is not None and ticket.assignee_id == user.id:
        return True
    return _open_to_every_agent(ticket)


def _open_to_every_agent(ticket: TicketScope) -> bool:
    return ticket.status == TicketStatus.PENDING and ticket.queue_id is None and not ticket.choosing_queue


def ticket_rooms(ticket: TicketScope) -> tuple[str, ...]:
    """The Socket.IO rooms whose members may see `ticket`; a socket joins the rooms `user_rooms` names."""
    rooms = [ADMINS_ROOM]
    if _open_to_every_agent(ticket):
        rooms.append(AGENTS_ROOM)
    if ticket.queue_id is not None:
        rooms.append(queue_room(ticket.queue_id))
    if ticket.assignee_id is not None:
        rooms.append(user_room(ticket.assignee_id))
    return tuple(rooms)


def user_rooms(user: User) -> tuple[str, ...]:
    """The rooms a socket of `user` joins, so that `ticket_rooms` reaches exactly those who `can_see`."""
    if user.is_admin:
        # Admins get everything through one room; joining the others too would only duplicate deliveries.
        return (ADMINS_ROOM, user_room(user.id))
    return (AGENTS_ROOM, user_room(user.id), *(queue_room(queue_id) for queue_id in _queue_ids(user)))
