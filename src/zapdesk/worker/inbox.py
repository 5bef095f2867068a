"""The worker's inbound inbox for our WhatsApp engine program: WhatsApp's receipt waits for the commit of the raw
event, and the pipeline stores the inbox's events right after, in batches of its own.

whatsmeow hands a session's messages over one at a time, the next only after our verdict on the previous one.
Were the verdict to wait for the pipeline (contacts, tickets, the events for browsers), each batch would hold one
message of each session, on as many tickets, and a number with a backlog would drain one message per
transaction. The raw events of all sessions are committed with one multi-row INSERT instead: the verdicts leave
within milliseconds, the sessions' next messages follow, and the pipeline takes them by the hundred, as from the
simulator's backlog.

Nothing WhatsApp considers delivered is outside the database: an entry leaves the inbox in the transaction that
stores its event (or keeps it as a dead letter), and a session starting again first stores what its connection
left there (a crash, a handover between workers), before its engine hands over anything new.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.db.uow import reading, unit_of_work
from zapdesk.ingest import inbox
from zapdesk.ingest.service import Inbound, InboundEvent
from zapdesk.kit import group_commit
from zapdesk.kit.clock import Clock
from zapdesk.worker.group_commit import MAX_EVENTS_PER_TRANSACTION, GroupCommit
from zapdesk.worker.retry import retry_through_outage

log = logging.getLogger(__name__)

# With at least this many events waiting, the sessions are flooding us (a backlog, a campaign's answers): the
# pipeline waits for their next rounds, up to a full batch, rather than storing each round on its own; at most
# GATHER_SECONDS, and no longer than ROUND_SECONDS without a new round. Live traffic (a few events) never waits.
FLOOD = 20
GATHER_SECONDS = 0.08
ROUND_SECONDS = 0.02
# Events committed here and waiting for the pipeline are also held in memory: past this many, the verdicts wait
# for the pipeline (WhatsApp slows down, or delivers again after the verdict timeout) rather than memory growing.
MAX_WAITING = 10 * MAX_EVENTS_PER_TRANSACTION


@dataclass(frozen=True, slots=True)
class _Handed:
    inbound: Inbound
    keep_trying: Callable[[], bool]
    stored: Callable[[], None] | None  # called once the pipeline stored the event
    handed_at: float  # time.monotonic(), as the group commit measures ingest times


@dataclass(frozen=True, slots=True)
class _Entry:
    id: int
    inbound: Inbound
    stored: Callable[[], None] | None = None
    handed_at: float | None = None  # None: left by another run of a worker


class Inbox:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        pipeline: GroupCommit,
        *,
        clock: Clock,
        one_writer: bool = False,
    ) -> None:
        self._sessionmaker = sessionmaker
        # SQLite has one writer at a time, and a writer that finds the database locked sleeps in SQLite's busy
        # wait, up to 100 ms a turn: the inbox's commits and the pipeline's take turns here instead, at once.
        self._turns: contextlib.AbstractAsyncContextManager[object] = (
            asyncio.Lock() if one_writer else contextlib.nullcontext()
        )
        self._pipeline = pipeline
        self._clock = clock
        self._writes: group_commit.GroupCommit[_Handed] = group_commit.GroupCommit(
            self._write, max_batch=MAX_EVENTS_PER_TRANSACTION
        )
        self._queue: deque[_Entry] = deque()
        self._held: set[int] = set()  # this worker's entries not stored yet: a recovery leaves them alone
        # The connections with entries at the last look (None: not looked yet): only their sessions' starts query.
        self._left: set[int] | None = None
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._draining: asyncio.Task[None] | None = None
        self._closing = False

    async def store(
        self,
        connection_id: int,
        event: InboundEvent,
        *,
        keep_trying: Callable[[], bool],
        stored: Callable[[], None] | None = None,
    ) -> None:
        """Return once `event` is committed in the inbox (raise what kept it out: the engine then reports a
        failure, and WhatsApp delivers the event again). `stored` is called once the pipeline stored it."""
        await self._room.wait()
        await self._writes.submit(_Handed(Inbound(connection_id, event), keep_trying, stored, time.monotonic()))

    async def recover(self, connection_id: int) -> None:
        """Store what `connection_id` left in the inbox, oldest first; call before its session starts."""
        if self._left is not None and connection_id not in self._left:
            return  # a thousand sessions starting do not cost a thousand queries
        async with reading(self._sessionmaker) as session:
            left = await inbox.left_for(session, connection_id, skip=self._held)
        if self._left is not None:
            self._left.discard(connection_id)
        if left:
            log.info("connection %s: storing %d events left in the inbox", connection_id, len(left))
            entries = [_Entry(entry_id, inbound) for entry_id, inbound in left]
            self._held.update(entry.id for entry in entries)
            await self._store(entries)

    async def look_for_leftovers(self) -> None:
        """One look at the whole inbox, on each heartbeat of a worker: what a worker that died left for a connection
        stopped since is stored now (no session start will); the others' sessions store theirs as they start."""
        async with reading(self._sessionmaker) as session:
            left = await inbox.connections_with_entries(session)
        self._left = {connection_id for connection_id, _ in left}
        for connection_id, stopped in left:
            if stopped:
                await self.recover(connection_id)

    async def close(self) -> None:
        """Store what was handed over (without waiting out a database outage: it stays for the next start)."""
        self._closing = True
        if self._draining is not None:
            await asyncio.gather(self._draining, return_exceptions=True)

    # ---- internals ---------------------------------------------------------------------------------------------

    async def _write(self, batch: Sequence[_Handed]) -> None:
        async def transaction() -> list[int]:
            async with unit_of_work(self._sessionmaker) as session:
                return await inbox.add(session, [handed.inbound for handed in batch])

        async with self._turns:
            ids = await retry_through_outage(
                transaction,
                keep_trying=lambda: any(handed.keep_trying() for handed in batch),
                clock=self._clock,
                what=f"{len(batch)} events into the inbox",
            )
        self._queue.extend(
            _Entry(entry_id, handed.inbound, handed.stored, handed.handed_at)
            for entry_id, handed in zip(ids, batch, strict=True)
        )
        self._held.update(ids)
        self._arrived.set()
        if len(self._queue) >= MAX_WAITING:
            self._room.clear()
        if self._draining is None or self._draining.done():
            self._draining = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        while self._queue:
            await self._gather()
            count = min(MAX_EVENTS_PER_TRANSACTION, len(self._queue))
            batch = [self._queue.popleft() for _ in range(count)]
            if len(self._queue) < MAX_WAITING:
                self._room.set()
            async with self._turns:
                await self._store(batch)

    async def _gather(self) -> None:
        """In a flood, wait for the sessions' next rounds (see FLOOD)."""
        deadline = self._clock.monotonic() + GATHER_SECONDS
        while FLOOD <= len(self._queue) < MAX_EVENTS_PER_TRANSACTION:
            remaining = min(deadline - self._clock.monotonic(), ROUND_SECONDS)
            if remaining <= 0:
                return
            self._arrived.clear()
            if not await self._clock.wait(self._arrived, remaining):
                return

    async def _store(self, entries: Sequence[_Entry]) -> None:
        """Through the worker's pipeline, in its transactions (which delete the entries)."""
        outcomes = await asyncio.gather(
            *(
                self._pipeline.store(
                    entry.inbound.connection_id,
                    entry.inbound.event,
                    keep_trying=lambda: not self._closing,
                    inbox_id=entry.id,
                    handed_at=entry.handed_at,
                )
                for entry in entries
            ),
            return_exceptions=True,
        )
        for entry, outcome in zip(entries, outcomes, strict=True):
            self._held.discard(entry.id)
            if isinstance(outcome, BaseException):
                # Neither stored nor kept as a dead letter (the database is away while we stop): the entry stays,
                # and the session's next start stores it.
                connection_id = entry.inbound.connection_id
                log.error("inbox entry %s of connection %s left for later: %r", entry.id, connection_id, outcome)
            elif entry.stored is not None:
                entry.stored()
