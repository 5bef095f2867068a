"""(h) 1,000 numbers on one machine, with the simulator: 1,000 connections linked through the real QR flow in one
`zapdesk run` (one engine worker holding them all), their memory; then a server restart, and the time until
every one is CONNECTED again from its stored session (no scan); then one customer message to each number,
every one stored exactly once. The engine program's side (1,000 whatsmeow clients) is in (f).

Linking goes the way the admin's browser goes: create, connect, and the QR code arrives over Socket.IO
(`connection.qr`), the phone scans it on the simulator, and `connection.updated` says CONNECTED. Nothing polls,
so the benchmark measures zapdesk linking numbers, not the API answering a script's polls.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.memory import _settled_rss
from bench.report import Report
from bench.stack import Stack, database, direct_engine, running_stack, scalar
from tests.system.harness import LinkingDesk

NUMBERS = int(os.environ.get("BENCH_NUMBERS", "1000"))
LINK_AT_ONCE = 25
WRITE_AT_ONCE = 50
TARGET_RECONNECT_SECONDS = 60.0
QR_WITHIN_SECONDS = 120.0


def business(index: int) -> str:
    return f"5511966{index:06d}"


async def run(workdir: Path) -> Report:
    report = Report(
        "numbers", f"(h) {NUMBERS:,} numbers, simulator engine, PostgreSQL", ["measure", "figure", "detail"]
    )
    env = {"MAX_SESSIONS_PER_WORKER": str(NUMBERS), "RECONNECT_WATCHDOG_SECONDS": "600", "LEASE_SECONDS": "15"}
    async with database("postgresql", workdir) as url, running_stack(url, workdir, extra_env=env) as stack:
        engine = direct_engine(url)
        try:
            await _link_all(stack, report)
            await _restart(stack, engine, report)
            await _one_message_each(stack, engine, report)
        finally:
            await engine.dispose()
    return report


async def _link_all(stack: Stack, report: Report) -> None:
    baseline = await _settled_rss(stack)
    desk = await LinkingDesk().connect(stack.server.url, stack.admin.token)
    started = time.perf_counter()
    try:
        phones = [business(index) for index in range(NUMBERS)]
        await desk.link_many(stack.admin, stack.simulator, phones, at_once=LINK_AT_ONCE, within=QR_WITHIN_SECONDS)
    finally:
        await desk.close()
    linking = time.perf_counter() - started
    linked = await _settled_rss(stack)
    report.add(measure="linked by QR scan", figure=linking, detail=f"seconds for {NUMBERS:,}, {LINK_AT_ONCE} at a time")
    report.add(
        measure="memory per connected session",
        figure=(linked - baseline) * 1024 / NUMBERS,
        detail=f"KB; server + worker {baseline:.0f} MB with none, {linked:.0f} MB with {NUMBERS:,}",
    )


async def _restart(stack: Stack, engine: AsyncEngine, report: Report) -> None:
    """Stop the server (its worker stops every session, keeping its keys), start it again, and time until every
    session has said CONNECTED again: nothing scans meanwhile, so each came back from its stored session.

    A stopped worker leaves its sessions' rows as they were (CONNECTED), so only a CONNECTED stored after the
    restart counts."""
    before = await scalar(engine, "SELECT max(status_changed_at) FROM connections")
    stack.server.stop()
    started = time.perf_counter()
    await stack.server.start()
    while (connected := await _connected(engine, since=before)) < NUMBERS:
        if time.perf_counter() - started > 300:
            raise AssertionError(f"only {connected} of {NUMBERS} back after 300 s")
        await asyncio.sleep(0.5)
    back = time.perf_counter() - started
    report.add(
        f"≤ {TARGET_RECONNECT_SECONDS:.0f} s",
        back <= TARGET_RECONNECT_SECONDS,
        measure="restart → all CONNECTED, no scan",
        figure=back,
        detail="seconds, from starting the server again",
    )


async def _one_message_each(stack: Stack, engine: AsyncEngine, report: Report) -> None:
    started = time.perf_counter()
    writers = asyncio.Semaphore(WRITE_AT_ONCE)

    async def write(index: int) -> None:
        async with writers:
            await stack.simulator.customer_writes(f"5521977{index:06d}", business(index), f"numero {index}")

    await asyncio.gather(*(write(index) for index in range(NUMBERS)))
    while (stored := await _stored(engine)) < NUMBERS:
        if time.perf_counter() - started > 300:
            raise AssertionError(f"only {stored} of {NUMBERS} messages stored after 300 s")
        await asyncio.sleep(0.5)
    ingested = time.perf_counter() - started
    distinct = await scalar(engine, "SELECT count(DISTINCT connection_id) FROM messages WHERE NOT from_me")
    twice = await scalar(
        engine,
        "SELECT count(*) FROM (SELECT external_id FROM messages WHERE NOT from_me "
        "GROUP BY connection_id, external_id HAVING count(*) > 1) AS twice",
    )
    report.add(
        "every message once",
        stored == NUMBERS and distinct == NUMBERS and twice == 0,
        measure="one inbound message per number",
        figure=stored,
        detail=f"stored in {ingested:.1f} s over {distinct:,} connections, {twice} twice",
    )


async def _connected(engine: AsyncEngine, *, since: datetime) -> int:
    sql = "SELECT count(*) FROM connections WHERE status = 'CONNECTED' AND status_changed_at > :since"
    return int(await scalar(engine, sql, since=since))


async def _stored(engine: AsyncEngine) -> int:
    return int(await scalar(engine, "SELECT count(*) FROM messages WHERE NOT from_me"))
