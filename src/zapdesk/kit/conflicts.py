"""Unique-constraint races turned into answers: the database decides, and the loser hears a typed conflict.

Services look for a duplicate before writing, so these only fire when two writers race; a unique index is
what makes the rule hold, not the lookup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.errors import Conflict

_UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
_SQLITE_UNIQUE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


def is_unique_violation(error: IntegrityError) -> bool:
    """True when a unique index refused the row; False for other integrity errors (a missing foreign row)."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is not None:
        return bool(sqlstate == _UNIQUE_VIOLATION)
    return getattr(original, "sqlite_errorname", None) in _SQLITE_UNIQUE or "UNIQUE constraint failed" in str(original)


async def unless_duplicate(session: AsyncSession, write: Callable[[], Awaitable[object]]) -> bool:
    """Run `write` (which flushes) in a SAVEPOINT; False, with its changes undone and the transaction still
    usable, when a unique index refused them: another writer got there first. Other integrity errors propagate."""
    try:
        async with session.begin_nested():
            await write()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        return False
    return True


async def insert_unless_duplicate(session: AsyncSession, *rows: object) -> bool:
    """Add `rows` and flush them (in one statement per table) in a SAVEPOINT; False, with all of them gone from the
    session again, when a unique index refused one."""

    async def add_and_flush() -> None:
        session.add_all(rows)  # inside the SAVEPOINT: its rollback then takes the rows out of the session too
        await session.flush()

    return await unless_duplicate(session, add_and_flush)


async def flush_or_conflict(session: AsyncSession, conflict: Conflict, *, adding: object | None = None) -> None:
    """Flush (adding `adding` first); a unique index that refuses it raises `conflict` (409) rather than a 500."""
    written = await (
        insert_unless_duplicate(session, adding) if adding is not None else unless_duplicate(session, session.flush)
    )
    if not written:
        raise conflict
