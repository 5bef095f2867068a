"""(s2) How message text is best found, measured side by side: the figures behind `zapdesk.db.fulltext`'s choice.

PostgreSQL, on the seeded database of (s) (100,000 tickets, 1,000,000 messages, one 50,000-message conversation):
the ticket list's and the conversation's search queries as zapdesk builds them, run three ways over the same
folded text, interleaved: the trigram index with LIKE (what zapdesk does), a GIN index on the expression
`to_tsvector('portuguese', body_search)`, and a stored generated tsvector column with its own GIN index.

SQLite, one file of 1,000,000 messages: a word's matching messages through LIKE over the folded column (what
zapdesk did before migration 0021) and through the FTS5 index; and what the index costs the same inserts.

The full-text variants exist only here: the condition zapdesk compiles for PostgreSQL is swapped, for the engines
of this benchmark alone, by a compile rule that reads a flag on their dialect (every other engine compiles as
zapdesk does).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Boolean, ColumnElement, String, func, literal, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.compiler import SQLCompiler

from bench.report import Report, percentile
from bench.search import CONVERSATION_WORDS, LIST_WORDS, _add_words
from bench.seed import seed
from bench.stack import database, direct_engine
from tests.system.harness import ADMIN_EMAIL
from zapdesk.db.engine import create_sessionmaker
from zapdesk.db.folding import fold, folded_text_matches, search_words, word_forms
from zapdesk.db.fulltext import TOKEN, MessageTextMatches
from zapdesk.db.migrate import alembic_config
from zapdesk.messages.repository import matching_messages_page
from zapdesk.tickets.repository import TicketFilters, tickets_page_query
from zapdesk.users.models import User

ROUNDS = 20
WARM_UP = 5
WAYS = ("trigram LIKE", "tsvector expression", "tsvector column")
FULL_TEXT_INDEXES = (
    "CREATE INDEX ix_bench_body_tsv ON messages USING gin (to_tsvector('portuguese', body_search))",
    "ALTER TABLE messages ADD COLUMN body_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('portuguese', body_search)) STORED",
    "CREATE INDEX ix_bench_body_tsv_stored ON messages USING gin (body_tsv)",
)
SQLITE_MESSAGES = 1_000_000
SQLITE_VOCABULARY = [
    "ola",
    "bom",
    "dia",
    "meu",
    "pedido",
    "nao",
    "chegou",
    "ainda",
    "quero",
    "saber",
    "do",
    "boleto",
    "entrega",
    "atrasou",
    "preciso",
    "ajuda",
    "acao",
    "obrigado",
    "cliente",
    "loja",
    "troca",
]
SQLITE_WORDS = {"1 in 3": "boleto", "1 in 700": "garantia", "10 messages": "procon", "absent": "xilofone"}
INSERT = (
    "INSERT INTO messages (ticket_id, contact_id, connection_id, from_me, body, body_search, type, extra, reactions, "
    "external_id, status, send_attempts, is_edited, is_deleted, sent_at, created_at, updated_at) VALUES "
    "(?, 1, 1, 0, ?, ?, 'text', '{}', '{}', ?, 'read', 0, 0, 0, '2026-01-01', '2026-01-01', '2026-01-01')"
)


@compiles(MessageTextMatches, "postgresql")
def _full_text_for_this_benchmark(element: MessageTextMatches, compiler: SQLCompiler, **kw: Any) -> str:
    way = getattr(compiler.dialect, "bench_way", WAYS[0])
    if way == WAYS[0]:
        return compiler.process(folded_text_matches(element.folded_text, element.typed).self_group(), **kw)
    vector: ColumnElement[Any] = (
        func.to_tsvector(literal_column("'portuguese'"), element.folded_text)
        if way == WAYS[1]
        else literal_column(compiler.process(element.folded_text, **kw).replace("body_search", "body_tsv"))
    )
    query = func.to_tsquery(
        literal_column("'portuguese'"), literal(_tsquery(element.typed), String, literal_execute=True)
    )
    return compiler.process(vector.op("@@", return_type=Boolean)(query).self_group(), **kw)


def _tsquery(typed: str) -> str:
    """Every word, any of its forms, each a prefix (as SQLite's FTS5 query asks)."""
    groups = []
    for word in search_words(typed):
        forms = sorted(" <-> ".join(TOKEN.findall(form)) + ":*" for form in word_forms(word) if TOKEN.search(form))
        groups += [f"({' | '.join(forms)})"] if forms else []
    return " & ".join(groups)


async def run(workdir: Path) -> Report:
    report = Report(
        "search_indexes",
        f"(s2) finding words in message text, three ways on PostgreSQL and two on SQLite, {ROUNDS} rounds (ms)",
        ["database", "request", "way", "p50", "p99", "found"],
    )
    await _postgresql(workdir, report)
    # In a thread: the migrations run their own event loop.
    await asyncio.to_thread(_sqlite, workdir, report)
    return report


async def _postgresql(workdir: Path, report: Report) -> None:
    async with database("postgresql", workdir) as url:
        await seed(url)
        conversation = await _add_words(url)
        setup = direct_engine(url)
        try:
            async with setup.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                started = time.perf_counter()
                for statement in FULL_TEXT_INDEXES:
                    await connection.execute(text(statement))
                await connection.execute(text("VACUUM (ANALYZE) messages"))
                sizes = await connection.execute(
                    text(
                        "SELECT relname, pg_size_pretty(pg_relation_size(oid)) FROM pg_class WHERE relname IN "
                        "('ix_messages_body_search_trgm', 'ix_bench_body_tsv', 'ix_bench_body_tsv_stored')"
                    )
                )
                report.notes.append(
                    f"full-text indexes and column built in {time.perf_counter() - started:.0f} s; index sizes: "
                    + ", ".join(f"{name} {size}" for name, size in sizes)
                )
        finally:
            await setup.dispose()
        engines = {way: direct_engine(url) for way in WAYS}
        try:
            for way, engine in engines.items():
                engine.dialect.bench_way = way  # a flag of this benchmark's own
            samples, found = await _time_postgresql(engines, conversation)
        finally:
            for engine in engines.values():
                await engine.dispose()
    _add_rows(report, "PostgreSQL", samples, found)


def _add_rows(
    report: Report, database: str, samples: dict[tuple[str, str], list[float]], found: dict[tuple[str, str], int]
) -> None:
    for (request, way), times in samples.items():
        report.add(
            database=database,
            request=request,
            way=way,
            p50=percentile(times, 0.5),
            p99=percentile(times, 0.99),
            found=found[(request, way)],
        )


async def _time_postgresql(
    engines: dict[str, AsyncEngine], conversation: int
) -> tuple[dict[tuple[str, str], list[float]], dict[tuple[str, str], int]]:
    samples: dict[tuple[str, str], list[float]] = {}
    found: dict[tuple[str, str], int] = {}
    sessions = {way: create_sessionmaker(engine)() for way, engine in engines.items()}
    try:
        user_query = select(User).where(User.email == ADMIN_EMAIL).options(selectinload(User.queues))
        admin = (await sessions[WAYS[0]].execute(user_query)).scalar_one()
        for round_ in range(WARM_UP + ROUNDS):
            for way, session in sessions.items():
                for band, word in LIST_WORDS.items():
                    started = time.perf_counter()
                    query = tickets_page_query(admin, TicketFilters(search=word), after=None, limit=30)
                    count = len((await session.execute(query)).scalars().unique().all())
                    _sample(samples, found, (f"list: {band} ({word})", way), started, round_, count)
                for band, word in CONVERSATION_WORDS.items():
                    started = time.perf_counter()
                    page, _ = await matching_messages_page(session, conversation, word, limit=30, cursor=None)
                    _sample(samples, found, (f"in conversation: {band} ({word})", way), started, round_, len(page))
                session.expunge_all()
    finally:
        for session in sessions.values():
            await session.close()
    return samples, found


def _sample(
    samples: dict[tuple[str, str], list[float]],
    found: dict[tuple[str, str], int],
    key: tuple[str, str],
    started: float,
    round_: int,
    count: int,
) -> None:
    if round_ >= WARM_UP:
        samples.setdefault(key, []).append((time.perf_counter() - started) * 1000)
    found[key] = count


def _sqlite(workdir: Path, report: Report) -> None:
    plain, indexed = workdir / "before.db", workdir / "fts5.db"
    for path, revision in ((plain, "0019"), (indexed, "head")):
        command.upgrade(alembic_config(f"sqlite+aiosqlite:///{path}"), revision)
    rates = _insert_rates(plain, indexed)
    report.notes.append(
        "SQLite inserts, 500 rows per transaction, rows/s (median of 6, alternated): without the word index "
        f"{rates[0]:,.0f}, with it {rates[1]:,.0f}"
    )
    connection = sqlite3.connect(indexed)
    try:
        samples: dict[tuple[str, str], list[float]] = {}
        counts: dict[tuple[str, str], int] = {}
        ways = {
            "LIKE": ("SELECT id FROM messages WHERE body_search LIKE ? ORDER BY id DESC LIMIT 2001", "%{}%"),
            "FTS5": (
                "SELECT id FROM messages WHERE id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) "
                "ORDER BY id DESC LIMIT 2001",
                '"{}"*',
            ),
        }
        for round_ in range(WARM_UP + ROUNDS // 2):
            for band, word in SQLITE_WORDS.items():
                for way, (sql, pattern) in ways.items():
                    started = time.perf_counter()
                    count = len(connection.execute(sql, (pattern.format(word),)).fetchall())
                    _sample(samples, counts, (f"up to 2,001 newest: {band} ({word})", way), started, round_, count)
    finally:
        connection.close()
    _add_rows(report, "SQLite", samples, counts)


def _insert_rates(plain: Path, indexed: Path) -> tuple[float, float]:
    """Rows per second inserting the same kind of rows into both files in turn; the indexed file ends up with
    `SQLITE_MESSAGES` messages for the search figures."""
    chooser = random.Random(13)
    rates: dict[Path, list[float]] = {plain: [], indexed: []}
    batch_rows = 10_000
    for batch in range(SQLITE_MESSAGES // batch_rows):
        rows = [_row(chooser, batch * batch_rows + n + 1) for n in range(batch_rows)]
        for path in (plain, indexed) if batch < 6 else (indexed,):
            connection = sqlite3.connect(path)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            started = time.perf_counter()
            for first in range(0, batch_rows, 500):
                connection.executemany(INSERT, rows[first : first + 500])
                connection.commit()
            rates[path].append(batch_rows / (time.perf_counter() - started))
            connection.close()
    return percentile(rates[plain], 0.5), percentile(rates[indexed][:6], 0.5)


def _row(chooser: random.Random, number: int) -> tuple[int, str, str, str]:
    words = [chooser.choice(SQLITE_VOCABULARY) for _ in range(chooser.randint(3, 12))]
    words += ["garantia"] if number % 700 == 0 else []
    words += ["procon"] if number % 100_000 == 0 else []
    body = " ".join(words)
    return number % 100_000, body, fold(body), f"B{number}"
