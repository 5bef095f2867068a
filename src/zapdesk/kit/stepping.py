"""A background loop of steps: each step does what is due and says how long to wait; a wake-up cuts the wait.

Used by the dispatchers (the outbox, outgoing webhooks): the database is their queue, so a step that fails (the
database blinked) is only logged, and the next one comes after the usual wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from zapdesk.kit.clock import SYSTEM_CLOCK, Clock


async def run_steps(
    step: Callable[[], Awaitable[float]],
    wake: asyncio.Event,
    *,
    poll_seconds: float,
    log: logging.Logger,
    what: str,
    keep_going: Callable[[], bool] = lambda: True,
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    """Waits on `clock` (whose `wait` never swallows a cancellation), so a test moves the time between steps."""
    while keep_going():
        wake.clear()
        try:
            wait = await step()
        except Exception:
            log.exception("%s: step failed", what)
            wait = poll_seconds
        if wait > 0:
            await clock.wait(wake, wait)
