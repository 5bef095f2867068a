"""Handing inbound events to the handler before the earlier ones returned, as the `Engine` contract allows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

# What lets a worker store a backlog in large transactions, without holding an unbounded backlog in memory.
IN_FLIGHT_EVENTS = 256


class InFlight:
    """The handler calls still running, at most `limit` of them; each starts in the order it was given."""

    def __init__(self, limit: int = IN_FLIGHT_EVENTS) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._window = asyncio.Semaphore(limit)

    async def start(self, call: Callable[[], Awaitable[None]]) -> None:
        """Start `call` once there is room; returns without waiting for it to finish."""
        await self._window.acquire()
        task = asyncio.ensure_future(call())
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._window.release()

    async def settle(self) -> None:
        """Wait until every call started so far has returned."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
