"""(e) Outbound throughput with pacing off: pending replies → sent, per second, on PostgreSQL.

Agents' replies are queued the way the API queues them (`messages.service.post_message`, in one transaction so
the outbox finds them all at once), then one more reply through the REST API wakes the outbox, as a reply does.
The clock runs from that request until no reply is pending. Delivery receipts come back meanwhile (the simulated
phones are online), so the worker also ingests those, as it would in real life.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from bench.report import Report
from bench.stack import BUSINESS, Stack, database, direct_engine, running_stack, scalar
from tests.system.harness import eventually
from zapdesk.db.engine import create_sessionmaker
from zapdesk.db.uow import unit_of_work
from zapdesk.messages.schemas import MessageCreate
from zapdesk.messages.service import post_message
from zapdesk.users.repository import load_user

MESSAGES = int(os.environ.get("BENCH_OUTBOUND_MESSAGES", "500"))
CHATS = 20
TIMEOUT_SECONDS = 180.0


def customer(chat: int) -> str:
    return f"554{chat:09d}"


async def run(workdir: Path) -> Report:
    report = Report(
        "outbound",
        "(e) Outbound, pacing off (outbound_min_interval_ms = 0), PostgreSQL, one connection",
        ["replies", "chats", "seconds", "sent/s", "failed"],
    )
    async with database("postgresql", workdir) as url, running_stack(url, workdir) as stack:
        await stack.link()
        response = await stack.admin.client.put("/api/settings/outbound_min_interval_ms", json={"value": 0})
        response.raise_for_status()
        ticket_ids = await _open_chats(stack)
        await _queue_replies(url, ticket_ids)
        seconds, failed = await _drain(stack, url, ticket_ids[0])
        report.add(
            replies=MESSAGES + 1,
            chats=CHATS,
            seconds=seconds,
            **{"sent/s": (MESSAGES + 1 - failed) / seconds, "failed": failed},
        )
    report.notes.append(
        "the outbox sends one connection's replies one at a time, in order; each send is a request to the simulator "
        "and two transactions (claim, mark sent)."
    )
    return report


async def _open_chats(stack: Stack) -> list[int]:
    await asyncio.gather(*(stack.simulator.customer_writes(customer(n), BUSINESS, "oi") for n in range(CHATS)))

    async def all_open() -> list[int] | None:
        items = (await stack.admin.get("/api/tickets", limit=100))["items"]
        return [item["id"] for item in items] if len(items) >= CHATS else None

    return await eventually(all_open, timeout=60, what=f"{CHATS} tickets")


async def _queue_replies(url: str, ticket_ids: list[int]) -> None:
    """Store the replies as pending, exactly as the REST route does, all in one commit."""
    engine = direct_engine(url)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            admin = await load_user(session, 1)
            assert admin is not None
            for n in range(MESSAGES):
                body = MessageCreate(body=f"resposta {n}", client_id=f"bench-{n}")
                await post_message(session, admin, ticket_ids[n % len(ticket_ids)], body)
    finally:
        await engine.dispose()


async def _drain(stack: Stack, url: str, ticket_id: int) -> tuple[float, int]:
    engine = direct_engine(url)
    try:
        started = time.perf_counter()
        await stack.admin.post(f"/api/tickets/{ticket_id}/messages", {"body": "a última", "client_id": "bench-last"})
        pending = MESSAGES + 1
        while pending and time.perf_counter() - started < TIMEOUT_SECONDS:
            await asyncio.sleep(0.05)
            pending = await scalar(engine, "SELECT count(*) FROM messages WHERE status = 'pending'")
        seconds = time.perf_counter() - started
        if pending:
            raise AssertionError(f"{pending} replies still pending after {TIMEOUT_SECONDS:g} s")
        failed = await scalar(engine, "SELECT count(*) FROM messages WHERE status = 'failed'")
        return seconds, int(failed)
    finally:
        await engine.dispose()
