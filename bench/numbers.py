"""(h) 1,000 numbers on one machine, with the simulator: 1,000 connections linked through the real QR flow in one
`zapdesk run` (one engine worker holding them all), their memory; then a server restart, and the time until
every one is CONNECTED again from its stored session (no scan); then one customer message to each number,
every one stored exactly once. The engine program's side (1,000 whatsmeow clients) is in (f)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from bench.memory import _settled_rss
from bench.report import Report
from bench.stack import database, direct_engine, running_stack, scalar
from tests.system.harness import link_connection

NUMBERS = int(os.environ.get("BENCH_NUMBERS", "1000"))
LINK_AT_ONCE = 10
WRITE_AT_ONCE = 50
TARGET_RECONNECT_SECONDS = 60.0


def business(index: int) -> str:
    return f"5511966{index:06d}"


async def run(workdir: Path) -> Report:
    report = Report(
        "numbers", f"(h) {NUMBERS:,} numbers, simulator engine, PostgreSQL", ["measure", "figure", "detail"]
    )
    # Production lease timing: the test harness's 3 s leases expire under a loaded machine while 1,000 link.
    env = {"MAX_SESSIONS_PER_WORKER": str(NUMBERS), "RECONNECT_WATCHDOG_SECONDS": "600", "LEASE_SECONDS": "15"}
    async with database("postgresql", workdir) as url, running_stack(url, workdir, extra_env=env) as stack:
        baseline = await _settled_rss(stack)
        started = time.perf_counter()
        gate = asyncio.Semaphore(LINK_AT_ONCE)

        async def link(index: int) -> None:
            async with gate:
                await link_connection(stack.admin, stack.simulator, f"Número {index}", business(index), qr_within=300)

        engine = direct_engine(url)
        # A scan is what links; the worker may take longer than the harness's 20 s to say CONNECTED when a
        # thousand sessions share two loaded cores: count the links by the database, with time to spare.
        outcomes = await asyncio.gather(*(link(index) for index in range(NUMBERS)), return_exceptions=True)
        late = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if any("CONNECTED" not in str(outcome) for outcome in late):
            raise next(outcome for outcome in late if "CONNECTED" not in str(outcome))
        while await _connected(engine) < NUMBERS:
            if time.perf_counter() - started > 3600:
                raise AssertionError(f"only {await _connected(engine)} of {NUMBERS} linked after an hour")
            await asyncio.sleep(1)
        linking = time.perf_counter() - started
        linked = await _settled_rss(stack)
        report.add(
            measure="linked by QR scan", figure=linking, detail=f"seconds for {NUMBERS:,}, {LINK_AT_ONCE} at a time"
        )
        report.add(
            measure="memory per connected session",
            figure=(linked - baseline) * 1024 / NUMBERS,
            detail=f"KB; server + worker {baseline:.0f} MB with none, {linked:.0f} MB with {NUMBERS:,}",
        )

        try:
            stack.server.stop()
            started = time.perf_counter()
            await stack.server.start()
            while await _connected(engine) < NUMBERS:
                if time.perf_counter() - started > 300:
                    raise AssertionError(f"only {await _connected(engine)} of {NUMBERS} back after 300 s")
                await asyncio.sleep(0.5)
            back = time.perf_counter() - started
            report.add(
                f"≤ {TARGET_RECONNECT_SECONDS:.0f} s",
                back <= TARGET_RECONNECT_SECONDS,
                measure="restart → all CONNECTED, no scan",
                figure=back,
                detail="seconds, from starting the server again",
            )

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
            exact = await scalar(
                engine,
                "SELECT count(*) FROM (SELECT external_id FROM messages WHERE NOT from_me "
                "GROUP BY connection_id, external_id HAVING count(*) > 1) AS twice",
            )
        finally:
            await engine.dispose()
        ok = stored == NUMBERS and distinct == NUMBERS and exact == 0
        report.add(
            "every message once",
            ok,
            measure="one inbound message per number",
            figure=stored,
            detail=f"stored in {ingested:.1f} s over {distinct:,} connections, {exact} twice",
        )
    return report


async def _connected(engine: object) -> int:
    return int(await scalar(engine, "SELECT count(*) FROM connections WHERE status = 'CONNECTED'"))  # type: ignore[arg-type]


async def _stored(engine: object) -> int:
    return int(await scalar(engine, "SELECT count(*) FROM messages WHERE NOT from_me"))  # type: ignore[arg-type]
