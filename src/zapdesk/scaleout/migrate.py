"""Migrating from several processes at once: several `zapdesk api` start together, one migrates, the others wait."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from zapdesk.config import Settings
from zapdesk.db.engine import create_engine
from zapdesk.db.migrate import upgrade_to_head

# pg_advisory_lock key: any constant all zapdesk processes agree on ("zapd").
MIGRATION_LOCK = 0x7A617064


def upgrade_schema(settings: Settings) -> None:
    """Bring the schema to head; on PostgreSQL under a session advisory lock held on the direct connection."""
    if settings.is_sqlite:
        upgrade_to_head(settings.migration_database_url)
        return
    asyncio.run(_upgrade_holding_lock(settings.migration_database_url))


async def _upgrade_holding_lock(url: str) -> None:
    # DIRECT_URL (not a transaction pooler): a session lock needs one server connection for its whole life.
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                # Alembic runs its own event loop: keep it off this one's thread.
                await asyncio.to_thread(upgrade_to_head, url)
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        await engine.dispose()
