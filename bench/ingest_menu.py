"""(j) Ingest with the queue menu on: the end-to-end drain of `ingest` (a backlog of customer messages held by the
network while the business phone was offline, drained through the engine worker to committed rows and
Socket.IO events), on PostgreSQL, with the menu off and on in turn — every chat a new customer, so every ticket
gets the greeting and the menu while the backlog drains. Target: with the menu on, at least 80 % of the rate
with it off. The machine is shared, so one drain's rate swings with whatever else runs: the runs alternate, and
the medians are compared."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from bench.ingest import drain_backlog
from bench.report import Report
from bench.stack import Stack, TimedInbox, database, running_stack

CHATS = int(os.environ.get("BENCH_MENU_CHATS", "100"))
MESSAGES = int(os.environ.get("BENCH_MENU_MESSAGES", "2000"))
ROUNDS = int(os.environ.get("BENCH_MENU_ROUNDS", "3"))
TARGET_RATIO = 0.8


async def run(workdir: Path) -> Report:
    report = Report(
        "ingest_menu",
        "(j) Ingest with the queue menu off and on, PostgreSQL, end to end",
        ["chats", "messages", "rounds", "menu off msg/s", "menu on msg/s", "on/off"],
    )
    rates: dict[bool, list[float]] = {False: [], True: []}
    async with database("postgresql", workdir) as url, running_stack(url, workdir) as stack:
        await stack.link()
        inbox = await TimedInbox().connect(stack.server.url, stack.admin.token)
        try:
            queue_ids = await _two_queues(stack)
            # Every run writes as different customers: each chat opens a ticket of its own in each run.
            for run in range(1, 2 * ROUNDS + 1):
                menu = run % 2 == 0
                await _switch_menu(stack, queue_ids, on=menu)
                rates[menu].append(await drain_backlog(stack, inbox, url, run, CHATS, MESSAGES))
        finally:
            await inbox.close()
    off, on = statistics.median(rates[False]), statistics.median(rates[True])
    ratio = on / off
    report.add(
        f"on/off >= {TARGET_RATIO:.0%}",
        ratio >= TARGET_RATIO,
        chats=CHATS,
        messages=MESSAGES,
        rounds=ROUNDS,
        **{"menu off msg/s": off, "menu on msg/s": on, "on/off": ratio},
    )
    report.notes.append(
        "the menu answers from the event log after ingest commits (automation's own step), so ingest's transaction "
        "is the same either way; what the menu adds is its replies, written and sent through the outbox meanwhile."
    )
    report.notes.append(
        "each run's rate, menu off: "
        + ", ".join(f"{rate:,.0f}" for rate in rates[False])
        + "; menu on: "
        + ", ".join(f"{rate:,.0f}" for rate in rates[True])
    )
    return report


async def _two_queues(stack: Stack) -> list[int]:
    admin = stack.admin
    return [(await admin.post("/api/queues", {"name": name}, expect=201))["id"] for name in ("Vendas", "Suporte")]


async def _switch_menu(stack: Stack, queue_ids: list[int], *, on: bool) -> None:
    """On: the connection serves both queues with its greeting and menu, as an administrator sets it up. Off: as
    linked, no queue, no greeting, no menu (nothing for automation to say)."""
    admin = stack.admin
    body = {
        "queue_ids": queue_ids if on else [],
        "greeting_message": "Olá {{first_name}}! Escolha uma opção:" if on else None,
        "automation": {"menu": {"enabled": on}},
    }
    response = await admin.client.patch(f"/api/connections/{stack.connection_id}", json=body)
    response.raise_for_status()
