"""The engines: embedded SQLite stays writable whatever happens to the tasks using it; PostgreSQL's pool hands
out live connections without pinging each one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from zapdesk.db import engine as engines
from zapdesk.db.engine import create_engine, create_sessionmaker
from zapdesk.db.uow import unit_of_work

CANCELLATIONS = 200


async def test_tasks_cancelled_in_the_middle_of_a_transaction_leave_the_database_writable(tmp_path: Path) -> None:
    # What stopping an outbox or a worker does. A connection dropped with its statement's cursor still open kept
    # the write lock until the garbage collector ran: the next writer failed with "database is locked".
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'zapdesk.db'}")
    sessionmaker = create_sessionmaker(engine)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))

    async def keep_writing() -> None:
        while True:
            async with unit_of_work(sessionmaker) as session:
                await session.execute(text("SELECT count(*) FROM notes"))
                await session.execute(text("INSERT INTO notes (body) VALUES ('oi')"))

    try:
        for index in range(CANCELLATIONS):
            writer = asyncio.create_task(keep_writing())
            await asyncio.sleep((index % 20) / 1000)  # lands anywhere in the transaction
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            async with asyncio.timeout(5), unit_of_work(sessionmaker) as session:
                await session.execute(text("DELETE FROM notes"))
        async with sessionmaker() as session:
            assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
    finally:
        await engine.dispose()


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        pid: int = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        return pid


async def _terminate(postgres_database: str, pid: int) -> None:
    """What a restarted server (or a dropped network) leaves in the pool: a connection whose backend is gone."""
    outsider = create_engine(postgres_database.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        async with outsider.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await outsider.dispose()


def _counting_pings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    pings: list[object] = []
    ping: Callable[[AsyncAdapt_asyncpg_connection], None] = AsyncAdapt_asyncpg_connection.ping

    def counted(connection: AsyncAdapt_asyncpg_connection) -> None:
        pings.append(connection)
        ping(connection)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted)
    return pings


async def test_a_pooled_connection_that_died_while_idle_is_replaced_before_use(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 0.0)  # every pooled connection counts as idle
    pings = _counting_pings(monkeypatch)
    engine = create_engine(postgres_database.replace("postgresql://", "postgresql+asyncpg://"), pool_size=1)
    try:
        dead = await _backend_pid(engine)
        await _terminate(postgres_database, dead)

        replaced = await _backend_pid(engine)

        assert replaced != dead
        assert len(pings) == 1
    finally:
        await engine.dispose()


async def test_a_connection_returned_a_moment_ago_is_used_without_a_ping(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pinging every checkout cost three round trips per transaction (BEGIN, the ping, ROLLBACK).
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 3600.0)
    pings = _counting_pings(monkeypatch)
    engine = create_engine(postgres_database.replace("postgresql://", "postgresql+asyncpg://"), pool_size=1)
    try:
        first = await _backend_pid(engine)
        second = await _backend_pid(engine)

        assert second == first
        assert pings == []
    finally:
        await engine.dispose()
