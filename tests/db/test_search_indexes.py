"""What the ticket list and search rely on at scale (see bench/api_latency.py), as the migrations make it."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from zapdesk.context import AppContext
from zapdesk.db.migrate import POSTGRESQL_SEARCH_INDEXES


async def _index_names(context: AppContext, *tables: str) -> set[str]:
    async with context.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {index["name"] for table in tables for index in inspect(sync).get_indexes(table)}
        )


async def test_ticket_list_indexes_exist_on_both_databases(context: AppContext) -> None:
    assert {"ix_tickets_activity", "ix_tickets_contact_id"} <= await _index_names(context, "tickets")


async def test_substring_search_has_trigram_indexes_on_postgresql_only(context: AppContext) -> None:
    names = await _index_names(context, "messages", "contacts")
    if context.engine.dialect.name == "postgresql":
        assert names >= POSTGRESQL_SEARCH_INDEXES
    else:
        assert not names & POSTGRESQL_SEARCH_INDEXES


async def test_sqlite_keeps_a_word_index_of_message_text_in_step_with_every_write(context: AppContext) -> None:
    if context.engine.dialect.name != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    async with context.engine.connect() as connection:
        found = await connection.execute(text("SELECT type, name FROM sqlite_master WHERE name LIKE 'messages_fts%'"))
        objects = {(kind, name) for kind, name in found}
    assert {("table", "messages_fts")} | {
        ("trigger", f"messages_fts_{change}") for change in ("insert", "update", "delete")
    } <= objects


async def test_ticket_scans_run_serially_on_postgresql(context: AppContext) -> None:
    if context.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL storage parameter")
    async with context.engine.connect() as connection:
        options = (await connection.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'tickets'"))).scalar()
    assert "parallel_workers=0" in (options or [])
