"""What fixes each per-ticket metric (`tickets.metrics`): the rules the scripted day cannot reach on `main` yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zapdesk.messages.models import Message
from zapdesk.tickets import metrics
from zapdesk.tickets.models import Ticket

OPENED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def new_ticket() -> Ticket:
    return Ticket(created_at=OPENED, transfer_count=0, reopen_count=0, message_count=0)


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
