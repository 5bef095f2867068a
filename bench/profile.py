"""(g) Where the per-message CPU of ingest goes: cProfile over the worker's ingest function (batches of
`MAX_EVENTS_PER_TRANSACTION`, 100 chats, PostgreSQL), after a warm-up batch, grouped by who spends it."""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from bench.ingest import _connection, inbound, written
from bench.report import Report
from bench.stack import database
from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.db.migrate import upgrade_to_head
from zapdesk.db.uow import unit_of_work
from zapdesk.ingest.service import Inbound
from zapdesk.worker.group_commit import MAX_EVENTS_PER_TRANSACTION
from zapdesk.worker.pipeline import runner_deps

MESSAGES = 5000
CHATS = 100
# Where a function's file lives → who spends its time.
AREAS = (
    ("SQLAlchemy (ORM, Core, compiling, results)", ("/sqlalchemy/",)),
    ("database driver (asyncpg)", ("/asyncpg/",)),
    ("zapdesk (ingest, services, events)", ("/zapdesk/",)),
    ("asyncio and greenlet plumbing", ("/asyncio/", "greenlet")),
)


def area_of(filename: str) -> str:
    for name, markers in AREAS:
        if any(marker in filename for marker in markers):
            return name
    return "other (standard library, builtins)"


async def run(workdir: Path) -> Report:
    report = Report("profile", "(g) Ingest CPU per message, by who spends it (PostgreSQL)", ["area", "share", "ms/msg"])
    async with database("postgresql", workdir) as url:
        settings = Settings(database_url=url, data_dir=workdir / "data")
        await asyncio.to_thread(upgrade_to_head, settings.migration_database_url)
        context = AppContext.from_settings(settings)
        try:
            profile, count, cpu = await _profiled_ingest(context, settings)
        finally:
            await context.close()
    stats = pstats.Stats(profile)
    by_area: dict[str, float] = defaultdict(float)
    total = 0.0
    top: list[tuple[float, str]] = []
    for (filename, line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by_area[area_of(filename)] += tottime
        total += tottime
        top.append((tottime, f"{Path(filename).name}:{line} {function}"))
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1]):
        report.add(area=area, share=f"{seconds / total:.0%}", **{"ms/msg": seconds * 1000 / count})
    report.add(area="all (without the profiler)", share="100%", **{"ms/msg": cpu * 1000 / count})
    for seconds, where in sorted(top, reverse=True)[:8]:
        report.notes.append(f"{seconds * 1000 / count:.3f} ms/msg in {where}")
    return report


async def _profiled_ingest(context: AppContext, settings: Settings) -> tuple[cProfile.Profile, int, float]:
    async def sink(_events: Sequence[Published]) -> None:
        return None

    deps = runner_deps(settings, context.sessionmaker, sink)
    connection_id = await _connection(context, "postgresql")
    events = [
        Inbound(connection_id, event)
        for event in inbound("PROF", written(9, CHATS, MESSAGES + MAX_EVENTS_PER_TRANSACTION))
    ]
    batches = [events[i : i + MAX_EVENTS_PER_TRANSACTION] for i in range(0, len(events), MAX_EVENTS_PER_TRANSACTION)]
    # The first batch creates the contacts and tickets: not the steady state being profiled.
    async with unit_of_work(context.sessionmaker, deps.sink) as session:
        await deps.ingest(session, batches[0])
    started = time.process_time()
    for batch in batches[1:]:
        async with unit_of_work(context.sessionmaker, deps.sink) as session:
            await deps.ingest(session, batch)
    cpu = time.process_time() - started
    profile = cProfile.Profile(time.process_time)  # CPU time: waiting on the database is not counted
    events_again = [Inbound(connection_id, event) for event in inbound("PROF2X", written(9, CHATS, MESSAGES))]
    profile.enable()
    for start in range(0, len(events_again), MAX_EVENTS_PER_TRANSACTION):
        async with unit_of_work(context.sessionmaker, deps.sink) as session:
            await deps.ingest(session, events_again[start : start + MAX_EVENTS_PER_TRANSACTION])
    profile.disable()
    return profile, MESSAGES, cpu
