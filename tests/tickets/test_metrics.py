"""What fixes each per-ticket metric (`tickets.metrics`): the rules the scripted day does not reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from zapdesk.hours.calendar import NO_HOURS, BusinessCalendar, ConnectionHours
from zapdesk.hours.schemas import WeeklyHours
from zapdesk.messages.models import Message
from zapdesk.tickets import metrics
from zapdesk.tickets.history.models import TicketEvent, TicketEventKind
from zapdesk.tickets.models import Ticket

OPENED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def new_ticket() -> Ticket:
    return Ticket(created_at=OPENED, transfer_count=0, reopen_count=0, message_count=0)


SUPPORT, SALES = 1, 2
# 2026-12-01 is a Tuesday; in UTC, open 09:00-10:00 and from 11:00 on.
SPLIT_DAY = WeeklyHours.model_validate(
    {"tue": [{"start": "09:00", "end": "10:00"}, {"start": "11:00", "end": "24:00"}]}
)
OFFICE = ConnectionHours(BusinessCalendar(SPLIT_DAY, [], ZoneInfo("UTC")), {})


def line(
    ticket: Ticket, kind: TicketEventKind, minutes: int, hours: ConnectionHours = NO_HOURS, **moved: int | None
) -> metrics.QueueTime | None:
    """A history line as the services write it: after the change, which `moved` names (the queue the ticket is
    in after it is `to_queue_id` when given)."""
    if "to_queue_id" in moved:
        ticket.queue_id = moved["to_queue_id"]
    event = TicketEvent(kind=kind, at=after(minutes), **moved)
    return metrics.fix_event(ticket, event, hours)


def after(minutes: int) -> datetime:
    return OPENED + timedelta(minutes=minutes)


def test_a_ticket_answered_by_notes_only_has_no_first_response_and_notes_are_not_messages() -> None:
    ticket = new_ticket()
    metrics.apply_message(ticket, Message(from_me=False, type="text", extra={}), after(0))
    metrics.apply_message(ticket, Message(from_me=True, type=metrics.NOTE_TYPE, extra={}), after(3))
    assert (ticket.first_response_seconds, ticket.message_count) == (None, 1)


def test_a_ticket_answered_by_the_bot_only_has_no_first_response() -> None:
    ticket = new_ticket()
    metrics.apply_message(ticket, Message(from_me=False, type="text", extra={}), after(0))
    metrics.apply_message(ticket, Message(from_me=True, type="text", extra={"automatic": "menu"}), after(1))
    assert (ticket.first_response_seconds, ticket.message_count) == (None, 2)
    metrics.apply_message(ticket, Message(from_me=True, type="text", extra={}), after(4))
    assert ticket.first_response_seconds == 240


def test_an_agent_writing_first_is_no_response_until_the_customer_has_written() -> None:
    ticket = new_ticket()
    metrics.apply_message(ticket, Message(from_me=True, type="text", extra={}), after(0))
    metrics.apply_message(ticket, Message(from_me=False, type="text", extra={}), after(10))
    metrics.apply_message(ticket, Message(from_me=True, type="text", extra={}), after(12))
    assert ticket.first_response_seconds == 120


def test_time_in_a_queue_ends_when_the_ticket_moves_to_another_queue_and_when_it_closes() -> None:
    ticket = new_ticket()
    assert line(ticket, TicketEventKind.CREATED, 0, to_queue_id=SUPPORT) is None
    assert line(ticket, TicketEventKind.ACCEPTED, 5, to_user_id=7) is None
    moved = line(ticket, TicketEventKind.TRANSFERRED, 20, from_queue_id=SUPPORT, to_queue_id=SALES)
    closed = line(ticket, TicketEventKind.CLOSED, 50)
    assert (moved, closed) == (metrics.QueueTime(SUPPORT, 1200, 1200), metrics.QueueTime(SALES, 1800, 1800))
    assert ticket.queue_since is None


def test_a_transfer_between_agents_keeps_the_stint_in_the_queue_going() -> None:
    ticket = new_ticket()
    line(ticket, TicketEventKind.CREATED, 0, to_queue_id=SUPPORT)
    assert line(ticket, TicketEventKind.TRANSFERRED, 10, from_user_id=7, to_user_id=8) is None
    assert line(ticket, TicketEventKind.CLOSED, 30) == metrics.QueueTime(SUPPORT, 1800, 1800)


def test_a_reopened_ticket_starts_a_new_stint_in_its_queue() -> None:
    ticket = new_ticket()
    line(ticket, TicketEventKind.CREATED, 0, to_queue_id=SUPPORT)
    line(ticket, TicketEventKind.CLOSED, 10)
    assert line(ticket, TicketEventKind.REOPENED, 60, to_user_id=7) is None
    assert line(ticket, TicketEventKind.CLOSED, 65) == metrics.QueueTime(SUPPORT, 300, 300)


def test_time_choosing_from_the_menu_is_in_no_queue() -> None:
    ticket = new_ticket()
    line(ticket, TicketEventKind.CREATED, 0, to_queue_id=None)
    assert line(ticket, TicketEventKind.QUEUE_CHOSEN, 2, to_queue_id=SALES) is None
    assert line(ticket, TicketEventKind.CLOSED, 12) == metrics.QueueTime(SALES, 600, 600)


def test_business_hours_variants_count_only_the_open_seconds_of_each_span() -> None:
    ticket = new_ticket()  # written at 09:00 UTC; closed 10:00-11:00
    line(ticket, TicketEventKind.CREATED, 0, OFFICE, to_queue_id=SUPPORT)
    metrics.fix_message(ticket, Message(from_me=False, type="text", extra={}), after(50), OFFICE)
    line(ticket, TicketEventKind.ACCEPTED, 80, OFFICE, to_user_id=7)  # 10:20: waited 60 of 80 minutes open
    metrics.fix_message(ticket, Message(from_me=True, type="text", extra={}), after(130), OFFICE)  # 11:10
    stint = line(ticket, TicketEventKind.CLOSED, 150, OFFICE)  # 11:30
    assert (ticket.waiting_seconds, ticket.business_waiting_seconds) == (4800, 3600)
    # Asked at 09:50, answered 11:10: 10 minutes before the break, 10 after.
    assert (ticket.first_response_seconds, ticket.business_first_response_seconds) == (4800, 1200)
    assert (ticket.resolution_seconds, ticket.business_resolution_seconds) == (9000, 5400)
    assert stint == metrics.QueueTime(SUPPORT, 9000, 5400)


def test_a_queue_with_its_own_week_counts_its_time_by_it() -> None:
    mornings = WeeklyHours.model_validate({"tue": [{"start": "09:00", "end": "09:30"}]})
    hours = ConnectionHours(OFFICE.calendar, {SALES: mornings})
    ticket = new_ticket()
    line(ticket, TicketEventKind.CREATED, 0, hours, to_queue_id=SUPPORT)
    support = line(ticket, TicketEventKind.TRANSFERRED, 20, hours, from_queue_id=SUPPORT, to_queue_id=SALES)
    sales = line(ticket, TicketEventKind.CLOSED, 80, hours)
    assert (support, sales) == (metrics.QueueTime(SUPPORT, 1200, 1200), metrics.QueueTime(SALES, 3600, 600))


def test_without_business_hours_the_variants_are_the_plain_figures() -> None:
    ticket = new_ticket()
    line(ticket, TicketEventKind.CREATED, 0, to_queue_id=SUPPORT)
    metrics.fix_message(ticket, Message(from_me=False, type="text", extra={}), after(0), NO_HOURS)
    line(ticket, TicketEventKind.ACCEPTED, 70, to_user_id=7)
    metrics.fix_message(ticket, Message(from_me=True, type="text", extra={}), after(75), NO_HOURS)
    line(ticket, TicketEventKind.CLOSED, 200)
    plain = (ticket.waiting_seconds, ticket.first_response_seconds, ticket.resolution_seconds)
    business = (
        ticket.business_waiting_seconds,
        ticket.business_first_response_seconds,
        ticket.business_resolution_seconds,
    )
    assert plain == business == (4200, 4500, 12000)
