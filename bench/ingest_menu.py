"""(j) Ingest with the queue menu on: the end-to-end drain of `ingest` (a backlog of customer messages held by the
network while the business phone was offline, drained through the engine worker to committed rows and
Socket.IO events), on PostgreSQL, first with the menu off, then on — every chat a new customer, so every ticket
gets the greeting and the menu while the backlog drains. Target: with the menu on, at least 80 % of the rate
with it off."""

from __future__ import annotations

import os
from pathlib import Path

from bench.ingest import drain_backlog
from bench.report import Report
from bench.stack import Stack, TimedInbox, database, running_stack

CHATS = int(os.environ.get("BENCH_MENU_CHATS", "100"))
MESSAGES = int(os.environ.get("BENCH_MENU_MESSAGES", "2000"))
TARGET_RATIO = 0.8


async def run(workdir: Path) -> Report:
    report = Report(
        "ingest_menu",
        "(j) Ingest with the queue menu off and on, PostgreSQL, end to end",
        ["chats", "messages", "menu off msg/s", "menu on msg/s", "on/off"],
    )
    async with database("postgresql", workdir) as url, running_stack(url, workdir) as stack:
        await stack.link()
        inbox = await TimedInbox().connect(stack.server.url, stack.admin.token)
        try:
            # Runs 1 and 2 write as different customers: each chat opens a ticket of its own in each run.
            off = await drain_backlog(stack, inbox, url, 1, CHATS, MESSAGES)
            await _menu_on(stack)
            on = await drain_backlog(stack, inbox, url, 2, CHATS, MESSAGES)
        finally:
            await inbox.close()
    ratio = on / off
    report.add(
        f"on/off >= {TARGET_RATIO:.0%}",
        ratio >= TARGET_RATIO,
        chats=CHATS,
        messages=MESSAGES,
        **{"menu off msg/s": off, "menu on msg/s": on, "on/off": ratio},
    )
    report.notes.append(
        "the menu answers from the event log after ingest commits (automation's own step), so ingest's transaction "
        "is the same either way; what the menu adds is its replies, written and sent through the outbox meanwhile."
    )
    return report


async def _menu_on(stack: Stack) -> None:
    """Two queues on the connection and its menu switched on, as an administrator does it."""
    admin = stack.admin
    queue_ids = [(await admin.post("/api/queues", {"name": name}, expect=201))["id"] for name in ("Vendas", "Suporte")]
    body = {
        "queue_ids": queue_ids,
        "greeting_message": "Olá {{first_name}}! Escolha uma opção:",
        "automation": {"menu": {"enabled": True}},
    }
    response = await admin.client.patch(f"/api/connections/{stack.connection_id}", json=body)
    response.raise_for_status()
