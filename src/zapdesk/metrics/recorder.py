"""Where a worker process counts, and the flusher that ships those counts to the API processes every second.

Counting is a dictionary update (no I/O on the hot path). The flusher hands what accumulated to a `ship`
function (the embedded channel, or the shared Redis hash); if shipping fails the counts are put back and go
with the next flush, so an outage delays them. A `kill -9` loses at most the last second's counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from zapdesk.db.events import EventSink, Published
from zapdesk.events import MessageCreated
from zapdesk.metrics.tally import Counter, Tally

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0

# This process's counts since the last flush; in processes without a flusher (the API) nothing records here.
_pending = Tally()


def count(counter: Counter, amount: int = 1) -> None:
    _pending.count(counter, amount)


def observe_ingest(seconds: float) -> None:
    _pending.observe_ingest(seconds)


def take() -> Tally:
    """What was counted since the last call (and start again from zero)."""
    global _pending
    taken, _pending = _pending, Tally()
    return taken


def put_back(tally: Tally) -> None:
    _pending.merge(tally)


def counting_sink(sink: EventSink) -> EventSink:
    """A worker's sink that counts what its committed transactions tell before handing the events on.

    A customer's message is counted from its `message.created`: published once, after the commit that stored
    it, and never for a redelivered duplicate (ingest drops those before any event).
    """

    async def counted(events: Sequence[Published]) -> None:
        for item in events:
            if isinstance(item.event, MessageCreated) and not item.event.payload.from_me:
                count(Counter.MESSAGES_RECEIVED)
        await sink(events)

    return counted


Ship = Callable[[Tally], Awaitable[None]]


class MetricsFlusher:
    def __init__(self, ship: Ship, interval: float = FLUSH_SECONDS) -> None:
        self.ship = ship
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="metrics-flusher")

    async def flush(self) -> None:
        tally = take()
        if tally.is_empty():
            return
        try:
            await self.ship(tally)
        except Exception as exc:
            put_back(tally)
            log.warning("could not ship metrics (%s); they go with the next flush", type(exc).__name__)

    async def close(self) -> None:
        """Stop, shipping what is left (best effort: the process is about to end)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.flush(), timeout=2.0)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.flush()
