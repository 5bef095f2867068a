"""SQLite's driver: one trip to the connection's thread per statement, and everything a cursor answers as before
(rows, counts, ids, errors, long results streamed a part at a time)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from zapdesk.db import sqlite
from zapdesk.db.engine import create_engine
from zapdesk.db.sqlite import PREFETCH_ROWS

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("body", String, unique=True))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'zapdesk.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every call aiosqlite hands to a connection's thread (SQLAlchemy's plain aiosqlite makes four a statement)."""
    made: list[object] = []
    hand_over: Callable[..., Awaitable[Any]] = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        made.append(work)
        return await hand_over(self, work, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return made


async def test_a_statement_is_one_trip_to_the_thread_whether_it_returns_rows_or_not(
    engine: AsyncEngine, trips: list[object]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("SELECT 1"))  # BEGIN and the connection's first use are behind us
        trips.clear()

        inserted = await connection.execute(insert(notes).values(body="oi").returning(notes.c.id))
        assert inserted.scalar_one() == 1
        assert len(trips) == 1

        read = await connection.execute(select(notes.c.body))
        assert read.scalars().all() == ["oi"]
        assert len(trips) == 2

        updated = await connection.execute(text("UPDATE notes SET body = 'olá'"))
        assert updated.rowcount == 1
        assert len(trips) == 3


async def test_counts_and_ids_come_back_as_sqlite3_gives_them(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        many = await connection.execute(insert(notes), [{"body": f"nota {n}"} for n in range(5)])
        assert many.rowcount == 5
        one = await connection.execute(insert(notes).values(body="sozinha"))
        assert one.inserted_primary_key == (6,)
        deleted = await connection.execute(text("DELETE FROM notes WHERE id > 3"))
        assert deleted.rowcount == 3


async def test_a_failing_statement_raises_sqlalchemys_error_and_the_connection_goes_on(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(notes).values(body="oi"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert(notes).values(body="oi"))
    async with engine.connect() as connection:
        assert (await connection.execute(select(notes.c.body))).scalars().all() == ["oi"]


async def test_a_result_longer_than_one_trip_streams_every_row_in_order(
    engine: AsyncEngine, trips: list[object]
) -> None:
    count = PREFETCH_ROWS * 2 + 7
    async with engine.begin() as connection:
        await connection.execute(insert(notes), [{"body": f"{n:05d}"} for n in range(count)])

    async with engine.connect() as connection:
        trips.clear()
        streamed = [body async for body in await connection.stream_scalars(select(notes.c.body).order_by(notes.c.id))]
        read_at_once = (await connection.execute(select(notes.c.body).order_by(notes.c.id))).scalars().all()

    expected = [f"{n:05d}" for n in range(count)]
    assert streamed == expected
    assert read_at_once == expected
    assert len(trips) > 2  # parts at a time, not one trip for everything


async def test_a_cursor_left_with_rows_unread_is_closed_on_the_thread(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(notes), [{"body": f"{n}"} for n in range(PREFETCH_ROWS + 1)])
    raw = sqlite.OneTripConnection(engine.url.database or "", timeout=1)
    await raw
    try:
        cursor = await raw.cursor().execute("SELECT body FROM notes")
        first = await cursor.fetchone()
        await cursor.close()
        assert first == ("0",)
        assert await cursor.fetchall() == []  # what was read ahead is dropped with the cursor
    finally:
        await raw.close()
