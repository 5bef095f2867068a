"""(f) The Cloud API channel on PostgreSQL, through real processes on loopback.

- Webhook ingest: signed notifications posted to `/api/webhooks/cloud/{id}` by many concurrent deliveries, as
  Meta posts them (one message per notification: the usual case, and the hardest), each answered only after its
  message is committed. Rate = messages / (last answer - first request); every row is counted after.
- Outbound: agents' replies queued as pending, sent through the fake Graph API of a standalone simulator with
  the statuses (sent, delivered) flowing back by webhook meanwhile; rate = replies / time until none is pending.
  One number, then ten at once. The Cloud API needs none of the unofficial protocol's pacing: it is off.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from bench.report import Report
from bench.stack import Stack, cpu_seconds, database, direct_engine, running_stack, scalar
from tests.system.harness import all_tickets, eventually
from zapdesk.db.engine import create_sessionmaker
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.hub_signatures import SIGNATURE_HEADER, signature_of
from zapdesk.messages.schemas import MessageCreate
from zapdesk.messages.service import post_message
from zapdesk.tickets.models import Ticket
from zapdesk.users.repository import load_user

INGEST_MESSAGES = int(os.environ.get("BENCH_CLOUD_INGEST_MESSAGES", "6000"))
INGEST_CUSTOMERS = 200
DELIVERIES_IN_FLIGHT = 256  # Meta delivers many notifications at once
OUTBOUND_PER_NUMBER = int(os.environ.get("BENCH_CLOUD_OUTBOUND_MESSAGES", "400"))
OUTBOUND_CHATS = 40
NUMBERS = 10
TARGET_INGEST, TARGET_ONE_NUMBER, TARGET_TEN_NUMBERS = 1000.0, 80.0, 300.0
TIMEOUT_SECONDS = 240.0


def number_phone(index: int) -> str:
    return f"55119{index:08d}"


def customer(number: int, chat: int) -> str:
    return f"5521{number:03d}{chat:06d}"


async def run(workdir: Path) -> Report:
    report = Report(
        "cloud",
        "(f) Cloud API channel, PostgreSQL: webhook ingest and outbound through the fake Graph API",
        ["measure", "messages", "seconds", "msg/s", "CPU ms/msg", "load"],
    )
    async with database("postgresql", workdir / "ingest") as url, running_stack(url, workdir / "ingest") as stack:
        cpu_before = cpu_seconds(stack.pids())
        messages, seconds = await _ingest(stack, url)
        cpu = (cpu_seconds(stack.pids()) - cpu_before) * 1000 / messages
        rate = messages / seconds
        report.add(
            measure=f"webhook ingest (signed, 1 message per delivery, {DELIVERIES_IN_FLIGHT} in flight)",
            messages=messages,
            seconds=seconds,
            target=f"≥ {TARGET_INGEST:,.0f} msg/s",
            ok=rate >= TARGET_INGEST,
            load=os.getloadavg()[0],
            **{"msg/s": rate, "CPU ms/msg": cpu},
        )
    for numbers, target in ((1, TARGET_ONE_NUMBER), (NUMBERS, TARGET_TEN_NUMBERS)):
        label = f"outbound{numbers}"
        async with database("postgresql", workdir / label) as url, running_stack(url, workdir / label) as stack:
            sent, seconds, cpu = await _outbound(stack, url, numbers)  # sent: those that left within the time
            report.add(
                measure=f"outbound, {numbers} number{'s' if numbers > 1 else ''}, pacing off",
                messages=sent,
                seconds=seconds,
                target=f"≥ {target:,.0f} msg/s" + (" per number" if numbers == 1 else " in all"),
                ok=sent / seconds >= target,
                load=os.getloadavg()[0],
                **{"msg/s": sent / seconds, "CPU ms/msg": cpu * 1000 / sent},
            )
    report.notes.append(
        "ingest: the API process stores deliveries that arrive together in one transaction (group commit) and "
        "answers each after that commit; outbound: each number sends to up to 32 chats at once."
    )
    report.notes.append(
        "CPU ms/msg: user + system time of zapdesk's processes per message (ingest: server; outbound: server, "
        "worker and the simulator playing Meta, whose status webhooks come back meanwhile): what the figure costs "
        "whatever else the machine runs."
    )
    report.notes.append(
        "load: the machine's one-minute load average as each measure ended (2 cores, shared); the benchmarks run "
        "at nice 10, so with other work on the machine they get what it leaves."
    )
    return report


# ---- webhook ingest -----------------------------------------------------------------------------------------


async def _cloud_connection(stack: Stack, phone: str, number: dict[str, Any]) -> int:
    connection = await stack.admin.post("/api/connections", {"name": f"Oficial {phone}", "provider": "cloud"})
    keys = ("phone_number_id", "business_account_id", "access_token", "app_secret", "verify_token")
    response = await stack.admin.client.put(
        f"/api/connections/{connection['id']}/cloud", json={key: number[key] for key in keys}
    )
    response.raise_for_status()
    return int(connection["id"])


def _notification(number: dict[str, Any], sender: str, index: int) -> bytes:
    message = {"from": sender, "id": f"wamid.bench{index:08d}", "timestamp": str(int(time.time())), "type": "text"}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": number["phone"], "phone_number_id": number["phone_number_id"]},
        "contacts": [{"profile": {"name": f"Cliente {sender[-4:]}"}, "wa_id": sender}],
        "messages": [{**message, "text": {"body": f"mensagem {index}"}}],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": number["business_account_id"], "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body).encode()


async def _ingest(stack: Stack, url: str) -> tuple[int, float]:
    number = (await stack.simulator.client.post("/api/cloud/numbers", json={"phone": number_phone(0)})).json()
    connection_id = await _cloud_connection(stack, number_phone(0), number)
    target = f"{stack.server.url}/api/webhooks/cloud/{connection_id}"
    # Each customer wrote once before (untimed): what is measured is the steady state of known conversations,
    # not the one-off making of contacts and tickets.
    await _deliver_all(target, number, range(INGEST_CUSTOMERS))
    started = time.perf_counter()
    await _deliver_all(target, number, range(INGEST_CUSTOMERS, INGEST_CUSTOMERS + INGEST_MESSAGES))
    seconds = time.perf_counter() - started
    engine = direct_engine(url)
    try:
        stored = await scalar(engine, "SELECT count(*) FROM messages WHERE connection_id = :id", id=connection_id)
    finally:
        await engine.dispose()
    if stored != INGEST_CUSTOMERS + INGEST_MESSAGES:
        raise AssertionError(f"{stored} of {INGEST_CUSTOMERS + INGEST_MESSAGES} messages stored")
    return INGEST_MESSAGES, seconds


async def _deliver_all(target: str, number: dict[str, Any], indexes: range) -> None:
    """Post one signed notification per index, `DELIVERIES_IN_FLIGHT` at a time; each must be answered 200."""
    bodies = [_notification(number, customer(0, n % INGEST_CUSTOMERS), n) for n in indexes]
    queue = [(body, signature_of(number["app_secret"], body)) for body in reversed(bodies)]
    failures: list[int] = []
    connector = aiohttp.TCPConnector(limit=DELIVERIES_IN_FLIGHT)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def deliver() -> None:
            while queue:
                body, signature = queue.pop()
                headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
                async with http.post(target, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        failures.append(response.status)

        await asyncio.gather(*(deliver() for _ in range(DELIVERIES_IN_FLIGHT)))
    if failures:
        raise AssertionError(f"{len(failures)} deliveries refused: {sorted(set(failures))}")


# ---- outbound --------------------------------------------------------------------------------------------------


async def _outbound(stack: Stack, url: str, numbers: int) -> tuple[int, float, float]:
    connection_ids = []
    for index in range(numbers):
        number = (
            await stack.simulator.client.post("/api/cloud/numbers", json={"phone": number_phone(index + 1)})
        ).json()
        connection_id = await _cloud_connection(stack, number_phone(index + 1), number)
        callback = f"{stack.server.url}/api/webhooks/cloud/{connection_id}"
        webhook = f"/api/cloud/numbers/{number['phone_number_id']}/webhook"

        async def subscribed(webhook: str = webhook, callback: str = callback) -> bool:
            # The server reads new Cloud connections at most once a second: Meta's check may come before that.
            return (await stack.simulator.client.put(webhook, json={"url": callback})).is_success

        await eventually(subscribed, timeout=10, what=f"the callback of connection {connection_id} verified")
        await stack.admin.post(f"/api/connections/{connection_id}/connect")
        await stack.wait_connected(connection_id)
        # Customers write first: the 24-hour window is open for the replies.
        await asyncio.gather(
            *(
                stack.simulator.client.post(
                    "/api/cloud/messages",
                    json={"from": customer(index + 1, chat), "to": number["phone_number_id"], "text": "oi"},
                )
                for chat in range(OUTBOUND_CHATS)
            )
        )
        connection_ids.append(connection_id)
    tickets = await _tickets(stack, numbers * OUTBOUND_CHATS)
    total = await _queue_replies(url, tickets)
    cpu_before = cpu_seconds(stack.all_pids())
    sent, seconds = await _drain(stack, url, tickets[0], total)
    return sent, seconds, cpu_seconds(stack.all_pids()) - cpu_before


async def _tickets(stack: Stack, count: int) -> list[int]:
    async def all_open() -> list[int] | None:
        found = [ticket["id"] for ticket in await all_tickets(stack.admin)]
        return found if len(found) >= count else None

    return await eventually(all_open, timeout=120, what=f"{count} tickets")


async def _queue_replies(url: str, ticket_ids: list[int]) -> int:
    """Pending replies, stored exactly as the REST route stores them, in one commit; as many per number."""
    engine = direct_engine(url)
    total = OUTBOUND_PER_NUMBER * len(ticket_ids) // OUTBOUND_CHATS
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            admin = await load_user(session, 1)
            assert admin is not None
            # Every ticket locked first, in id order, as zapdesk's own transactions that lock several do: the
            # round-robin below would otherwise deadlock with the automation locking one of them meanwhile.
            await session.execute(
                select(Ticket.id).where(Ticket.id.in_(ticket_ids)).order_by(Ticket.id).with_for_update()
            )
            for n in range(total):
                body = MessageCreate(body=f"resposta {n}", client_id=f"bench-{n}")
                await post_message(session, admin, ticket_ids[n % len(ticket_ids)], body)
    finally:
        await engine.dispose()
    return total


async def _drain(stack: Stack, url: str, ticket_id: int, total: int) -> tuple[int, float]:
    """Seconds until no reply is pending, and how many were sent; stopped after `TIMEOUT_SECONDS` (a slow run
    reports the rate it reached rather than nothing)."""
    engine = direct_engine(url)
    try:
        started = time.perf_counter()
        # One more reply through the API wakes the outboxes, as any reply does.
        await stack.admin.post(f"/api/tickets/{ticket_id}/messages", {"body": "a última", "client_id": "bench-last"})
        pending = total + 1
        while pending and time.perf_counter() - started < TIMEOUT_SECONDS:
            await asyncio.sleep(0.05)
            pending = await scalar(engine, "SELECT count(*) FROM messages WHERE status = 'pending'")
        seconds = time.perf_counter() - started
        failed = await scalar(engine, "SELECT count(*) FROM messages WHERE status = 'failed'")
        if failed:
            raise AssertionError(f"{failed} replies failed")
        return total + 1 - int(pending), seconds
    finally:
        await engine.dispose()
