"""Where neonize keeps each connection's WhatsApp keys: one SQLite file per connection, or the app's PostgreSQL.

Imports nothing from neonize, so the API process can locate and delete stores without loading the Go library.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.config import Settings, to_async_url
from zapdesk.db.engine import create_engine

# SQLite keeps these beside the database; they hold the same secrets.
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")
# neonize's Go side opens f"file:{path}?_foreign_keys=on": these would break that URI.
_URI_BREAKERS = re.compile(r"[?#%]")
# whatsmeow's table of paired devices (`whatsmeow_device`), keyed by device JID; its other tables cascade from it.
_DEVICE_TABLE_EXISTS = "SELECT to_regclass('whatsmeow_device') IS NOT NULL"
_DEVICES = "SELECT jid FROM whatsmeow_device ORDER BY jid"
# asyncpg-only query options lib/pq (whatsmeow's driver) would send to the server as unknown settings.
_ASYNCPG_ONLY_OPTIONS = frozenset({"prepared_statement_cache_size", "statement_cache_size", "pgbouncer"})


class SessionStoreError(ValueError):
    """The configured location cannot hold a WhatsApp session store."""


@dataclass(frozen=True, slots=True)
class SessionStore:
    """What neonize is given as its store (`location`), and the SQLite file behind it when there is one; in
    PostgreSQL, `database_url` is how the app itself reaches that database."""

    location: str
    path: Path | None = None
    database_url: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.path is None


def session_store_for(settings: Settings, connection_key: str) -> SessionStore:
    """The store of one connection: its own SQLite file, or the shared PostgreSQL database (keyed by device JID)."""
    if not settings.is_sqlite:
        url = settings.direct_url or settings.database_url
        return SessionStore(location=whatsmeow_postgres_url(url), database_url=to_async_url(url))
    path = settings.auth_sessions_dir.resolve() / f"connection-{_file_safe(connection_key)}.db"
    if _URI_BREAKERS.search(str(path)):
        raise SessionStoreError(f"AUTH_SESSIONS_DIR must not contain '?', '#' or '%': {path.parent}")
    return SessionStore(location=str(path), path=path)


def whatsmeow_postgres_url(url: str) -> str:
    """The `postgres://` URL lib/pq understands, from the URLs people give us (SQLAlchemy/asyncpg flavours).

    A key=value DSN would silently become a SQLite file of that literal name, so only URLs are accepted.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgres", "postgresql"):
        raise SessionStoreError("the PostgreSQL session store needs a postgres:// URL")
    options: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in _ASYNCPG_ONLY_OPTIONS:
            continue
        options.append(("sslmode" if key == "ssl" else key, value))
    return urlunsplit(("postgres", parts.netloc, parts.path, urlencode(options), parts.fragment))


async def stored_devices(store: SessionStore) -> list[str]:
    """The device JIDs the store holds, read the way the app reads its own database.

    Not through goneonize's `GetAllDevices`: it opens a database container per call (trying SQLite on a PostgreSQL
    URL first) and never closes it, so every resume, watchdog restart and retry left connections open.
    """
    if store.path is not None:
        return await asyncio.to_thread(_sqlite_devices, store.path)
    if store.database_url is None:
        raise SessionStoreError("a PostgreSQL session store needs the database's URL")
    # No pool: the one connection closes with the read, so resumes leave the server's count as it was.
    engine = create_engine(store.database_url, pooled=True)
    try:
        async with engine.connect() as connection:
            if not await connection.scalar(text(_DEVICE_TABLE_EXISTS)):
                return []  # nothing was ever paired here
            return list((await connection.execute(text(_DEVICES))).scalars())
    finally:
        await engine.dispose()


def _sqlite_devices(path: Path) -> list[str]:
    if not path.exists():
        return []
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as database:
        found = database.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'whatsmeow_device'")
        if found.fetchone() is None:
            return []
        return [str(jid) for (jid,) in database.execute(_DEVICES)]


def prepare_session_store(store: SessionStore) -> None:
    """Create the store readable by the service user only: directory 0700, files 0600 (before Go creates them)."""
    if store.path is None:
        return
    directory = store.path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    # SQLite gives its -wal/-shm files the main file's mode, so creating that one first is enough.
    descriptor = os.open(store.path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(descriptor)
    for companion in _companions(store.path):
        if companion.exists():
            companion.chmod(0o600)


async def remove_stored_session(
    settings: Settings, connection_key: str, session_ref: str | None, session: AsyncSession
) -> None:
    """Forget a deleted connection's WhatsApp keys. Stop its live session first.

    SQLite: the connection's files go. PostgreSQL: its device row goes (whatsmeow's other tables cascade), inside
    the caller's transaction.
    """
    store = session_store_for(settings, connection_key)
    if store.path is not None:
        await asyncio.to_thread(_remove_files, store.path)
        return
    if session_ref is None:
        return  # never paired: whatsmeow stored nothing for it
    exists = await session.scalar(text(_DEVICE_TABLE_EXISTS))
    if exists:
        await session.execute(text("DELETE FROM whatsmeow_device WHERE jid = :jid"), {"jid": session_ref})


def remove_sqlite_store(store: SessionStore) -> None:
    """Delete a SQLite store's files (a logout with no live session: its keys must not outlive it)."""
    if store.path is not None:
        _remove_files(store.path)


def _remove_files(path: Path) -> None:
    for companion in _companions(path):
        companion.unlink(missing_ok=True)


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in _SQLITE_COMPANIONS]


def _file_safe(key: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", key):
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:32]
