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
- rating: not fixed here: the satisfaction survey stores the customer's answer on the ticket itself
  (`tickets.service.record_rating`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

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


def elapsed_seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


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


def apply_message(ticket: MetricColumns, message: MessageFacts, at: datetime) -> None:
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
