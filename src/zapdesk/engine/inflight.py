"""Handing inbound events to the handler before the earlier ones returned, as the `Engine` contract allows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from zapdesk.engine.events import EngineEvent, MediaContent, MessageReceived

# What lets a worker store a backlog in large transactions: it sees what is waiting.
IN_FLIGHT_EVENTS = 1000
# Downloaded files waiting with them, at most (one larger file still goes, alone).
IN_FLIGHT_BYTES = 64 * 1024 * 1024


class InFlight:
    """The handler calls still running, within `events` calls and `size` bytes; each starts in the order it was
    given. One caller starts them (the engine's reader)."""

    def __init__(self, events: int = IN_FLIGHT_EVENTS, size: int = IN_FLIGHT_BYTES) -> None:
        self._max_events, self._max_size = events, size
        self._tasks: set[asyncio.Task[None]] = set()
        self._size = 0
        self._freed = asyncio.Event()

    async def start(self, event: EngineEvent, call: Callable[[], Awaitable[None]]) -> None:
        """Start `call` (handling `event`) once there is room; returns without waiting for it to finish."""
        size = event_size(event)
        while not self._fits(size):
            self._freed.clear()
            await self._freed.wait()
        self._size += size
        task = asyncio.ensure_future(call())
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, size))

    def _fits(self, size: int) -> bool:
        if not self._tasks:
            return True
        return len(self._tasks) < self._max_events and self._size + size <= self._max_size

    def _finished(self, task: asyncio.Task[None], size: int) -> None:
        self._tasks.discard(task)
        self._size -= size
        self._freed.set()

    async def settle(self) -> None:
        """Wait until every call started so far has returned."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()


def event_size(event: EngineEvent) -> int:
    """The bytes an event holds in memory: its downloaded file, if any."""
    if isinstance(event, MessageReceived) and isinstance(event.content, MediaContent) and event.content.data:
        return len(event.content.data)
    return 0
