"""Telling a database that is away from a statement that is wrong: the first is waited out, the second is not."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLSTATE classes of a server that is away rather than refusing this statement: connection exceptions,
# and the shutdown / "starting up" / crash-recovery states of a restart.
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def is_database_outage(exc: BaseException) -> bool:
    """True for errors that say "the database is unreachable right now", not "this statement is wrong"."""
    if isinstance(exc, OSError | TimeoutError | OperationalError | InterfaceError):
        return True  # OperationalError includes SQLite's "database is locked"
    if isinstance(exc, DBAPIError):
        sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
        return exc.connection_invalidated or sqlstate.startswith(_OUTAGE_SQLSTATES)
    return False
