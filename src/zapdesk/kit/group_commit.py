"""Group commit: items handed over while earlier ones are being stored wait together and are stored together, in
one transaction, in order; each caller returns once its own item is committed.

What makes a backlog cheap: one commit (and its fsync) for hundreds of items instead of one each. A batch that
fails is stored again item by item, so one item the store cannot take fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Enough to spread a commit's cost over many items, few enough to keep each transaction short.
MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class _Waiting(Generic[T]):
    item: T
    stored: asyncio.Future[None]
    received: float  # time.monotonic()


class GroupCommit(Generic[T]):
    """Stores items with `store(items)` (one transaction per call); `on_committed(item, seconds_waited)` follows
    each commit."""

    def __init__(
        self,
        store: Callable[[Sequence[T]], Awaitable[None]],
        *,
        max_batch: int = MAX_BATCH,
        on_committed: Callable[[T, float], None] | None = None,
        regather: float = 0.0,
    ) -> None:
        self._store = store
        self._max_batch = max_batch
        self._on_committed = on_committed
        self._regather = regather
        self._waiting: list[_Waiting[T]] = []
        self._storing: asyncio.Task[None] | None = None
        # The last batch: how many items it released, and how long storing it took.
        self._released, self._last_seconds = 0, 0.0
        self._enough = asyncio.Event()

    @property
    def waiting(self) -> int:
        """How many items wait for the next transaction (not those being stored now)."""
        return len(self._waiting)

    async def submit(self, *items: T) -> None:
        """Queue `items` behind those already waiting and return once all are committed (or raise why one was
        not)."""
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        waiting = [_Waiting(item, loop.create_future(), now) for item in items]
        self._waiting.extend(waiting)
        if len(self._waiting) >= self._released:
            self._enough.set()
        if self._storing is None or self._storing.done():
            self._storing = asyncio.ensure_future(self._store_waiting())
        for entry in waiting:
            await entry.stored

    def cancel(self) -> None:
        """Stop storing: whoever waits for a commit that will not come is cancelled."""
        if self._storing is not None:
            self._storing.cancel()
        for entry in self._waiting:
            entry.stored.cancel()
        self._waiting.clear()

    async def _store_waiting(self) -> None:
        batch: list[_Waiting[T]] = []
        try:
            while self._waiting:
                await self._regathered()
                batch = self._waiting[: self._max_batch]
                del self._waiting[: len(batch)]
                await self._store_batch(batch)
        finally:
            # Cancelled with its owner: nobody may wait for a commit that will not come (a no-op once stored).
            for entry in batch + self._waiting:
                entry.stored.cancel()
            self._waiting.clear()

    async def _regathered(self) -> None:
        """After a batch released its callers, fewer waiting than it held: those callers may hand over their
        next items at once (an engine that waits for each verdict does). Wait a moment for them, bounded by a
        share of what storing the last batch took, so one transaction takes them all instead of two."""
        limit = self._regather * self._last_seconds
        if limit <= 0 or len(self._waiting) >= self._released:
            return
        self._enough.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._enough.wait(), limit)

    async def _store_batch(self, batch: list[_Waiting[T]]) -> None:
        started = time.monotonic()
        try:
            await self._store([entry.item for entry in batch])
        except Exception as exc:
            if len(batch) > 1:
                for entry in batch:
                    await self._store_batch([entry])
                return
            if not batch[0].stored.done():
                batch[0].stored.set_exception(exc)
            return
        committed = time.monotonic()
        self._released, self._last_seconds = len(batch), committed - started
        for entry in batch:
            if self._on_committed is not None:
                self._on_committed(entry.item, committed - entry.received)
            if not entry.stored.done():
                entry.stored.set_result(None)
