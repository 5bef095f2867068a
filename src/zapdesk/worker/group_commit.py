"""Group commit for a whole worker: the inbound events every connection's engine hands over while earlier ones
are being stored wait together, and are stored together, in one transaction (at most
`MAX_EVENTS_PER_TRANSACTION`); each handler call still returns only after the commit holding its event.

Worker-wide, not per connection: our engine program hands one session's messages over one at a time (whatsmeow
waits for each verdict), so batching happens across sessions. Events of one connection keep their order.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.db.events import EventSink
from zapdesk.db.outage import is_database_outage
from zapdesk.db.uow import unit_of_work
from zapdesk.dead_letters import service as dead_letters
from zapdesk.engine.events import MessageEdited, MessageReceived, MessageRevoked, Receipt
from zapdesk.metrics import recorder
from zapdesk.worker.retry import retry_through_outage

log = logging.getLogger(__name__)

InboundEvent = MessageReceived | Receipt | MessageEdited | MessageRevoked
Ingest = Callable[[AsyncSession, int, Sequence[InboundEvent]], Awaitable[None]]

# At most this many inbound events share a transaction: enough to spread a commit's cost over many messages,
# few enough to keep each transaction short.
MAX_EVENTS_PER_TRANSACTION = 500


@dataclass(frozen=True, slots=True)
class _Waiting:
    """An inbound event handed over by an engine, and the handler call waiting for its commit."""

    connection_id: int
    event: InboundEvent
    stored: asyncio.Future[None]
    received: float  # time.monotonic()
    # False once its session is closing: a database outage then fails it instead of being waited out.
    keep_trying: Callable[[], bool]


class GroupCommit:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink, ingest: Ingest) -> None:
        self._sessionmaker = sessionmaker
        self._sink = sink
        self._ingest = ingest
        self._waiting: list[_Waiting] = []
        self._storing: asyncio.Task[None] | None = None

    async def store(self, connection_id: int, event: InboundEvent, *, keep_trying: Callable[[], bool]) -> None:
        """Queue `event` behind those already waiting and return once it is committed (or kept as a dead letter:
        the pipeline raised on it for a reason other than a database outage)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(connection_id, event, future, time.monotonic(), keep_trying))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.ensure_future(self._store_waiting())
        await future

    async def _store_waiting(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                batch = self._waiting[:MAX_EVENTS_PER_TRANSACTION]
                del self._waiting[: len(batch)]
                await self._store_batch(batch)
        finally:
            # Cancelled (the worker is stopping): nobody may wait for a commit that will not come.
            for waiting in batch + self._waiting:
                waiting.stored.cancel()
            self._waiting.clear()

    async def _store_batch(self, batch: list[_Waiting]) -> None:
        try:
            await self._stored(batch, lambda session: self._ingest_all(session, batch), what=f"{len(batch)} events")
        except Exception as exc:
            if len(batch) > 1:
                # One event the pipeline cannot take must not hold back the others: each in its own transaction.
                for waiting in batch:
                    await self._store_batch([waiting])
                return
            await self._keep_dead_letter(batch[0], exc)
            return
        committed = time.monotonic()
        for waiting in batch:
            if isinstance(waiting.event, MessageReceived):
                # Receipt by this worker → row committed and its events handed on (not the phone's clock:
                # an offline backlog would read as hours of latency).
                recorder.observe_ingest(committed - waiting.received)
            if not waiting.stored.done():
                waiting.stored.set_result(None)

    async def _ingest_all(self, session: AsyncSession, batch: list[_Waiting]) -> None:
        """Each connection's run of consecutive events in one call, in the order they came."""
        for connection_id, run in itertools.groupby(batch, key=lambda waiting: waiting.connection_id):
            await self._ingest(session, connection_id, [waiting.event for waiting in run])

    async def _keep_dead_letter(self, waiting: _Waiting, error: Exception) -> None:
        """Keep the event raw for an administrator and acknowledge it, so it is neither lost nor redelivered
        forever. Only when even that cannot be stored does the engine hear a failure."""
        if waiting.stored.done():
            return
        if is_database_outage(error):  # its session is closing while the database is away: it is told again
            waiting.stored.set_exception(error)
            return
        kind = type(waiting.event).__name__
        log.error("connection %s: %s kept as a dead letter: %r", waiting.connection_id, kind, error)
        try:
            await self._stored(
                [waiting],
                lambda session: dead_letters.record(session, waiting.connection_id, waiting.event, error),
                what="a dead letter",
            )
        except Exception as exc:
            log.exception("connection %s: the dead letter could not be stored either", waiting.connection_id)
            if not waiting.stored.done():
                waiting.stored.set_exception(exc)
            return
        if not waiting.stored.done():
            waiting.stored.set_result(None)

    async def _stored(
        self, batch: list[_Waiting], work: Callable[[AsyncSession], Awaitable[None]], *, what: str
    ) -> None:
        """A transaction for what an engine reports only once: it waits out a database outage while a session of
        the batch still runs."""

        async def transaction() -> None:
            async with unit_of_work(self._sessionmaker, self._sink) as session:
                await work(session)

        await retry_through_outage(
            transaction, keep_trying=lambda: any(waiting.keep_trying() for waiting in batch), what=what
        )
