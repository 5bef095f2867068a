"""Riding out a database outage where giving up would lose something: what an engine reports only once.

An engine acknowledges a message (or moves on from a state change) once our handler returns; if the handler
failed while PostgreSQL restarts, WhatsApp would not tell us again until the next link. So the handler waits
for the database, retrying the same idempotent transaction, and gives up only when told to stop.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from zapdesk.db.outage import is_database_outage
from zapdesk.kit.clock import Clock
from zapdesk.kit.retry import Backoff, log_retries, retry

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["OUTAGE_BACKOFF", "is_database_outage", "retry_through_outage"]

# Quick at first (a blip), then every couple of seconds while the server restarts.
OUTAGE_BACKOFF = Backoff(first=0.2, cap=2.0)


async def retry_through_outage(
    work: Callable[[], Awaitable[T]],
    *,
    keep_trying: Callable[[], bool],
    clock: Clock,
    what: str = "a transaction",
) -> T:
    """Run `work` until it succeeds; while the database is away, retry with capped backoff.

    Other errors, and any error once `keep_trying()` is false, propagate at once.
    """
    return await retry(
        work,
        backoff=OUTAGE_BACKOFF,
        clock=clock,
        when=lambda exc: is_database_outage(exc) and keep_trying(),
        on_retry=log_retries(log, f"storing {what} (the database is unreachable)"),
    )
