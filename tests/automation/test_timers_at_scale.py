"""A thousand tickets falling due at once, on PostgreSQL, with two workers' automation claiming side by side:
each closes exactly once, with its closing message, within five seconds of its due time."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from tests.tickets.factories import Desk
from zapdesk.automation.models import TicketAutomation, TimerKind
from zapdesk.automation.runner import Automation
from zapdesk.automation.timers import TimerPlan
from zapdesk.connections.automation import ConnectionAutomation
from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.clock import ManualClock
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket, TicketStatus

TICKETS = 1000
CLOSING = "Encerrado por inatividade."


async def _open_tickets_with_closing_due(desk: Desk, due: object) -> None:
    automation = ConnectionAutomation.model_validate({"timers": {"close_after_minutes": 60, "close_message": CLOSING}})
    async with unit_of_work(desk.context.sessionmaker) as session:
        connection = await session.get(Connection, desk.connection.id)
        assert connection is not None
        connection.automation = automation.model_dump(mode="json")
        contacts = [{"name": f"Cliente {n}", "phone": f"55119{n:08d}", "custom_fields": {}} for n in range(TICKETS)]
        contact_ids = (await session.scalars(insert(Contact).returning(Contact.id), contacts)).all()
        now = utcnow()
        rows = [
            {
                "contact_id": contact_id,
                "connection_id": desk.connection.id,
                "queue_id": desk.queue.id,
                "assignee_id": desk.assignee.id,
                "status": TicketStatus.OPEN,
                "last_activity_at": now,
            }
            for contact_id in contact_ids
        ]
        ticket_ids = (await session.scalars(insert(Ticket).returning(Ticket.id), rows)).all()
        # What automation remembers of each, as it would after seeing the agent write.
        memories = [
            {"ticket_id": ticket_id, "fresh": False, "seen_status": TicketStatus.OPEN, "seen_choosing": False,
             "menu_tries": 0, "seen_queue_id": desk.queue.id, "seen_assignee_id": desk.assignee.id}
            for ticket_id in ticket_ids
        ]  # fmt: skip
        await session.execute(insert(TicketAutomation), memories)
        plan = TimerPlan()
        for ticket_id in ticket_ids:
            plan.arm(ticket_id, TimerKind.CLOSE, due, after_message_id=None, replace=True)  # type: ignore[arg-type]
        await plan.write(session)


async def test_a_thousand_tickets_due_at_once_close_once_each_within_five_seconds_with_two_workers(
    context: AppContext, desk: Desk
) -> None:
    if context.engine.dialect.name != "postgresql":
        pytest.skip("two workers claim side by side on PostgreSQL (SQLite has one writer at a time)")
    due = utcnow() + timedelta(minutes=60)
    await _open_tickets_with_closing_due(desk, due)
    second = AppContext.from_settings(context.settings)
    at_due = ManualClock(start=due)
    workers = [
        Automation(context.sessionmaker, context.publish, clock=at_due),
        Automation(second.sessionmaker, context.publish, clock=at_due),
    ]

    async def drain(automation: Automation) -> None:
        while await automation.due_step() == 0:
            pass

    started = time.monotonic()
    try:
        await asyncio.gather(*(drain(worker) for worker in workers))
    finally:
        await second.close()
    elapsed = time.monotonic() - started

    async with context.sessionmaker() as session:
        closed = await session.scalar(select(func.count()).where(Ticket.status == TicketStatus.CLOSED))
        per_ticket = (
            await session.execute(
                select(Message.ticket_id, func.count()).where(Message.body == CLOSING).group_by(Message.ticket_id)
            )
        ).all()
    assert closed == TICKETS
    assert len(per_ticket) == TICKETS
    assert {count for _, count in per_ticket} == {1}
    assert elapsed <= 5.0, f"closing {TICKETS} tickets took {elapsed:.1f} s"
