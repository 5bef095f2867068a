"""INSERT … ON CONFLICT in each database's own dialect (SQLite and PostgreSQL spell it alike, from different
SQLAlchemy modules): atomic "insert unless present" and "insert or update" without a read first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

Insert = postgresql.Insert | sqlite.Insert
ConflictKey = Sequence[InstrumentedAttribute[Any]]


def insert(session: AsyncSession, entity: Any) -> Insert:
    """An INSERT of `entity` (a model or table) in the dialect of the database `session` talks to."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(entity)
    return sqlite.insert(entity)


def insert_or_ignore(session: AsyncSession, entity: Any, *, on: ConflictKey) -> Insert:
    """Rows whose key `on` already exists are skipped; add `.returning(...)` to learn which were inserted."""
    return insert(session, entity).on_conflict_do_nothing(index_elements=list(on))


def insert_or_update(
    session: AsyncSession,
    entity: Any,
    values: Mapping[str, Any],
    *,
    on: ConflictKey,
    update: Mapping[str, Any],
    where: ColumnElement[bool] | None = None,
) -> Insert:
    """Insert `values`; when the key `on` exists, set `update` on that row instead (only if `where` holds)."""
    return (
        insert(session, entity)
        .values(**values)
        .on_conflict_do_update(index_elements=list(on), set_=dict(update), where=where)
    )
