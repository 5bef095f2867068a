"""Riding out a database outage where giving up would lose something: what an engine reports only once.

An engine acknowledges a message (or moves on from a state change) once our handler returns; if the handler
failed while PostgreSQL restarts, WhatsApp would not tell us again until the next link. So the handler waits
for the database, retrying the same idempotent transaction, and gives up only when told to stop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from zapdesk.db.outage import is_database_outage

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["is_database_outage", "retry_through_outage"]

FIRST_DELAY_SECONDS = 0.2
MAX_DELAY_SECONDS = 2.0


async def retry_through_outage(
    work: Callable[[], Awaitable[T]], *, keep_trying: Callable[[], bool], what: str = "a transaction"
) -> T:
    """Run `work` until it succeeds; while the database is away, retry with capped backoff.

    Other errors, and any error once `keep_trying()` is false, propagate at once.
    """
    delay = FIRST_DELAY_SECONDS
    attempts = 0
    while True:
        try:
            result = await work()
        except Exception as exc:
            if not (is_database_outage(exc) and keep_trying()):
                raise
            attempts += 1
            if attempts == 1:
                log.warning("database unreachable (%s); retrying %s until it is back", type(exc).__name__, what)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
        else:
            if attempts:
                log.info("database back: %s stored after %d retries", what, attempts)
            return result
