"""(g) Outgoing webhook deliveries per second, PostgreSQL, to a receiver on loopback.

`zapdesk run` (whose dispatcher sends) on a database of its own; the receiver runs in this process and answers
200 at once. Deliveries are queued the way the feeder queues them after commits (`queue_deliveries`, one event
per delivery, spread over many tickets as a busy desk's are), one more event through the REST API wakes the
dispatcher, and the clock runs until the receiver got every one and the database says each is delivered.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from aiohttp import web

import zapdesk.migrations.models  # noqa: F401  (every mapper, as the server has them: relationships name each other)
from bench.report import Report
from bench.stack import cpu_seconds, database, direct_engine, running_stack, scalar
from zapdesk.config import Settings
from zapdesk.db.engine import create_sessionmaker
from zapdesk.db.uow import unit_of_work
from zapdesk.webhooks.events import WebhookEvent
from zapdesk.webhooks.service import RetrySchedule, queue_deliveries

DELIVERIES = int(os.environ.get("BENCH_WEBHOOK_DELIVERIES", "5000"))
TICKETS = 500  # each ticket's deliveries go one after the other; different tickets' at once
TARGET = 500.0
TIMEOUT_SECONDS = 180.0


async def run(workdir: Path) -> Report:
    report = Report(
        "webhooks",
        "(g) Outgoing webhook deliveries, PostgreSQL, to a receiver on loopback",
        ["deliveries", "tickets", "seconds", "deliveries/s", "CPU ms each"],
    )
    received: list[str] = []

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        received.append(request.headers["webhook-id"])
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with database("postgresql", workdir) as url, running_stack(url, workdir) as stack:
            endpoint = await stack.admin.post(
                "/api/webhook-endpoints",
                {"url": f"http://127.0.0.1:{port}/hook", "events": ["ticket.updated", "contact.updated"]},
            )
            await _queue(url, DELIVERIES)
            cpu_before = cpu_seconds(stack.pids())
            started = time.perf_counter()
            # An event committed by the API process queues one more delivery and wakes its dispatcher at once.
            await stack.admin.post("/api/contacts", {"phone": "5511900000999", "name": "Despertador"})
            seconds = await _drain(url, received, started)
            cpu = (cpu_seconds(stack.pids()) - cpu_before) * 1000 / DELIVERIES
            report.add(
                deliveries=DELIVERIES,
                tickets=TICKETS,
                seconds=seconds,
                target=f"≥ {TARGET:,.0f}/s",
                ok=DELIVERIES / seconds >= TARGET,
                **{"deliveries/s": DELIVERIES / seconds, "CPU ms each": cpu},
            )
            report.details["endpoint"] = endpoint["id"]
    finally:
        await runner.cleanup()
    report.notes.append(
        "the dispatcher claims up to 200 due deliveries per transaction (the oldest of each ticket), posts up to 64 "
        "at once, and stores the answers of those that come back together in one transaction."
    )
    return report


async def _queue(url: str, count: int) -> None:
    engine = direct_engine(url)
    try:
        events = [
            WebhookEvent("ticket.updated", f"ticket:{n % TICKETS}", {"id": n % TICKETS, "n": n}) for n in range(count)
        ]
        async with unit_of_work(create_sessionmaker(engine)) as session:
            await queue_deliveries(session, events, RetrySchedule.from_settings(Settings()))
    finally:
        await engine.dispose()


async def _drain(url: str, received: list[Any], started: float) -> float:
    expected = DELIVERIES + 1  # and the contact's
    engine = direct_engine(url)
    try:
        delivered = 0
        while time.perf_counter() - started < TIMEOUT_SECONDS:
            await asyncio.sleep(0.05)
            if len(received) >= expected:
                delivered = await scalar(engine, "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'")
                if delivered >= expected:
                    break
        seconds = time.perf_counter() - started
        if len(received) < expected or delivered < expected:
            raise AssertionError(f"{len(received)} received, {delivered} delivered after {seconds:.0f} s")
        if len(set(received)) != expected:
            raise AssertionError(f"{len(received) - len(set(received))} deliveries arrived twice")
        return seconds
    finally:
        await engine.dispose()
