"""(c) API latency on a seeded PostgreSQL database (100,000 tickets, 20,000 contacts, 1,000,000 messages): the
ticket list of each tab, ticket search and a message page, as an admin and as an agent, p50/p99.

Requests go one at a time over HTTP to `zapdesk run`, so each figure is what one user waits for (server time plus
loopback), not what a crowd gets. The seeding itself is timed and reported.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.report import Report, percentile
from bench.seed import AGENT_PASSWORD, Scale, seed
from bench.stack import BENCH_ENV, database, direct_engine
from tests.system.harness import Api, Server

REQUESTS = int(os.environ.get("BENCH_API_REQUESTS", "150"))
WARM_UP = 10
TARGET_P99_MS = 50.0
# What people type in the search box: a surname, part of a phone number, a word from a message.
SEARCHES = ("Souza", "Mariana", "98765", "reembolso", "boleto", "rastreio")
TABS: dict[str, dict[str, str]] = {
    "pending": {"status": "pending"},
    "open (mine)": {"status": "open", "assignee": "me"},
    "closed": {"status": "closed"},
    "all": {},
}


async def run(workdir: Path) -> Report:
    report = Report(
        "api",
        f"(c) API latency, PostgreSQL, {REQUESTS} sequential requests each (ms)",
        ["role", "request", "p50", "p99", "max"],
    )
    async with database("postgresql", workdir) as url:
        seeded = await seed(url, Scale())
        report.details["seed_seconds"] = {step: round(seconds, 1) for step, seconds in seeded.seconds.items()}
        report.notes.append(
            f"seeded {Scale().tickets:,} tickets, {Scale().contacts:,} contacts, {Scale().messages:,} messages in "
            f"{seeded.total_seconds:.0f} s (COPY, indexes rebuilt after)."
        )
        server = Server(database_url=url, data_dir=workdir / "data", extra_env=BENCH_ENV)
        await server.start()
        try:
            admin = await Api(server.url).login()
            agent = await Api(server.url).login("agent01@zapdesk.test", AGENT_PASSWORD)
            try:
                for role, api in (("admin", admin), ("agent", agent)):
                    await _measure_role(report, role, api, url)
            finally:
                await admin.close()
                await agent.close()
        finally:
            server.stop()
    return report


async def _measure_role(report: Report, role: str, api: Api, url: str) -> None:
    for tab, params in TABS.items():
        await _measure(report, role, f"tickets: {tab}", api, lambda _n, p=params: ("/api/tickets", p))
    samples = await _measure(
        report, role, "tickets: search", api, lambda n: ("/api/tickets", {"search": SEARCHES[n % len(SEARCHES)]})
    )
    # Which words are slow: how often a word occurs decides how the database looks for it.
    by_word: dict[str, list[float]] = {}
    for index, sample in enumerate(samples):
        by_word.setdefault(SEARCHES[(WARM_UP + index) % len(SEARCHES)], []).append(sample)
    report.details[f"search_{role}"] = {
        word: {"p50": round(percentile(times, 0.5), 1), "max": round(max(times), 1)} for word, times in by_word.items()
    }
    ticket_ids = await _visible_ticket_ids(api, url)
    rng = random.Random(7)
    await _measure(
        report,
        role,
        "messages: newest page",
        api,
        lambda _n: (f"/api/tickets/{rng.choice(ticket_ids)}/messages", {}),
    )


async def _measure(
    report: Report, role: str, name: str, api: Api, request: Callable[[int], tuple[str, dict[str, str]]]
) -> list[float]:
    """Time `REQUESTS` calls after `WARM_UP`; sample i is request `WARM_UP + i`."""
    samples: list[float] = []
    for n in range(WARM_UP + REQUESTS):
        path, params = request(n)
        started = time.perf_counter()
        response = await api.client.get(path, params=params)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise AssertionError(f"{role} GET {path} {params}: {response.status_code} {response.text[:200]}")
        if n >= WARM_UP:
            samples.append(elapsed)
    p99 = percentile(samples, 0.99)
    report.add(
        "p99 ≤ 50 ms",
        p99 <= TARGET_P99_MS,
        role=role,
        request=name,
        p50=percentile(samples, 0.5),
        p99=p99,
        max=max(samples),
    )
    return samples


async def _visible_ticket_ids(api: Api, url: str) -> list[int]:
    """Tickets this user may open, from all over the history (not only the first page of a list)."""
    me: dict[str, Any] = await api.get("/api/auth/me")
    engine = direct_engine(url)
    try:
        if me["role"] == "admin":
            query, params = "SELECT id FROM tickets ORDER BY random() LIMIT 500", {}
        else:
            query = (
                "SELECT id FROM tickets WHERE assignee_id = :me OR queue_id IN "
                "(SELECT queue_id FROM user_queues WHERE user_id = :me) ORDER BY random() LIMIT 500"
            )
            params = {"me": me["id"]}
        async with engine.connect() as connection:
            ids = [row[0] for row in await connection.execute(text(query), params)]
    finally:
        await engine.dispose()
    assert ids, f"no ticket visible to {me['email']}"
    return ids
