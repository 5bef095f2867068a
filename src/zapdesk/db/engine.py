"""Creating the async engine and session factory from settings."""

from __future__ import annotations

import asyncio
import time
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection

from zapdesk.db.sqlite import OneTripConnection

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A pooled PostgreSQL connection idle longer than this is pinged before use (see `_ping_if_idle`).
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "zapdesk_idle_since"
# An execution option of a connection that only reads (`uow.reading`): on SQLite it takes no write lock.
READ_ONLY = "zapdesk_read_only"


def create_engine(url: str, *, pooled: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An engine tuned per database: WAL SQLite for one machine, asyncpg (pooler-safe if asked) for PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, async_creator=partial(OneTripConnection, database, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        )
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        event.listen(engine.sync_engine, "begin", _begin_immediate_sqlite)
        event.listen(engine.sync_engine, "handle_error", _keep_cancelled_sqlite_connection)
        return engine
    connect_args: dict[str, Any] = {}
    kwargs: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size}
    if pooled:
        # Transaction-mode poolers hand each transaction a different server connection.
        connect_args = {"statement_cache_size": 0, "prepared_statement_cache_size": 0}
        kwargs = {"poolclass": NullPool}
    query = dict(parsed.query)
    query.pop("pgbouncer", None)
    engine = create_async_engine(parsed.set(query=query), connect_args=connect_args, **kwargs)
    if not pooled:
        event.listen(engine.sync_engine, "checkin", _note_idle_since)
        event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def _note_idle_since(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
    """SQLAlchemy's pre-ping, for connections that sat idle in the pool: a connection returned a moment ago was
    working then. Pinging every checkout cost three round trips (BEGIN, a ping, ROLLBACK) per transaction, a
    tenth of the CPU of outbound Cloud sends. A dead connection found here is replaced, with all those pooled
    before it; one that dies within `PING_AFTER_IDLE_SECONDS` fails its transaction, which is retried as any
    failed transaction is."""
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise InvalidatePoolError(f"the pooled connection did not answer a ping: {exc}") from exc


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling would defer BEGIN; we issue BEGIN IMMEDIATE ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_immediate_sqlite(connection: Any) -> None:
    # Taking the write lock up front avoids SQLITE_BUSY deadlocks when two writers upgrade from read. A reader
    # takes a snapshot instead: holding the write lock, it would make every writer sleep in SQLite's busy wait.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def _keep_cancelled_sqlite_connection(context: ExceptionContext) -> None:
    # A cancelled task's statement still runs to its end on aiosqlite's thread, and the connection stays usable.
    # Treated as a lost connection, it would be closed with that statement's cursor left open: sqlite3 then keeps
    # it (and its transaction's write lock on the whole database) until the garbage collector frees the cursor.
    # Kept, the cursor is closed now and the session's rollback releases the lock.
    if isinstance(context.original_exception, asyncio.CancelledError):
        context.is_disconnect = False


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
