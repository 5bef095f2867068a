"""(s) Search on a seeded PostgreSQL database (100,000 tickets, 1,000,000 messages, as `bench.seed` makes it),
plus one conversation of 50,000 messages: the ticket list's search for words of every frequency band, and the
search inside that conversation, as an admin and as an agent, p50/p99.

Requests go one at a time over HTTP to `zapdesk run`, interleaved (each round asks every case once), so a burst of
load from elsewhere on the machine hits every row alike; `/api/auth/me` is the floor every request pays. The same
run also times each search's query alone, built by zapdesk's own code and run through its engine without HTTP,
JSON or the server around it: what the database takes, a reference for how much of a slow figure is the search.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from bench.api_latency import Case, measure
from bench.report import Report, percentile
from bench.seed import seeded_desk
from bench.stack import direct_engine
from tests.system.harness import ADMIN_EMAIL, Api
from zapdesk.db.engine import create_sessionmaker
from zapdesk.messages.repository import matching_messages_page
from zapdesk.tickets.repository import TicketFilters, tickets_page_query
from zapdesk.users.models import User

REQUESTS = int(os.environ.get("BENCH_SEARCH_REQUESTS", "100"))
WARM_UP = 5
# p99 targets by kind of request (the issue's).
TARGETS_MS = {"list": 50.0, "in conversation": 30.0}
CONVERSATION_MESSAGES = 50_000

# Words by how many of the 1,000,000 messages hold them (the seed's phrases, and what `_add_words` writes).
LIST_WORDS = {
    "frequent": "boleto",  # a customer phrase: about 1 message in 28
    "frequent, plural": "pedidos",  # finds "pedido", in about 1 message in 14
    "middling": "garantia",  # written into 1 message in 700
    "rare": "procon",  # written into 10 messages
    "absent": "xilofone",
    "contact name": "Mariana",
    "phone digits": "98765",
}
CONVERSATION_WORDS = {
    "frequent": "entrega",  # 1 message in 3 of the conversation
    "middling": "garantia",  # 1 in 500
    "rare": "procon",  # 1
    "absent": "xilofone",
}


async def run(workdir: Path) -> Report:
    report = Report(
        "search",
        f"(s) search, PostgreSQL, 100,000 tickets / 1,000,000 messages, {REQUESTS} requests each, interleaved (ms)",
        ["role", "request", "p50", "p99", "max", "query p50", "query p99", "found"],
    )
    async with seeded_desk(workdir) as desk:
        started = time.perf_counter()
        conversation = await _add_words(desk.url)
        report.notes.append(
            f"seeded in {desk.report.total_seconds:.0f} s; the words and the 50,000-message conversation (ticket "
            f"{conversation}) added in {time.perf_counter() - started:.0f} s."
        )
        personas = (("admin", desk.admin), ("agent", desk.agent))
        cases = [case for role, api in personas for case in _cases(role, api, conversation)]
        found = {(case.role, case.name): await _found(case) for case in cases}
        await measure(cases, warm_up=WARM_UP, rounds=REQUESTS)
        alone = await _queries_alone(desk.url, conversation)
    for case in cases:
        p99 = percentile(case.samples, 0.99)
        target = TARGETS_MS.get(case.name.split(":")[0])
        report.add(
            f"p99 ≤ {target:.0f} ms" if target else "",
            p99 <= target if target else None,
            role=case.role,
            request=case.name,
            p50=percentile(case.samples, 0.5),
            p99=p99,
            max=max(case.samples),
            **_query_figures(alone.get((case.role, case.name))),
            found=found[(case.role, case.name)],
        )
    report.notes.append("found: the items of the first page (at most 30): each word finds what it should.")
    return report


def _cases(role: str, api: Api, conversation: int) -> list[Case]:
    def get(path: str, params: dict[str, str]) -> Callable[[int], tuple[str, dict[str, str]]]:
        return lambda _n: (path, params)

    cases = [Case(role, "floor: /api/auth/me", api, get("/api/auth/me", {}), target=False)]
    cases += [
        Case(role, f"list: {band} ({word})", api, get("/api/tickets", {"search": word}))
        for band, word in LIST_WORDS.items()
    ]
    search_in_conversation = f"/api/tickets/{conversation}/messages/search"
    cases += [
        Case(role, f"in conversation: {band} ({word})", api, get(search_in_conversation, {"q": word}))
        for band, word in CONVERSATION_WORDS.items()
    ]
    return cases


async def _found(case: Case) -> int:
    path, params = case.request(0)
    body: dict[str, Any] = await case.api.get(path, **params)
    return len(body["items"]) if "items" in body else 1


async def _queries_alone(url: str, conversation: int) -> dict[tuple[str, str], list[float]]:
    """Each search's query, as the server builds it for the same user, timed alone, `REQUESTS` rounds interleaved."""
    engine = direct_engine(url)
    samples: dict[tuple[str, str], list[float]] = {}
    try:
        async with create_sessionmaker(engine)() as session:
            users = {}
            for role, email in (("admin", ADMIN_EMAIL), ("agent", "agent01@zapdesk.test")):
                found = select(User).where(User.email == email).options(selectinload(User.queues))
                users[role] = (await session.execute(found)).scalar_one()
            for n in range(WARM_UP + REQUESTS):
                for role, user in users.items():
                    for band, word in LIST_WORDS.items():
                        query = tickets_page_query(user, TicketFilters(search=word), after=None, limit=30)
                        started = time.perf_counter()
                        (await session.execute(query)).scalars().unique().all()
                        _sample(samples, (role, f"list: {band} ({word})"), started, n)
                    for band, word in CONVERSATION_WORDS.items():
                        started = time.perf_counter()
                        await matching_messages_page(session, conversation, word, limit=30, cursor=None)
                        _sample(samples, (role, f"in conversation: {band} ({word})"), started, n)
                session.expunge_all()
    finally:
        await engine.dispose()
    return samples


def _query_figures(samples: list[float] | None) -> dict[str, float | str]:
    if not samples:
        return {}
    return {"query p50": percentile(samples, 0.5), "query p99": percentile(samples, 0.99)}


def _sample(samples: dict[tuple[str, str], list[float]], key: tuple[str, str], started: float, n: int) -> None:
    if n >= WARM_UP:
        samples.setdefault(key, []).append((time.perf_counter() - started) * 1000)


async def _add_words(url: str) -> int:
    """Write the middling and rare words into the seeded messages, and give one ticket the agent sees a
    conversation of `CONVERSATION_MESSAGES` messages; returns that ticket's id."""
    engine = direct_engine(url)
    try:
        async with engine.begin() as connection:
            for word, every in (("garantia", 700), ("procon", 100_000)):
                await connection.execute(
                    text(
                        "UPDATE messages SET body = body || ' ' || :word, body_search = body_search || ' ' || :word "
                        "WHERE id % :every = 0"
                    ),
                    {"word": word, "every": every},
                )
            conversation = (
                await connection.execute(
                    text(
                        "SELECT t.id FROM tickets t JOIN user_queues q ON q.queue_id = t.queue_id "
                        "JOIN users u ON u.id = q.user_id WHERE u.email = 'agent01@zapdesk.test' "
                        "ORDER BY t.id LIMIT 1"
                    )
                )
            ).scalar_one()
            # Plain lower-case ASCII, so the folded text is the text itself.
            body = (
                "'mensagem ' || g || CASE WHEN g % 3 = 0 THEN ' sobre a entrega' ELSE '' END"
                " || CASE WHEN g % 500 = 0 THEN ' e a garantia' ELSE '' END"
                " || CASE WHEN g = 12345 THEN ' vou ao procon' ELSE '' END"
            )
            await connection.execute(
                text(
                    "INSERT INTO messages (ticket_id, contact_id, connection_id, from_me, body, body_search, type, "
                    "extra, reactions, external_id, status, send_attempts, is_edited, is_deleted, sent_at, "
                    f"created_at, updated_at) SELECT t.id, t.contact_id, t.connection_id, g % 2 = 1, {body}, {body}, "
                    "'text', '{}', '{}', 'LONG' || g, 'read', 0, false, false, now(), now(), now() "
                    "FROM tickets t, generate_series(1, :count) g WHERE t.id = :ticket"
                ),
                {"count": CONVERSATION_MESSAGES, "ticket": conversation},
            )
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM (ANALYZE) messages"))
        return int(conversation)
    finally:
        await engine.dispose()
