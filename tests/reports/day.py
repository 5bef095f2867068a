"""A scripted day at a help desk, on a fixed clock, through the real services: what the report tests measure.

On Tuesday 2026-12-01 (UTC) the connection greets every new ticket automatically (the worker's automation),
and customers write (ticket: what happens):

- plain (09:00): Ana accepts 09:05, answers 09:07, closes 09:30.
- moved (10:00): Ana accepts 10:10 and hands it back to the queue 10:20; Bruno accepts 10:50, answers 10:52,
  closes 11:00.
- again (11:00): Bruno accepts 11:01, answers 11:03, closes 11:10; Ana reopens it 13:00, answers 13:05,
  closes 13:20.
- bot (14:00): only the greeting answers; an inactivity timer closes it at 15:00.
- rated (15:00): Ana accepts 15:02, answers 15:04, closes 15:10; the customer rates it 4 at 15:12.
- waits (16:00): nobody has taken it when the day is read, at 16:30.

Every ticket stays in the one queue, "Suporte". The connection's business hours (in the workspace's zone,
São Paulo, UTC-3) that Tuesday are 06:00-07:30, 07:45-11:30 and 12:00-18:00: 09:00-10:30, 10:45-14:30 and from
15:00 UTC. Every customer writes while it is open (no out-of-hours reply); the breaks fall inside "moved"
(10:30-10:45) and "bot" (14:30-15:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.automation.conftest import Automaton
from tests.ingest.inbound import deliver, received
from tests.tickets.factories import Desk, make_staff
from zapdesk.connections.models import Connection
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.clock import ManualClock
from zapdesk.media.store import MediaStore
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.models import TicketEventKind
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.service import close_ticket, record_rating
from zapdesk.users.models import User

DAY = "2026-12-01"
TUESDAY_HOURS = [
    {"start": "06:00", "end": "07:30"},
    {"start": "07:45", "end": "11:30"},
    {"start": "12:00", "end": "18:00"},
]
READ_AT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime(2026, 12, 1, int(hours), int(minutes), tzinfo=UTC)


@dataclass
class ScriptedDay:
    desk: Desk
    ana: User
    bruno: User
    tickets: dict[str, int]
    # Signed before the clock is fixed: tokens are checked against the real time.
    signed: dict[int, dict[str, str]]

    def headers(self, user: User) -> dict[str, str]:
        return self.signed[user.id]


class _Script:
    """Each step at its time of day; after a customer writes, the worker's automation greets them."""

    def __init__(
        self, day: ScriptedDay, client: httpx.AsyncClient, clock: ManualClock, media_store: MediaStore
    ) -> None:
        self.day, self.desk, self.client, self.clock, self.media_store = day, day.desk, client, clock, media_store
        self.phones = iter(f"55119880000{n:02d}" for n in range(1, 100))
        self.automaton = Automaton(day.desk.context)

    async def set_time(self, hhmm: str) -> None:
        await self.clock.advance_to(at(hhmm))
        self.automaton.now = at(hhmm)

    async def customer_writes(self, hhmm: str) -> int:
        await self.set_time(hhmm)
        phone = next(self.phones)
        await deliver(self.desk.context, self.desk.connection.id, received(phone, "Oi", at=at(hhmm)), self.media_store)
        await self.automaton.react()
        async with self.desk.context.sessionmaker() as session:
            return (await session.execute(select(func.max(Ticket.id)))).scalar_one()

    async def patch(self, hhmm: str, user: User, ticket_id: int, body: dict[str, Any]) -> None:
        await self.set_time(hhmm)
        response = await self.client.patch(f"/api/tickets/{ticket_id}", json=body, headers=self.day.headers(user))
        assert response.status_code == 200, response.text

    async def answer(self, hhmm: str, user: User, ticket_id: int) -> None:
        await self.set_time(hhmm)
        response = await self.client.post(
            f"/api/tickets/{ticket_id}/messages", json={"body": "Posso ajudar?"}, headers=self.day.headers(user)
        )
        assert response.status_code == 201, response.text

    async def by_automation(self, hhmm: str, ticket_id: int, kind: TicketEventKind) -> None:
        """What automation does (a timer closing, the survey storing an answer), through the same services."""
        await self.set_time(hhmm)
        async with unit_of_work(self.desk.context.sessionmaker, self.desk.context.publish) as session:
            ticket = await session.get(Ticket, ticket_id)
            assert ticket is not None
            if kind == TicketEventKind.CLOSED:
                assert await close_ticket(session, ticket, history.TIMER)
            else:
                await record_rating(session, ticket, 4, at=at(hhmm))


async def cast(desk: Desk) -> ScriptedDay:
    """The day's agents, before it starts."""
    ana = await make_staff(desk.context, name="Ana", queues=[desk.queue])
    bruno = await make_staff(desk.context, name="Bruno", queues=[desk.queue])
    users = (ana, bruno, desk.admin, desk.agent_not_in_queue)
    return ScriptedDay(desk, ana, bruno, {}, {user.id: desk.auth_headers(user) for user in users})


async def play_day(day: ScriptedDay, client: httpx.AsyncClient, clock: ManualClock, media_store: MediaStore) -> None:
    desk, ana, bruno = day.desk, day.ana, day.bruno
    async with desk.context.sessionmaker() as session:
        connection = await session.get(Connection, desk.connection.id)
        assert connection is not None
        connection.greeting_message = "Olá! Já vamos atender."
        connection.automation = {**connection.automation, "hours": {"enabled": True, "days": {"tue": TUESDAY_HOURS}}}
        await session.commit()
    script = _Script(day, client, clock, media_store)
    await script.automaton.start()
    accept, close = {"action": "accept"}, {"action": "close"}

    plain = await script.customer_writes("09:00")
    await script.patch("09:05", ana, plain, accept)
    await script.answer("09:07", ana, plain)
    await script.patch("09:30", ana, plain, close)

    moved = await script.customer_writes("10:00")
    await script.patch("10:10", ana, moved, accept)
    await script.patch("10:20", ana, moved, {"assignee_id": None})
    await script.patch("10:50", bruno, moved, accept)
    await script.answer("10:52", bruno, moved)
    await script.patch("11:00", bruno, moved, close)

    again = await script.customer_writes("11:00")
    await script.patch("11:01", bruno, again, accept)
    await script.answer("11:03", bruno, again)
    await script.patch("11:10", bruno, again, close)
    await script.patch("13:00", ana, again, {"action": "reopen"})
    await script.answer("13:05", ana, again)
    await script.patch("13:20", ana, again, close)

    bot = await script.customer_writes("14:00")
    await script.by_automation("15:00", bot, TicketEventKind.CLOSED)

    rated = await script.customer_writes("15:00")
    await script.patch("15:02", ana, rated, accept)
    await script.answer("15:04", ana, rated)
    await script.patch("15:10", ana, rated, close)
    await script.by_automation("15:12", rated, TicketEventKind.RATED)

    waits = await script.customer_writes("16:00")
    await clock.advance_to(READ_AT)
    day.tickets.update(plain=plain, moved=moved, again=again, bot=bot, rated=rated, waits=waits)
