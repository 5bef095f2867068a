"""The embedded SQLite engine stays writable whatever happens to the tasks using it."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from sqlalchemy import text

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
