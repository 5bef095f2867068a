"""Ticket history: every change of a ticket's life, recorded by the service that makes it, in its transaction.

How to use it. Whoever changes a ticket calls `record(session, ticket, kind, actor, ...)` in the same session,
after making the change (the ticket's new state decides who is told): it inserts one `TicketEvent` row and
records the real-time event `ticket.event` (`TicketEventRecorded`) for whoever may see the ticket; both are
committed, or rolled back, with the change itself. `kind` is a `TicketEventKind` (created, queue_chosen,
accepted, transferred, closed, reopened, out_of_hours_reply, rated; a new kind is a new member, no migration)
and `actor` an `Actor`: `by_user(user_id)`, `CUSTOMER`, `BOT` (automation, the API) or `TIMER`. Name what
moved, and only that, with `from_user_id`/`to_user_id` and `from_queue_id`/`to_queue_id` (None on one side
means nobody or no queue; None on both, that it did not move; `created` names where the ticket starts), the
message that caused the change or that it sent with `message_id`, anything else in `detail` (`{"score": 5}`
for a rating), and pass `at=clock.now()` when a clock decides the time. Rows are never updated or deleted
(only with their ticket). `GET /api/tickets/{id}/events` (`list_events`) returns them oldest first, in pages,
to whoever may see the ticket; the web chat shows them as system lines between the messages. The tickets
service records created, accepted, transferred, closed and reopened itself, and `tickets.service.close_ticket`
closes a ticket on behalf of the bot or a timer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from zapdesk.db.base import utcnow
from zapdesk.db.uow import record_event
from zapdesk.hours.calendar import NO_HOURS, ConnectionHours
from zapdesk.kit.paging import Keyset, keyset_page
from zapdesk.queues.models import Queue
from zapdesk.tickets import metrics, repository
from zapdesk.tickets.access import TicketScope
from zapdesk.tickets.events import TicketEventRecorded
from zapdesk.tickets.history.models import ActorKind, TicketEvent, TicketEventKind
from zapdesk.tickets.history.schemas import ActorRead, DetailValue, NamedRef, TicketEventRead
from zapdesk.tickets.hours import hours_by_connection
from zapdesk.tickets.models import Ticket
from zapdesk.users.models import User


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a user (by id), the customer, the bot/automation, or a timer."""

    kind: ActorKind
    user_id: int | None = None


CUSTOMER = Actor(ActorKind.CUSTOMER)
BOT = Actor(ActorKind.BOT)
TIMER = Actor(ActorKind.TIMER)


def by_user(user_id: int | None) -> Actor:
    """A person on our side: a zapdesk user, or (None) someone typing on the business phone itself."""
    return Actor(ActorKind.USER, user_id)


class HistorySubject(TicketScope, Protocol):
    """A ticket as history needs it: its id, and what decides who may see it."""

    @property
    def id(self) -> int: ...


async def record(
    session: AsyncSession,
    ticket: HistorySubject,
    kind: TicketEventKind,
    actor: Actor,
    *,
    message_id: int | None = None,
    from_user_id: int | None = None,
    to_user_id: int | None = None,
    from_queue_id: int | None = None,
    to_queue_id: int | None = None,
    detail: Mapping[str, DetailValue] | None = None,
    at: datetime | None = None,
) -> TicketEvent:
    """Append one line to `ticket`'s history and tell whoever may see the ticket now (after commit)."""
    line = Line(
        ticket,
        kind,
        actor,
        message_id=message_id,
        from_user_id=from_user_id,
        to_user_id=to_user_id,
        from_queue_id=from_queue_id,
        to_queue_id=to_queue_id,
        detail=detail,
        at=at,
    )
    [row] = await record_all(session, [line])
    return row


@dataclass(frozen=True, slots=True)
class Line:
    """One line to append (see `record`): for `record_all`, which appends many with one flush."""

    ticket: HistorySubject
    kind: TicketEventKind
    actor: Actor
    message_id: int | None = None
    from_user_id: int | None = None
    to_user_id: int | None = None
    from_queue_id: int | None = None
    to_queue_id: int | None = None
    detail: Mapping[str, DetailValue] | None = None
    at: datetime | None = None

    def row(self) -> TicketEvent:
        return TicketEvent(
            ticket_id=self.ticket.id,
            kind=self.kind,
            at=self.at or utcnow(),
            actor_kind=self.actor.kind,
            actor_user_id=self.actor.user_id,
            message_id=self.message_id,
            from_user_id=self.from_user_id,
            to_user_id=self.to_user_id,
            from_queue_id=self.from_queue_id,
            to_queue_id=self.to_queue_id,
            detail=dict(self.detail or {}),
        )


async def record_all(session: AsyncSession, lines: Sequence[Line]) -> list[TicketEvent]:
    """`record` for many lines (of any tickets), in order: one flush, one look-up of the names they mention."""
    rows = [line.row() for line in lines]
    timed = [(line.ticket, row) for line, row in zip(lines, rows, strict=True) if isinstance(line.ticket, Ticket)]
    needed = {ticket.connection_id for ticket, row in timed if row.kind in metrics.TIMED_KINDS}
    hours = await hours_by_connection(session, needed)
    stints = [
        (ticket.id, _fix_metrics(ticket, row, hours.get(ticket.connection_id, NO_HOURS))) for ticket, row in timed
    ]
    session.add_all(rows)
    await session.flush()
    for ticket_id, stint in stints:
        if stint is not None:
            await repository.add_queue_time(session, ticket_id, stint)
    for line, payload in zip(lines, await describe(session, rows), strict=True):
        record_event(session, TicketEventRecorded(payload, line.ticket))
    return rows


def _fix_metrics(ticket: Ticket, row: TicketEvent, hours: ConnectionHours) -> metrics.QueueTime | None:
    """The ticket's figures that this line decides, and the stint in a queue it ended. They are no change to
    announce: `updated_at` is written as the change left it (the `ticket.updated` already recorded carries it)
    instead of bumped by its `onupdate`."""
    stint = metrics.fix_event(ticket, row, hours)
    if "updated_at" not in inspect(ticket).unloaded:
        flag_modified(ticket, "updated_at")
    return stint


# --- reading ------------------------------------------------------------------------------------------


# A ticket's history reads oldest first.
OLDEST_FIRST = Keyset((TicketEvent.id,))


async def list_events(
    session: AsyncSession, ticket_id: int, *, cursor: str | None, limit: int
) -> tuple[list[TicketEventRead], str | None]:
    """One page of a ticket's history, oldest first (the caller checked that the ticket may be seen)."""
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
    rows, next_cursor = await keyset_page(session, query, OLDEST_FIRST, limit=limit, cursor=cursor)
    return await describe(session, rows), next_cursor


async def describe(session: AsyncSession, rows: Sequence[TicketEvent]) -> list[TicketEventRead]:
    """The rows as the API shows them, with the current names of the users and queues they mention."""
    user_names = await _names(session, User, ((row.actor_user_id, row.from_user_id, row.to_user_id) for row in rows))
    queue_names = await _names(session, Queue, ((row.from_queue_id, row.to_queue_id) for row in rows))

    def user(user_id: int | None) -> NamedRef | None:
        return _ref(user_id, user_names)

    def queue(queue_id: int | None) -> NamedRef | None:
        return _ref(queue_id, queue_names)

    return [
        TicketEventRead(
            id=row.id,
            ticket_id=row.ticket_id,
            kind=row.kind,
            at=row.at,
            actor=ActorRead(kind=row.actor_kind, user=user(row.actor_user_id)),
            message_id=row.message_id,
            from_user=user(row.from_user_id),
            to_user=user(row.to_user_id),
            from_queue=queue(row.from_queue_id),
            to_queue=queue(row.to_queue_id),
            detail=dict(row.detail),
        )
        for row in rows
    ]


async def _names(
    session: AsyncSession, model: type[User] | type[Queue], id_groups: Iterable[Iterable[int | None]]
) -> dict[int, str]:
    ids = {item for group in id_groups for item in group if item is not None}
    if not ids:
        return {}
    query = select(model.id, model.name).where(model.id.in_(ids))
    return {row_id: name for row_id, name in (await session.execute(query)).all()}


def _ref(item_id: int | None, names: Mapping[int, str]) -> NamedRef | None:
    if item_id is None or item_id not in names:
        return None
    return NamedRef(id=item_id, name=names[item_id])
