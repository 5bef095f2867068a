"""Per-ticket service metrics: what each figure means, and the one place that fixes it on the ticket.

Reports aggregate these columns; they never replay messages. Each figure is fixed by the event that decides
it, as that event is stored: a line of the ticket's history (`apply_event`, called by `history.record`) or a
message stored in the ticket (`apply_message`, called by `messages_added`). The migration that added the
columns backfills old tickets by folding the same two functions over their stored history and messages, so
live and backfilled tickets agree by construction. `docs/metrics.md` words the same definitions for people.

- waiting time: the time a ticket spends pending with nobody holding it, from its creation (or the moment a
  transfer returns it to pending) until someone takes it (accepts it, or is given it by a transfer). Summed
  over every such spell; a spell that ends by closing, unanswered, is not waiting time (nobody took it).
  Null until someone first takes the ticket.
- first response time: from the customer's first message in the ticket to the first message a person on our
  side sends after it. Automatic messages (greeting, farewell, bot, survey: `extra.automatic`) and internal
  notes are no answer. Null until answered.
- resolution time: from creation to the (latest) close. A reopened ticket's figure is redone when it closes
  again.
- transfer count, reopen count: the `transferred` and `reopened` lines of its history.
- messages count: every message stored in the ticket, both directions, automatic ones included; notes
  excluded (they are not part of the conversation).
- time in each queue: from the moment a ticket enters a queue (created in it, placed by the menu, transferred
  to it, reopened in it) until it leaves (transferred to another queue, closed), summed per queue over every
  such stint (`fix_event` hands back the stint that ended; `TicketQueueTime` keeps the sums). The running
  stint is counted when it ends.
- business-hours variants of waiting, first response and resolution time, and of time in each queue: the same
  spans, counting only the seconds inside the business hours of the ticket's connection (a queue's own week
  where it has one, `hours.calendar`); where the connection has none, they equal the plain figures.
- rating: not fixed here: the satisfaction survey stores the customer's answer on the ticket itself
  (`tickets.service.record_rating`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from zapdesk.hours.calendar import OpeningHours, elapsed_seconds
from zapdesk.tickets.history.models import TicketEventKind

# A message type that is not sent to the customer; the notes feature names its type so.
NOTE_TYPE = "note"


class MetricColumns(Protocol):
    """The ticket's columns this module maintains (a `Ticket` row, or a stand-in during the backfill)."""

    waiting_since: datetime | None
    waiting_seconds: int | None
    first_customer_message_at: datetime | None
    first_response_seconds: int | None
    resolution_seconds: int | None
    transfer_count: int
    reopen_count: int
    message_count: int

    @property
    def created_at(self) -> datetime: ...


class MessageColumns(Protocol):
    """The ticket's columns a stored message moves (`fix_message`)."""

    message_count: int
    first_customer_message_at: datetime | None
    first_response_seconds: int | None
    business_first_response_seconds: int | None

    @property
    def queue_id(self) -> int | None: ...


class EventFacts(Protocol):
    """What of a history line decides a metric."""

    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def to_user_id(self) -> int | None: ...


class MessageFacts(Protocol):
    """What of a message decides a metric."""

    @property
    def from_me(self) -> bool: ...
    @property
    def type(self) -> str: ...
    @property
    def extra(self) -> Mapping[str, object]: ...


def apply_event(ticket: MetricColumns, event: EventFacts) -> None:
    """Fix what a new line of `ticket`'s history decides (called once per line, in order)."""
    kind = event.kind
    if kind == TicketEventKind.CREATED:
        ticket.waiting_since = event.at if event.to_user_id is None else None
    elif kind in (TicketEventKind.ACCEPTED, TicketEventKind.TRANSFERRED):
        if kind == TicketEventKind.TRANSFERRED:
            ticket.transfer_count += 1
        _hand_over(ticket, event)
    elif kind == TicketEventKind.CLOSED:
        ticket.waiting_since = None
        ticket.resolution_seconds = elapsed_seconds(ticket.created_at, event.at)
    elif kind == TicketEventKind.REOPENED:
        ticket.reopen_count += 1
        ticket.waiting_since = event.at if event.to_user_id is None else None


def _hand_over(ticket: MetricColumns, event: EventFacts) -> None:
    """Someone takes the ticket (a waiting spell ends) or nobody holds it any more (one starts)."""
    if event.to_user_id is None:
        if ticket.waiting_since is None:
            ticket.waiting_since = event.at
        return
    if ticket.waiting_since is not None:
        ticket.waiting_seconds = (ticket.waiting_seconds or 0) + elapsed_seconds(ticket.waiting_since, event.at)
        ticket.waiting_since = None


def apply_message(ticket: MessageColumns, message: MessageFacts, at: datetime) -> None:
    """Fix what a message stored in `ticket`, written at `at`, decides (called once per message, in order)."""
    if message.type == NOTE_TYPE:
        return
    ticket.message_count += 1
    if not message.from_me:
        if ticket.first_customer_message_at is None:
            ticket.first_customer_message_at = at
        return
    if message.extra.get("automatic"):
        return
    if ticket.first_customer_message_at is not None and ticket.first_response_seconds is None:
        ticket.first_response_seconds = elapsed_seconds(ticket.first_customer_message_at, at)


# --- business hours and queues ------------------------------------------------------------------------------


class TimedColumns(MetricColumns, Protocol):
    """The columns `fix_event` and `fix_message` maintain besides `MetricColumns`."""

    business_waiting_seconds: int | None
    business_first_response_seconds: int | None
    business_resolution_seconds: int | None
    queue_since: datetime | None

    @property
    def queue_id(self) -> int | None: ...


class QueueEventFacts(EventFacts, Protocol):
    """What of a history line decides a stint in a queue."""

    @property
    def from_queue_id(self) -> int | None: ...
    @property
    def to_queue_id(self) -> int | None: ...


class HoursOf(Protocol):
    """The opening hours a ticket of the connection counts by, in a queue (`hours.calendar.ConnectionHours`)."""

    def of(self, queue_id: int | None) -> OpeningHours: ...


@dataclass(frozen=True, slots=True)
class QueueTime:
    """A stint of a ticket in a queue that just ended: to add to the ticket's time in that queue."""

    queue_id: int
    seconds: int
    business_seconds: int


# The history kinds that fix a duration: only for these does a caller need the connection's hours.
TIMED_KINDS = frozenset(
    {TicketEventKind.QUEUE_CHOSEN, TicketEventKind.ACCEPTED, TicketEventKind.TRANSFERRED, TicketEventKind.CLOSED}
)


def fix_event(ticket: TimedColumns, event: QueueEventFacts, hours: HoursOf) -> QueueTime | None:
    """`apply_event`, and what the line decides in business hours; the stint in a queue it ended, if any.

    `ticket.queue_id` is where the ticket is after the line (the services record a line after the change).
    """
    spell_start, queue_before = ticket.waiting_since, _queue_before(ticket, event)
    ended = _end_stint(ticket, event, hours)
    apply_event(ticket, event)
    if event.kind in (TicketEventKind.ACCEPTED, TicketEventKind.TRANSFERRED):
        if spell_start is not None and ticket.waiting_since is None:  # someone took it: the spell counts
            waited = hours.of(queue_before).seconds_open(spell_start, event.at)
            ticket.business_waiting_seconds = (ticket.business_waiting_seconds or 0) + waited
    elif event.kind == TicketEventKind.CLOSED:
        ticket.business_resolution_seconds = hours.of(ticket.queue_id).seconds_open(ticket.created_at, event.at)
    return ended


def _moves_queue(event: QueueEventFacts) -> bool:
    if event.kind in (TicketEventKind.CREATED, TicketEventKind.QUEUE_CHOSEN):
        return True
    named = event.from_queue_id is not None or event.to_queue_id is not None
    return event.kind == TicketEventKind.TRANSFERRED and named


def _queue_before(ticket: TimedColumns, event: QueueEventFacts) -> int | None:
    """The queue the ticket was in just before the line."""
    return event.from_queue_id if _moves_queue(event) else ticket.queue_id


def _end_stint(ticket: TimedColumns, event: QueueEventFacts, hours: HoursOf) -> QueueTime | None:
    """Leaving a queue (a move, a close) ends the stint in it; arriving in one (a move, a reopening) starts one."""
    moves = _moves_queue(event)
    if not moves and event.kind not in (TicketEventKind.CLOSED, TicketEventKind.REOPENED):
        return None
    started, left = ticket.queue_since, _queue_before(ticket, event)
    ticket.queue_since = None if event.kind == TicketEventKind.CLOSED else event.at
    if event.kind in (TicketEventKind.CREATED, TicketEventKind.REOPENED) or started is None or left is None:
        return None
    return QueueTime(left, elapsed_seconds(started, event.at), hours.of(left).seconds_open(started, event.at))


def may_answer(ticket: MetricColumns, message: MessageFacts) -> bool:
    """Whether `message` could be the ticket's first response (its caller then needs the connection's hours)."""
    automatic = bool(message.extra.get("automatic"))
    return message.from_me and message.type != NOTE_TYPE and not automatic and ticket.first_response_seconds is None


def fix_message(ticket: MessageColumns, message: MessageFacts, at: datetime, hours: HoursOf) -> None:
    """`apply_message`, and the first response in business hours when this message is it."""
    answered = ticket.first_response_seconds is not None
    apply_message(ticket, message, at)
    asked = ticket.first_customer_message_at
    if not answered and ticket.first_response_seconds is not None and asked is not None:
        ticket.business_first_response_seconds = hours.of(ticket.queue_id).seconds_open(asked, at)
