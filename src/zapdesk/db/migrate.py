"""Running Alembic from code (the CLI, `make run`, tests) with the URL from settings."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from zapdesk.db.base import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


# Trigram (pg_trgm) indexes behind substring search on PostgreSQL, made by migrations 0003 and 0016 (on the
# accent-folded copies of message text and contact names) when the extension is available. SQLite has no such
# index, so the models cannot declare them; the schema comparison leaves them be.
POSTGRESQL_SEARCH_INDEXES = frozenset(
    {"ix_contacts_phone_trgm", "ix_messages_body_search_trgm", "ix_contacts_name_search_trgm"}
)


def include_object(_object: object, name: str | None, type_: str, reflected: bool, _compare_to: object) -> bool:
    """Compare only our own tables: others live in the same database (whatsmeow's session store on PostgreSQL)."""
    if type_ == "index" and reflected and name in POSTGRESQL_SEARCH_INDEXES:
        return False
    return not (type_ == "table" and reflected and name not in Base.metadata.tables and name != "alembic_version")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(url: str) -> None:
    command.upgrade(alembic_config(url), "head")
