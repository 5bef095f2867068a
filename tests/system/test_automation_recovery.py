"""Automation through real processes that die: timers killed before they are due still fire once after the
restart, a worker killed in the middle of a burst of closings sends nobody anything twice, and a scheduled
message goes out once across a restart."""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from tests.system.harness import BUSINESS, Api, Server, Simulator, all_tickets, customer, eventually, link_connection
from zapdesk.automation import reactor
from zapdesk.automation.models import TimerKind
from zapdesk.automation.timers import TimerPlan
from zapdesk.config import Settings
from zapdesk.db.base import utcnow
from zapdesk.db.cursors import EventCursor
from zapdesk.db.engine import create_engine, create_sessionmaker
from zapdesk.db.journal import EventBatch
from zapdesk.db.uow import unit_of_work
from zapdesk.tickets.models import Ticket

CLOSING = "Encerramos por falta de resposta. É só escrever para voltar."


async def _desk_with_customers(api: Api, simulator: Simulator, customers: int) -> dict[str, Any]:
    """A linked connection whose closings say CLOSING, sends unpaced, and `customers` customers who wrote."""
    connection = await link_connection(api, simulator, "Vendas", BUSINESS)
    await api.client.put("/api/settings/outbound_min_interval_ms", json={"value": 0})
    response = await api.client.patch(
        f"/api/connections/{connection['id']}",
        json={"automation": {"timers": {"close_after_minutes": 30, "close_message": CLOSING}}},
    )
    assert response.status_code == 200, response.text
    for index in range(customers):
        await simulator.customer_writes(customer(index), BUSINESS, "Oi, alguém?")

    async def all_there() -> list[dict[str, Any]] | None:
        tickets = await all_tickets(api)
        return tickets if len(tickets) == customers else None

    await eventually(all_there, timeout=60, what=f"{customers} tickets")
    return connection


async def _closings_due(server: Server, seconds: float) -> None:
    """Every ticket's closing falls due `seconds` from now (as if its agent wrote 30 minutes before that).

    Armed once automation has reacted to every customer's message: a reaction to one still unread would cancel
    its ticket's closing (the customer spoke, so they are not silent), as it should."""
    engine = create_engine(Settings(database_url=server.database_url).async_database_url)
    sessionmaker = create_sessionmaker(engine)

    async def automation_caught_up() -> bool:
        async with sessionmaker() as session:
            newest = await session.scalar(select(func.max(EventBatch.last_seq)))
            read = await session.scalar(select(EventCursor.position).where(EventCursor.name == reactor.READER))
        return read is not None and newest is not None and read >= newest

    try:
        await eventually(automation_caught_up, timeout=60, what="automation to react to every message")
        async with unit_of_work(sessionmaker) as session:
            plan = TimerPlan()
            due = utcnow() + timedelta(seconds=seconds)
            for ticket_id in (await session.execute(select(Ticket.id))).scalars():
                plan.arm(ticket_id, TimerKind.CLOSE, due, after_message_id=None, replace=True)
            await plan.write(session)
    finally:
        await engine.dispose()


async def _each_closed_once(api: Api, simulator: Simulator, customers: int) -> None:
    async def all_closed() -> bool:
        tickets = await all_tickets(api)
        return len(tickets) == customers and all(ticket["status"] == "closed" for ticket in tickets)

    await eventually(all_closed, timeout=90, what="every ticket to be closed")

    async def all_told() -> Counter[str] | None:
        told: Counter[str] = Counter()
        for phone in (customer(index) for index in range(customers)):
            told[phone] = [item["text"] for item in await simulator.received_by(phone)].count(CLOSING)
        return told if all(told.values()) else None

    told = await eventually(all_told, timeout=90, what="every customer to be told")
    assert set(told.values()) == {1}, f"told twice: {[phone for phone, n in told.items() if n > 1]}"


async def test_timers_armed_before_the_server_is_killed_fire_once_after_it_comes_back(
    server: Server, api: Api, simulator: Simulator
) -> None:
    await _desk_with_customers(api, simulator, customers=20)
    await _closings_due(server, seconds=3)

    server.kill()
    await server.start()
    restarted = await Api(server.url).login()
    try:
        await _each_closed_once(restarted, simulator, customers=20)
    finally:
        await restarted.close()


async def test_a_worker_killed_during_a_burst_of_closings_sends_nobody_anything_twice(
    server: Server, api: Api, simulator: Simulator
) -> None:
    await _desk_with_customers(api, simulator, customers=60)
    await _closings_due(server, seconds=0)

    async def some_told() -> bool:
        for index in range(60):
            if CLOSING in [item["text"] for item in await simulator.received_by(customer(index))]:
                return True
        return False

    await eventually(some_told, timeout=60, what="the first closings to go out")
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)

    await _each_closed_once(api, simulator, customers=60)


async def test_a_scheduled_message_goes_out_once_across_a_restart(
    server: Server, api: Api, simulator: Simulator
) -> None:
    connection = await _desk_with_customers(api, simulator, customers=1)
    contact_id = (await all_tickets(api))[0]["contact"]["id"]
    scheduled = await api.post(
        "/api/scheduled-messages",
        {
            "connection_id": connection["id"],
            "contact_id": contact_id,
            "body": "Lembrete: sua consulta é amanhã.",
            "send_at": (utcnow() + timedelta(seconds=2)).isoformat(),
        },
        expect=201,
    )

    server.kill()
    await server.start()
    restarted = await Api(server.url).login()
    try:

        async def sent() -> dict[str, Any] | None:
            found: dict[str, Any] = await restarted.get(f"/api/scheduled-messages/{scheduled['id']}")
            return found if found["status"] == "sent" else None

        await eventually(sent, timeout=60, what="the scheduled message to be sent")
        received = [item["text"] for item in await simulator.received_by(customer(0)) if not item["mine"]]
        assert received.count("Lembrete: sua consulta é amanhã.") == 1
    finally:
        await restarted.close()
