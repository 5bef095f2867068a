"""Where each connection's WhatsApp keys live, who may read them, and how a deleted connection forgets them."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.engine.neonize.fakes import FakeBackend, Recorder
from zapdesk.config import Settings
from zapdesk.db.engine import create_engine
from zapdesk.engine.events import SessionTarget
from zapdesk.engine.neonize.adapter import NeonizeEngine
from zapdesk.engine.neonize.session_store import (
    SessionStore,
    SessionStoreError,
    prepare_session_store,
    remove_stored_session,
    session_store_for,
    stored_devices,
    whatsmeow_postgres_url,
)


def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/z.db", auth_sessions_dir=tmp_path / "auth")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_each_connection_has_its_own_private_sqlite_file(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path)
    first, second = session_store_for(settings, "7"), session_store_for(settings, "8")

    assert first.path == (tmp_path / "auth" / "connection-7.db").resolve()
    assert first.location == str(first.path)  # a plain path: neonize's Go adds ?_foreign_keys=on itself
    assert second.path != first.path and not first.is_postgres

    prepare_session_store(first)
    assert first.path is not None
    assert mode(first.path.parent) == 0o700
    assert mode(first.path) == 0o600


def test_preparing_tightens_a_store_left_readable(tmp_path: Path) -> None:
    store = session_store_for(sqlite_settings(tmp_path), "7")
    assert store.path is not None
    store.path.parent.mkdir(mode=0o755)
    store.path.write_bytes(b"")
    store.path.chmod(0o644)
    wal = store.path.with_name(store.path.name + "-wal")
    wal.write_bytes(b"")
    wal.chmod(0o644)

    prepare_session_store(store)

    assert (mode(store.path.parent), mode(store.path), mode(wal)) == (0o700, 0o600, 0o600)


def test_odd_connection_keys_still_make_a_safe_file_name(tmp_path: Path) -> None:
    store = session_store_for(sqlite_settings(tmp_path), "../../etc/passwd")

    assert store.path is not None and store.path.parent == (tmp_path / "auth").resolve()


def test_a_directory_that_would_break_the_sqlite_uri_is_refused(tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite+aiosqlite:///z.db", auth_sessions_dir=tmp_path / "what?")

    with pytest.raises(SessionStoreError):
        session_store_for(settings, "7")


def test_postgres_store_is_the_apps_database_as_a_lib_pq_url() -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://app:secret@pooler:6543/zapdesk?prepared_statement_cache_size=0",
        direct_url="postgresql://app:secret@db:5432/zapdesk?ssl=require",
    )
    store = session_store_for(settings, "7")

    assert store.is_postgres
    assert store.location == "postgres://app:secret@db:5432/zapdesk?sslmode=require"  # direct, not the pooler


def test_asyncpg_only_options_are_dropped_from_the_store_url() -> None:
    url = "postgresql+asyncpg://u@h/db?prepared_statement_cache_size=0&application_name=zapdesk"

    assert whatsmeow_postgres_url(url) == "postgres://u@h/db?application_name=zapdesk"


def test_a_key_value_dsn_is_refused_rather_than_becoming_a_sqlite_file() -> None:
    with pytest.raises(SessionStoreError):
        whatsmeow_postgres_url("host=db user=app dbname=zapdesk")


async def test_removing_a_connection_forgets_its_stored_session(
    settings: Settings, session: AsyncSession, tmp_path: Path
) -> None:
    store = session_store_for(settings, "41")
    other = session_store_for(settings, "42")
    if store.path is not None:
        assert other.path is not None
        for path in (store.path, store.path.with_name(store.path.name + "-wal"), other.path):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"keys")

        await remove_stored_session(settings, "41", "5511900001111:12@s.whatsapp.net", session)

        assert not store.path.exists() and not store.path.with_name(store.path.name + "-wal").exists()
        assert other.path.exists()
        return

    # PostgreSQL: whatsmeow's tables live in the app database; a device row cascades to its keys.
    await session.execute(text("CREATE TABLE whatsmeow_device (jid TEXT PRIMARY KEY)"))
    await session.execute(
        text(
            "CREATE TABLE whatsmeow_identity_keys (our_jid TEXT REFERENCES whatsmeow_device(jid) ON DELETE CASCADE,"
            " their_id TEXT)"
        )
    )
    await session.execute(text("INSERT INTO whatsmeow_device VALUES ('5511900001111:12@s.whatsapp.net'), ('x:1@s')"))
    await session.execute(text("INSERT INTO whatsmeow_identity_keys VALUES ('5511900001111:12@s.whatsapp.net', 'a')"))
    try:
        await remove_stored_session(settings, "41", "5511900001111:12@s.whatsapp.net", session)
        remaining = (await session.scalars(text("SELECT jid FROM whatsmeow_device"))).all()
        keys = await session.scalar(text("SELECT count(*) FROM whatsmeow_identity_keys"))
        assert (remaining, keys) == (["x:1@s"], 0)
    finally:
        await session.rollback()


class StoreBackend(FakeBackend):
    """Fake Go clients, but the device list read from the real store, as the runtime reads it."""

    async def stored_devices(self, store: SessionStore) -> list[str]:
        return await stored_devices(store)


def device_jid(n: int) -> str:
    return f"55119{n:08d}:3@s.whatsapp.net"


async def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


async def server_connections(settings: Settings) -> int:
    engine = create_engine(settings.async_database_url, pooled=True)
    try:
        async with engine.connect() as connection:
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            return int(await connection.scalar(text(query)))
    finally:
        await engine.dispose()


async def test_resuming_fifty_sessions_leaves_the_database_connections_where_they_were(
    settings: Settings, session: AsyncSession, recorder: Recorder
) -> None:
    keys = [str(n) for n in range(50)]
    stores = {key: session_store_for(settings, key) for key in keys}
    for n, key in enumerate(keys):
        path = stores[key].path
        if path is not None:  # SQLite: each connection's own file, as whatsmeow creates it
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(path)) as database, database:
                database.execute("CREATE TABLE whatsmeow_device (jid TEXT PRIMARY KEY)")
                database.execute("INSERT INTO whatsmeow_device VALUES (?)", (device_jid(n),))
    postgres = stores[keys[0]].is_postgres
    if postgres:  # whatsmeow's table in the app's own database
        await session.execute(text("CREATE TABLE whatsmeow_device (jid TEXT PRIMARY KEY)"))
        for n in range(len(keys)):
            await session.execute(text("INSERT INTO whatsmeow_device VALUES (:jid)"), {"jid": device_jid(n)})
        await session.commit()
    count = (lambda: server_connections(settings)) if postgres else open_files
    backend = StoreBackend()
    engines = [
        NeonizeEngine(connection_key=key, store=stores[key], handler=recorder, backend=backend, settle_timeout=0.01)
        for key in keys
    ]
    try:
        before = await count()
        for n, engine in enumerate(engines):
            await engine.start(SessionTarget(session_ref=device_jid(n)))
        after = await count()

        assert [created["jid"].User for created in backend.created_with] == [f"55119{n:08d}" for n in range(50)]
        assert recorder.states == []  # none refused as missing from the store
        assert after == before
    finally:
        for engine in engines:
            await engine.stop()
        if postgres:
            await session.execute(text("DROP TABLE whatsmeow_device"))
            await session.commit()


async def test_a_store_with_nothing_paired_yet_lists_no_device(settings: Settings) -> None:
    store = session_store_for(settings, "99")

    assert await stored_devices(store) == []
