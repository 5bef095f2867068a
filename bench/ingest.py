"""(a) Inbound ingest: messages per second from the simulator through to committed rows and published events.

For each database and each number of concurrent chats, three rates from the same run:
- in process (first, for about `IN_PROCESS_SECONDS`): the worker's own ingest function (`ingest_batch` in a
  `unit_of_work`, as many messages per transaction as a worker takes from a backlog), with no HTTP, WebSocket
  or Socket.IO: what the database work alone allows. Its CPU time per message is shown too.
- ceiling: the rows that run stored, inserted again into `messages` as plain single-row INSERTs through
  SQLAlchemy Core on zapdesk's own engine settings, committed as often as the worker commits (every
  `MAX_EVENTS_PER_TRANSACTION` rows): what the driver and database allow at all. For comparison, the same
  rows in one transaction each (what a pipeline committing every message could reach at most).
- end to end: customers write while the business phone is offline, so the simulator holds a backlog (sized to
  drain in about `DRAIN_SECONDS` at the in-process rate); the device then comes back and the backlog drains
  through the engine worker (WebSocket frame → ingest → commit → event to the server → Socket.IO). Rate =
  messages / (last `message.created` - first), as received by a Socket.IO client; every row is counted after.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.report import Report
from bench.stack import BUSINESS, Stack, TimedInbox, database, direct_engine, running_stack, scalar
from tests.system.harness import eventually, wait_for_status
from zapdesk.config import Settings
from zapdesk.connections.models import Connection, ConnectionStatus, Provider
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.db.migrate import upgrade_to_head
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.events import Chat, MessageReceived, Sender, TextContent
from zapdesk.events import MessageCreated
from zapdesk.ingest.service import Inbound
from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.tickets.models import Ticket
from zapdesk.worker.group_commit import MAX_EVENTS_PER_TRANSACTION
from zapdesk.worker.pipeline import runner_deps

# Each in-process run lasts about this long; the end-to-end backlog is sized from its rate to drain in about
# `DRAIN_SECONDS` (between `MIN_MESSAGES` and `MAX_MESSAGES`), so a slow machine still finishes in time.
IN_PROCESS_SECONDS = float(os.environ.get("BENCH_INGEST_SECONDS", "3"))
DRAIN_SECONDS = float(os.environ.get("BENCH_DRAIN_SECONDS", "4"))
MIN_MESSAGES, MAX_MESSAGES = 100, 5000
IN_PROCESS_MESSAGES = 20_000  # at most, in one in-process run
# One row per transaction is slow: a sample of the rows is enough to know its rate.
PER_ROW_SAMPLE = 1000
CHATS = (1, 10, 100)
DATABASES = ("sqlite", "postgresql")
TARGET_RATE = 1000.0
TARGET_RATIO = 0.5


@dataclass(frozen=True, slots=True)
class Figures:
    messages: int  # in the end-to-end backlog
    end_to_end: float
    in_process: Rate
    ceiling: Rate  # committed as often as the worker commits
    ceiling_per_row: Rate  # one transaction per row
    ceiling_multi_row: Rate  # one INSERT statement per transaction's rows
    ceiling_copy: Rate | None  # COPY (PostgreSQL only)


@dataclass(frozen=True, slots=True)
class Rate:
    per_second: float
    cpu_ms: float  # this process's CPU time per message: what Python spends, apart from waiting on the database


def customer(run: int, chat: int) -> str:
    return f"552{run}{chat:08d}"


def written(run: int, chats: int, count: int) -> list[tuple[str, str]]:
    """(customer, text) in the order they are written: round robin over the chats."""
    return [(customer(run, n % chats), f"bench {run} message {n}") for n in range(count)]


def inbound(id_prefix: str, messages: list[tuple[str, str]]) -> list[MessageReceived]:
    """The engine's events for (customer, text) pairs, with ids `id_prefix` + their position."""
    return [
        MessageReceived(
            external_id=f"{id_prefix}{n}",
            chat=Chat(phone),
            sender=Sender(phone, push_name=f"Cliente {phone[-4:]}"),
            from_me=False,
            timestamp=datetime.now(UTC),
            content=TextContent(body),
        )
        for n, (phone, body) in enumerate(messages)
    ]


async def run(workdir: Path) -> Report:
    report = Report(
        "ingest",
        "(a) Inbound ingest (messages/s)",
        [
            "database",
            "chats",
            "backlog",
            "end-to-end",
            "in-process ingest",
            "insert ceiling",
            "e2e / ceiling",
            "ingest / ceiling",
            "CPU ms: ingest",
            "CPU ms: insert",
            "ceiling, 1 row/tx",
            "multi-row INSERT",
            "COPY",
            "multi-row / single-row",
            "e2e / COPY",
        ],
    )
    for kind in DATABASES:
        async with database(kind, workdir / kind) as url:
            figures = await _measure(kind, url, workdir / kind)
        for chats, measured in figures.items():
            ratio = measured.end_to_end / measured.ceiling.per_second
            ok = ratio >= TARGET_RATIO and (kind != "postgresql" or measured.end_to_end >= TARGET_RATE)
            target = "≥ 1,000/s and ≥ 50%" if kind == "postgresql" else "≥ 50%"
            report.add(
                target,
                ok,
                **{
                    "database": kind,
                    "chats": chats,
                    "backlog": measured.messages,
                    "end-to-end": measured.end_to_end,
                    "in-process ingest": measured.in_process.per_second,
                    "insert ceiling": measured.ceiling.per_second,
                    "e2e / ceiling": f"{ratio:.0%}",
                    "ingest / ceiling": f"{measured.in_process.per_second / measured.ceiling.per_second:.0%}",
                    "CPU ms: ingest": measured.in_process.cpu_ms,
                    "CPU ms: insert": measured.ceiling.cpu_ms,
                    "ceiling, 1 row/tx": measured.ceiling_per_row.per_second,
                    "multi-row INSERT": measured.ceiling_multi_row.per_second,
                    "COPY": measured.ceiling_copy.per_second if measured.ceiling_copy else math.nan,
                    "multi-row / single-row": (
                        f"{measured.ceiling_multi_row.per_second / measured.ceiling.per_second:.1f}x"
                    ),
                    "e2e / COPY": (
                        f"{measured.end_to_end / measured.ceiling_copy.per_second:.1%}"
                        if measured.ceiling_copy
                        else "n/a"
                    ),
                },
            )
    report.notes.append(
        "end-to-end: a backlog held by the simulator drains through the engine worker to a Socket.IO client; "
        f"in-process: the worker's ingest function alone, up to {MAX_EVENTS_PER_TRANSACTION} messages per "
        "transaction as from a backlog; ceiling: the same rows as single-row INSERTs on the same engine, committed "
        f"every {MAX_EVENTS_PER_TRANSACTION} rows (ceiling, 1 row/tx: one transaction per row); multi-row INSERT: the "
        f"same rows as one INSERT of {MAX_EVENTS_PER_TRANSACTION} rows per transaction; COPY: PostgreSQL's bulk load "
        "of the same rows (SQLite has none), in the same run."
    )
    return report


async def _measure(kind: str, url: str, workdir: Path) -> dict[int, Figures]:
    settings = Settings(database_url=url, data_dir=workdir / "in-process")
    await asyncio.to_thread(upgrade_to_head, settings.migration_database_url)
    # First alone on the database: the worker's ingest function, then the plain inserts of the same rows.
    alone: dict[int, tuple[Rate, Rate, Rate, Rate, Rate | None]] = {}
    context = AppContext.from_settings(settings)
    try:
        connection_id = await _connection(context, kind)
        for run, chats in enumerate(CHATS, start=len(CHATS) + 1):
            count, in_process = await _ingest_in_process(context, settings, connection_id, run, chats)
            ceiling = await _insert_ceiling(context, connection_id, run, chats, count, MAX_EVENTS_PER_TRANSACTION)
            per_row = await _insert_ceiling(context, connection_id, run, chats, min(count, PER_ROW_SAMPLE), 1)
            multi = await _insert_ceiling(
                context, connection_id, run, chats, count, MAX_EVENTS_PER_TRANSACTION, mode="multi"
            )
            copy = None
            if kind == "postgresql":
                copy = await _insert_ceiling(
                    context, connection_id, run, chats, count, MAX_EVENTS_PER_TRANSACTION, mode="copy"
                )
            alone[chats] = (in_process, ceiling, per_row, multi, copy)
    finally:
        await context.close()
    figures: dict[int, Figures] = {}
    async with running_stack(url, workdir) as stack:
        await stack.link()
        inbox = await TimedInbox().connect(stack.server.url, stack.admin.token)
        try:
            for run, chats in enumerate(CHATS, start=1):
                in_process, ceiling, per_row, multi, copy = alone[chats]
                backlog = round(in_process.per_second * DRAIN_SECONDS / 10) * 10
                backlog = max(MIN_MESSAGES, min(MAX_MESSAGES, backlog))
                rate = await drain_backlog(stack, inbox, url, run, chats, backlog)
                figures[chats] = Figures(backlog, rate, in_process, ceiling, per_row, multi, copy)
        finally:
            await inbox.close()
    return figures


# --- end to end ---------------------------------------------------------------------------------------------


async def drain_backlog(stack: Stack, inbox: TimedInbox, url: str, run: int, chats: int, messages: int) -> float:
    admin = stack.admin
    # The phone goes offline (for longer than we need); whatever customers write now waits in the network.
    response = await stack.simulator.client.post(f"/api/sessions/{BUSINESS}/drop", json={"offline_seconds": 3600})
    response.raise_for_status()
    await wait_for_status(admin, stack.connection_id, "RECONNECTING")
    await _write(stack, written(run, chats, messages), chats)
    # A restarted network forgets the outage; `restart` makes the worker link again now rather than after backoff.
    await stack.restart_network()
    await admin.post(f"/api/connections/{stack.connection_id}/restart", expect=202)

    prefix = f"bench {run} "

    async def drained() -> list[float] | None:
        times = [
            at
            for at, name, data in inbox.arrivals
            if name == "message.created" and str(data.get("body", "")).startswith(prefix)
        ]
        return times if len(times) >= messages else None

    times = await eventually(drained, timeout=120, what=f"{messages} message.created events of run {run}")
    engine = direct_engine(url)
    try:
        stored = await scalar(
            engine,
            "SELECT count(*) FROM messages WHERE connection_id = :c AND body LIKE :p",
            c=stack.connection_id,
            p=f"{prefix}%",
        )
    finally:
        await engine.dispose()
    if stored != messages or len(times) != messages:
        raise AssertionError(f"run {run}: {stored} rows and {len(times)} events for {messages} messages")
    await stack.wait_connected()
    return (messages - 1) / (max(times) - min(times))


async def _write(stack: Stack, messages: list[tuple[str, str]], chats: int) -> None:
    """Every chat writes its messages in order; all chats at the same time."""
    by_chat: dict[str, list[str]] = {}
    for phone, body in messages:
        by_chat.setdefault(phone, []).append(body)

    async def chat(phone: str, bodies: list[str]) -> None:
        for body in bodies:
            await stack.simulator.customer_writes(phone, BUSINESS, body, name=f"Cliente {phone[-4:]}")

    await asyncio.gather(*(chat(phone, bodies) for phone, bodies in by_chat.items()))
    assert len(by_chat) == chats


# --- in process -----------------------------------------------------------------------------------------------


async def _connection(context: AppContext, kind: str) -> int:
    async with unit_of_work(context.sessionmaker) as session:
        connection = Connection(
            name=f"in-process {kind}",
            provider=Provider.SIMULATOR,
            status=ConnectionStatus.CONNECTED,
            phone="5511900000002",
        )
        session.add(connection)
        await session.flush()
        return connection.id


async def _ingest_in_process(
    context: AppContext, settings: Settings, connection_id: int, run: int, chats: int
) -> tuple[int, Rate]:
    """Ingest messages a worker's batch at a time for about `IN_PROCESS_SECONDS`: how many, and how fast."""
    published: list[Published] = []

    async def sink(events: Sequence[Published]) -> None:
        published.extend(events)

    deps = runner_deps(settings, context.sessionmaker, sink)
    events = [Inbound(connection_id, event) for event in inbound(f"IN{run}X", written(run, chats, IN_PROCESS_MESSAGES))]
    count = 0
    started, cpu = time.perf_counter(), time.process_time()
    while count < len(events) and time.perf_counter() - started < IN_PROCESS_SECONDS:
        batch = events[count : count + MAX_EVENTS_PER_TRANSACTION]
        async with unit_of_work(context.sessionmaker, deps.sink) as session:
            await deps.ingest(session, batch)
        count += len(batch)
    rate = Rate(count / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / count)
    created = sum(1 for item in published if isinstance(item.event, MessageCreated))
    if created != count:
        raise AssertionError(f"in-process run {run}: {created} message.created events for {count} messages")
    return count, rate


# --- ceiling --------------------------------------------------------------------------------------------------


async def _insert_ceiling(
    context: AppContext,
    connection_id: int,
    run: int,
    chats: int,
    count: int,
    rows_per_transaction: int,
    *,
    mode: str = "single",
) -> Rate:
    """The rows the in-process run stored, inserted again (new external ids), `rows_per_transaction` at a time:
    one INSERT per row (`single`), one INSERT per transaction (`multi`), or PostgreSQL's COPY (`copy`)."""
    async with context.engine.connect() as connection:
        tickets = dict(
            (
                await connection.execute(
                    select(Ticket.contact_id, Ticket.id).where(Ticket.connection_id == connection_id)
                )
            ).all()
        )
        contacts = dict((await connection.execute(select(Contact.phone, Contact.id))).all())
    rows: list[dict[str, Any]] = []
    for n, (phone, body) in enumerate(written(run, chats, count)):
        contact_id = contacts[phone]
        rows.append(
            {
                "ticket_id": tickets[contact_id],
                "contact_id": contact_id,
                "connection_id": connection_id,
                "from_me": False,
                "body": body,
                "type": MessageType.TEXT,
                "extra": {},
                "reactions": {},
                "external_id": f"CEIL{mode}{rows_per_transaction}R{run}X{n}",
                "sender_name": f"Cliente {phone[-4:]}",
                "status": MessageStatus.SENT,
                "sent_at": datetime.now(UTC),
            }
        )
    statement = insert(Message)
    if mode != "single":
        rows = [_with_defaults(row) for row in rows]
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(rows), rows_per_transaction):
        chunk = rows[start : start + rows_per_transaction]
        async with context.engine.begin() as connection:
            if mode == "multi":
                await _multi_row(connection, chunk)
            elif mode == "copy":
                await _copy(connection, chunk)
            else:
                for row in chunk:
                    await connection.execute(statement, row)
    return Rate(count / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / count)


_COPY_COLUMNS = [
    column.name for column in Message.__table__.columns if column.name != "id" and not column.server_default
]


def _with_defaults(row: dict[str, Any]) -> dict[str, Any]:
    """Every column COPY writes: the row's values, and the defaults SQLAlchemy would have filled in."""
    full = dict(row)
    for column in Message.__table__.columns:
        if column.name in full or column.name not in _COPY_COLUMNS:
            continue
        default = column.default
        value = None if default is None else default.arg(None) if callable(default.arg) else default.arg  # type: ignore[attr-defined]
        full[column.name] = value
    return full


def _records(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        tuple(json.dumps(row[name]) if name in ("extra", "reactions") else _plain(row[name]) for name in _COPY_COLUMNS)
        for row in rows
    ]


async def _copy(connection: Any, rows: list[dict[str, Any]]) -> None:
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table("messages", records=_records(rows), columns=_COPY_COLUMNS)


async def _multi_row(connection: Any, rows: list[dict[str, Any]]) -> None:
    """One INSERT … VALUES (…), (…) of every row, straight to the driver (SQLAlchemy would compile it anew)."""
    raw = (await connection.get_raw_connection()).driver_connection
    width = len(_COPY_COLUMNS)
    params = [value for record in _records(rows) for value in record]
    postgres = connection.dialect.name == "postgresql"
    marks = (
        ", ".join("(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")" for r in range(len(rows)))
        if postgres
        else ", ".join("(" + ", ".join("?" * width) + ")" for _ in rows)
    )
    sql = f"INSERT INTO messages ({', '.join(_COPY_COLUMNS)}) VALUES {marks}"
    if postgres:
        await raw.execute(sql, *params)
    else:
        await raw.execute(sql, [str(p) if isinstance(p, datetime) else p for p in params])


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
