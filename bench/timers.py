"""(i) Timers: `BENCH_TIMER_ITEMS` (10,000) open tickets whose closing for the customer's silence falls due, on
PostgreSQL, fired by two workers' automation side by side (each its own engine and connection pool, as two
processes have), on the real clock. Twice: all due at the same instant (how fast the workers fire), then due
one after another within the same minute (how late each fires; target p99 <= 2 s).

- fired/s: tickets closed (with their closing message written) per second, from the first due time to the last
  closing;
- lateness: when the ticket's closing was published (after its commit) minus when it was due, p50 / p99 / max.

Every ticket is checked to be closed once with exactly one closing message.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.report import Report, percentile
from bench.stack import database
from zapdesk.automation.models import TicketAutomation, TimerKind
from zapdesk.automation.runner import Automation
from zapdesk.automation.timers import TimerPlan
from zapdesk.config import Settings
from zapdesk.connections.automation import ConnectionAutomation
from zapdesk.connections.models import Connection, ConnectionStatus, Provider
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.events import Published
from zapdesk.db.migrate import upgrade_to_head
from zapdesk.db.uow import unit_of_work
from zapdesk.events import TicketUpdated
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket, TicketStatus

ITEMS = int(os.environ.get("BENCH_TIMER_ITEMS", "10000"))
WORKERS = 2
SPREAD_SECONDS = float(os.environ.get("BENCH_TIMER_SPREAD", "60"))  # due times spread evenly over one minute
LEAD_SECONDS = 5.0  # the first falls due this long after the workers start
TARGET_LATENESS_P99 = 2.0
CLOSING = "Encerrado por inatividade."


# (label, seconds over which the due times spread): a burst measures how fast the workers fire; the minute,
# how late each fires when things fall due as they do in a busy desk.
SCENARIOS = (("all at once", 0.0), ("within one minute", SPREAD_SECONDS))


async def run(workdir: Path) -> Report:
    report = Report(
        "timers",
        f"(i) Timers: {ITEMS:,} closings due, PostgreSQL, {WORKERS} workers",
        ["due", "items", "fired/s", "lateness p50 s", "lateness p99 s", "lateness max s", "fired once"],
    )
    for index, (label, spread) in enumerate(SCENARIOS):
        async with database("postgresql", workdir / str(index)) as url:
            lateness, rate, once = await _scenario(url, workdir / str(index), spread)
        p99 = percentile(lateness, 0.99)
        target, ok = (
            (f"lateness p99 <= {TARGET_LATENESS_P99:g} s", p99 <= TARGET_LATENESS_P99) if spread else ("", None)
        )
        report.add(
            target,
            ok if once else False,
            due=label,
            items=ITEMS,
            **{
                "fired/s": rate,
                "lateness p50 s": percentile(lateness, 0.5),
                "lateness p99 s": p99,
                "lateness max s": max(lateness),
                "fired once": once,
            },
        )
    report.notes.append(
        f"due times spread evenly over the time shown ({SPREAD_SECONDS:g} s for the minute); each worker is an "
        "`Automation` with its own engine and pool on the system clock; fired/s counts from the first due time to "
        "the last closing, so within the minute it is the rate things fall due when the workers keep up."
    )
    return report


async def _scenario(url: str, workdir: Path, spread: float) -> tuple[list[float], float, bool]:
    settings = Settings(database_url=url, data_dir=workdir)
    await asyncio.to_thread(upgrade_to_head, settings.migration_database_url)
    contexts = [AppContext.from_settings(settings) for _ in range(WORKERS)]
    try:
        due = await _tickets_falling_due(contexts[0], utcnow() + timedelta(seconds=LEAD_SECONDS), spread)
        closed_at = await _fire_all(contexts, due, spread)
        return await _outcome(contexts[0], due, closed_at)
    finally:
        for context in contexts:
            await context.close()


async def _tickets_falling_due(context: AppContext, first_due: datetime, spread: float) -> dict[int, datetime]:
    """Open tickets, each with its closing armed, due one after another over `spread` seconds."""
    automation = ConnectionAutomation.model_validate({"timers": {"close_after_minutes": 60, "close_message": CLOSING}})
    async with unit_of_work(context.sessionmaker) as session:
        connection = Connection(
            name="timers",
            provider=Provider.SIMULATOR,
            status=ConnectionStatus.CONNECTED,
            phone="5511900000009",
            automation=automation.model_dump(mode="json"),
        )
        session.add(connection)
        await session.flush()
        contacts = [{"name": f"Cliente {n}", "phone": f"55119{n:08d}", "custom_fields": {}} for n in range(ITEMS)]
        contact_ids = (await session.scalars(insert(Contact).returning(Contact.id), contacts)).all()
        tickets = [
            {
                "contact_id": contact_id,
                "connection_id": connection.id,
                "status": TicketStatus.OPEN,
                "last_activity_at": utcnow(),
            }
            for contact_id in contact_ids
        ]
        ticket_ids = (await session.scalars(insert(Ticket).returning(Ticket.id), tickets)).all()
        memories = [
            {"ticket_id": ticket_id, "fresh": False, "seen_status": TicketStatus.OPEN, "seen_choosing": False,
             "menu_tries": 0}
            for ticket_id in ticket_ids
        ]  # fmt: skip
        await session.execute(insert(TicketAutomation), memories)
        step = spread / ITEMS
        due = {ticket_id: first_due + timedelta(seconds=index * step) for index, ticket_id in enumerate(ticket_ids)}
        plan = TimerPlan()
        for ticket_id, moment in due.items():
            plan.arm(ticket_id, TimerKind.CLOSE, moment, after_message_id=None, replace=True)
        await plan.write(session)
    return due


class _Closings:
    """The workers' event sink: when each ticket's closing was published (after its commit)."""

    def __init__(self) -> None:
        self.at: dict[int, datetime] = {}

    async def __call__(self, events: Sequence[Published]) -> None:
        now = datetime.now(UTC)
        for item in events:
            event = item.event
            if isinstance(event, TicketUpdated) and event.payload.status == TicketStatus.CLOSED:
                self.at.setdefault(event.payload.id, now)


async def _fire_all(contexts: list[AppContext], due: dict[int, datetime], spread: float) -> dict[int, datetime]:
    """The workers' automation, running as in production, until every closing is published: when each was."""
    closings = _Closings()
    workers = [Automation(context.sessionmaker, closings) for context in contexts]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + LEAD_SECONDS + spread + 300
    try:
        while len(closings.at) < len(due):
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(closings.at)} of {len(due)} tickets closed in time")
            await asyncio.sleep(0.2)
    finally:
        for worker in workers:
            await worker.close()
    return closings.at


async def _outcome(
    context: AppContext, due: dict[int, datetime], closed_at: dict[int, datetime]
) -> tuple[list[float], float, bool]:
    """Each ticket's lateness, the rate they were fired at, and whether each got exactly one closing message."""
    async with context.sessionmaker() as session:
        per_ticket = (
            await session.execute(
                select(Message.ticket_id, func.count()).where(Message.body == CLOSING).group_by(Message.ticket_id)
            )
        ).all()
        closed = await session.scalar(select(func.count()).where(Ticket.status == TicketStatus.CLOSED))
    lateness = [(closed_at[ticket_id] - moment).total_seconds() for ticket_id, moment in due.items()]
    rate = len(due) / max((max(closed_at.values()) - min(due.values())).total_seconds(), 1e-9)
    once = closed == len(due) and len(per_ticket) == len(due) and {count for _, count in per_ticket} == {1}
    return lateness, rate, once
