"""aiosqlite with one trip to the connection's thread per statement.

aiosqlite runs each call on the connection's own thread, and SQLAlchemy's adapter makes four calls per statement
(open a cursor, execute, fetch the rows, close it): four hand-overs between threads, each paying a wake-up and a
turn of the GIL: a quarter of what a worker's transaction storing one message cost. Here a statement's cursor is
opened, run, read and closed in one call on the thread; only a result longer than `PREFETCH_ROWS` (a streamed
report) keeps its cursor open and is read on in further calls, as aiosqlite does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Self, TypeVar, cast

import aiosqlite

PREFETCH_ROWS = 1000

_T = TypeVar("_T")
_Row = tuple[Any, ...]


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors take one trip to its thread per statement."""

    def __init__(self, database: Path | str, *, timeout: float) -> None:
        super().__init__(partial(sqlite3.connect, str(database), timeout=timeout), iter_chunk_size=64)
        # Like SQLAlchemy's own aiosqlite connections: a connection left open does not keep the process alive.
        self._thread.daemon = True

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    async def on_thread(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """`work(connection)`, run on the connection's thread."""
        # aiosqlite leaves `_execute` untyped.
        hand_over = cast(
            Callable[[Callable[[sqlite3.Connection], _T], sqlite3.Connection], Awaitable[_T]], self._execute
        )
        return await hand_over(work, self._conn)


class OneTripCursor:
    """The asyncio cursor SQLAlchemy's adapter expects (`execute`, then `fetch…`, then `close`), with the cursor's
    whole life on the thread in the call to `execute` whenever its rows fit in `PREFETCH_ROWS`."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._open: sqlite3.Cursor | None = None  # only while more rows wait to be read
        self._rows: list[_Row] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> Self:
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Self:
        return await self._run(lambda cursor: cursor.execute(sql, parameters))

    async def executemany(self, sql: str, parameters: Sequence[Sequence[Any]]) -> Self:
        return await self._run(lambda cursor: cursor.executemany(sql, parameters))

    async def _run(self, statement: Callable[[sqlite3.Cursor], object]) -> Self:
        await self.close()

        def run(connection: sqlite3.Connection) -> tuple[Any, int, int | None, list[_Row], sqlite3.Cursor | None]:
            cursor = connection.cursor()
            try:
                statement(cursor)
                rows = cursor.fetchmany(PREFETCH_ROWS) if cursor.description else []
            except BaseException:
                cursor.close()
                raise
            left_open = cursor if len(rows) == PREFETCH_ROWS else None
            if left_open is None:
                cursor.close()
            return cursor.description, cursor.rowcount, cursor.lastrowid, rows, left_open

        self.description, self.rowcount, self.lastrowid, self._rows, self._open = await self._connection.on_thread(run)
        return self

    async def fetchone(self) -> _Row | None:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def fetchmany(self, size: int | None = None) -> list[_Row]:
        wanted = size or self.arraysize
        if len(self._rows) < wanted and self._open is not None:
            await self._read_on(wanted - len(self._rows))
        taken, self._rows = self._rows[:wanted], self._rows[wanted:]
        return taken

    async def fetchall(self) -> list[_Row]:
        if self._open is not None:
            await self._read_on(None)
        taken, self._rows = self._rows, []
        return taken

    async def _read_on(self, count: int | None) -> None:
        """At least `count` more rows (all that are left when None), closing the cursor once it has no more."""
        cursor = self._open
        assert cursor is not None
        wanted = max(count or 0, PREFETCH_ROWS)

        def read(_connection: sqlite3.Connection) -> tuple[list[_Row], bool]:
            rows = cursor.fetchall() if count is None else cursor.fetchmany(wanted)
            exhausted = count is None or len(rows) < wanted
            if exhausted:
                cursor.close()
            return rows, exhausted

        rows, exhausted = await self._connection.on_thread(read)
        if exhausted:
            self._open = None
        self._rows.extend(rows)

    async def __aiter__(self) -> AsyncIterator[_Row]:
        while rows := await self.fetchmany(PREFETCH_ROWS):
            for row in rows:
                yield row

    async def close(self) -> None:
        self._rows = []
        cursor, self._open = self._open, None
        if cursor is not None:
            await self._connection.on_thread(lambda _connection: cursor.close())
