"""Handing committed events to this process's sockets in position order, each once, whatever way they came.

Events reach a server process several ways: the commits of its own requests, its embedded workers' channel,
Redis from the other processes of a scale-out deployment. Each way may be late (a worker's batch overtaken by a
request's) or lose some (a Redis outage, a worker killed between its commit and its hand-over). Positions are
handed out in commit order without gaps (`zapdesk.db.journal`), so this process hands over position N + 1 right
after N: a batch that skips ahead means the positions in between are committed already, and they are read back
from the event log first; positions already handed over are dropped. A browser that tracks the last position it
applied therefore never sees one go backwards, and can ask for exactly what follows after a reconnect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.db import journal
from zapdesk.db.events import Published

log = logging.getLogger(__name__)

Deliver = Callable[[list[Published]], Awaitable[None]]


class Relay:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], deliver: Deliver) -> None:
        self._sessionmaker = sessionmaker
        self._deliver = deliver
        self._lock = asyncio.Lock()
        # The last position handed over; None until known (then the first batch that arrives sets it).
        self.position: int | None = None

    async def start(self) -> None:
        """Start after the newest committed position: what came before has no socket of this process to reach."""
        try:
            async with self._sessionmaker() as session:
                latest = await journal.latest_position(session)
        except Exception:
            log.exception("could not read the event log's position; starting from the first event that arrives")
            return
        async with self._lock:
            if self.position is None:
                self.position = latest

    async def take(self, events: Sequence[Published]) -> None:
        """Hand over the logged events not handed over yet, in order, with any committed before them missing."""
        logged = [item for item in events if item.seq is not None]
        if not logged:
            return
        async with self._lock:
            last = _seq(logged[-1])
            if self.position is None:
                self.position = _seq(logged[0]) - 1
            if last <= self.position:
                return  # a repeat: this batch came another way first
            fresh = [item for item in logged if _seq(item) > self.position]
            expected = list(range(self.position + 1, last + 1))
            if [_seq(item) for item in fresh] != expected:
                fresh = await self._read_back(self.position, last, fresh)
            self.position = last
            await self._deliver(fresh)

    async def _read_back(self, after: int, upto: int, arrived: list[Published]) -> list[Published]:
        try:
            async with self._sessionmaker() as session:
                return await journal.read(session, after=after, upto=upto)
        except Exception:  # sockets get what arrived; a client that reconnects reads the rest itself
            log.exception("could not read events %d to %d back from the event log", after + 1, upto)
            return arrived


def _seq(item: Published) -> int:
    assert item.seq is not None
    return item.seq
