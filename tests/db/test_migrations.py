"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from zapdesk.context import AppContext
from zapdesk.db.base import Base
from zapdesk.db.migrate import include_object


def _differences(connection: Connection) -> list[object]:
    options = {"compare_type": True, "include_object": include_object}
    migration_context = MigrationContext.configure(connection, opts=options)
    return list(compare_metadata(migration_context, Base.metadata))


async def test_upgrade_head_produces_the_schema_the_models_describe(context: AppContext) -> None:
    async with context.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_active_ticket_uniqueness_is_a_partial_unique_index(context: AppContext) -> None:
    async with context.engine.connect() as connection:
        indexes = await connection.run_sync(lambda sync: inspect(sync).get_indexes("tickets"))
    active = next(index for index in indexes if index["name"] == "uq_tickets_active_contact_connection")
    assert active["unique"]
    assert active["column_names"] == ["contact_id", "connection_id"]


async def test_tables_other_software_keeps_in_our_database_are_not_schema_drift(context: AppContext) -> None:
    async with context.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE whatsmeow_device (jid TEXT PRIMARY KEY)"))
    try:
        async with context.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
        assert differences == []
    finally:
        async with context.engine.begin() as connection:
            await connection.execute(text("DROP TABLE whatsmeow_device"))
