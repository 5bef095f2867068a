"""Running Alembic from code (the CLI, `make run`, tests) with the URL from settings."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from zapdesk.db.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def include_object(_object: object, name: str | None, type_: str, reflected: bool, _compare_to: object) -> bool:
    """Compare only our own tables: others live in the same database (whatsmeow's session store on PostgreSQL)."""
    return not (type_ == "table" and reflected and name not in Base.metadata.tables and name != "alembic_version")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(url: str) -> None:
    command.upgrade(alembic_config(url), "head")
