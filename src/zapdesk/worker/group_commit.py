"""Group commit for a whole worker: the inbound events every connection's engine hands over while earlier ones
are being stored wait together, and are stored together by one call of the pipeline, in one transaction (at most
`MAX_EVENTS_PER_TRANSACTION`); each handler call still returns only after the commit holding its event.

Worker-wide, not per connection: our engine program hands one session's messages over one at a time (whatsmeow
waits for each verdict), so batching happens across sessions, and the pipeline takes the batch of all of them at
once (`ingest.service.ingest_batch`). Events of one connection keep their order. The queue and the fallback to one
event per transaction are `kit.group_commit`'s; this adds database outages, dead letters and the ingest metric.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.db.events import EventSink
from zapdesk.db.outage import is_database_outage
from zapdesk.db.uow import unit_of_work
from zapdesk.dead_letters import service as dead_letters
from zapdesk.engine.events import MessageReceived
from zapdesk.ingest import inbox
from zapdesk.ingest.service import Inbound, InboundEvent
from zapdesk.kit import group_commit
from zapdesk.kit.clock import Clock
from zapdesk.metrics import recorder
from zapdesk.worker.retry import retry_through_outage

log = logging.getLogger(__name__)

__all__ = ["MAX_EVENTS_PER_TRANSACTION", "GroupCommit", "Inbound", "InboundEvent", "Ingest"]

# Stores a batch of events of any connections in the caller's transaction.
Ingest = Callable[[AsyncSession, Sequence[Inbound]], Awaitable[None]]

# At most this many inbound events share a transaction: enough to spread a commit's cost over many messages,
# few enough to keep each transaction short.
MAX_EVENTS_PER_TRANSACTION = 500
# After a commit, fewer events waiting than it released: the sessions it answered hand over their next ones at
# once (whatsmeow waits for each verdict), so the next transaction waits for them up to this share of the last
# one's time. Without it, batches alternate large and tiny (95 and 5 of 100 sessions), each paying a whole
# transaction's round trips. Live traffic rarely waits: only after a bigger batch, and never longer than that.
REGATHER_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class _Handed:
    """An inbound event handed over by an engine."""

    inbound: Inbound
    # False once its session is closing: a database outage then fails it instead of being waited out.
    keep_trying: Callable[[], bool]
    # Its entry in the inbound inbox (`worker.inbox`), which leaves in the transaction that stores it, and when
    # the inbox took it (`time.monotonic()`): its ingest time counts from there.
    inbox_id: int | None = None
    handed_at: float | None = None


class GroupCommit:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        sink: EventSink,
        ingest: Ingest,
        *,
        clock: Clock,
        regather: float = REGATHER_SHARE,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._sink = sink
        self._ingest = ingest
        self._clock = clock
        self._commits: group_commit.GroupCommit[_Handed] = group_commit.GroupCommit(
            self._store_batch,
            max_batch=MAX_EVENTS_PER_TRANSACTION,
            on_committed=_observe,
            regather=regather,
        )

    @property
    def waiting(self) -> int:
        """How many handed-over events wait for the next transaction (not those being stored now)."""
        return self._commits.waiting

    async def store(
        self,
        connection_id: int,
        event: InboundEvent,
        *,
        keep_trying: Callable[[], bool],
        inbox_id: int | None = None,
        handed_at: float | None = None,
    ) -> None:
        """Queue `event` behind those already waiting and return once it is committed (or kept as a dead letter:
        the pipeline raised on it for a reason other than a database outage), and its inbox entry with it."""
        handed = _Handed(Inbound(connection_id, event), keep_trying, inbox_id, handed_at)
        try:
            await self._commits.submit(handed)
        except Exception as error:
            # The kit stored the rest of its batch without it: this event alone is what the pipeline refused.
            await self._keep_dead_letter(handed, error)

    async def _store_batch(self, batch: Sequence[_Handed]) -> None:
        inbound = [handed.inbound for handed in batch]

        async def ingest(session: AsyncSession) -> None:
            await self._ingest(session, inbound)
            await inbox.forget(session, _inbox_ids(batch))

        await self._stored(batch, ingest, what=f"{len(batch)} events")

    async def _keep_dead_letter(self, handed: _Handed, error: Exception) -> None:
        """Keep the event raw for an administrator and acknowledge it, so it is neither lost nor redelivered
        forever. Only when even that cannot be stored does the engine hear a failure."""
        if is_database_outage(error):  # its session is closing while the database is away: it is told again
            raise error
        connection_id, event = handed.inbound
        log.error("connection %s: %s kept as a dead letter: %r", connection_id, type(event).__name__, error)

        async def keep(session: AsyncSession) -> None:
            await dead_letters.record(session, connection_id, event, error)
            await inbox.forget(session, _inbox_ids([handed]))

        try:
            await self._stored([handed], keep, what="a dead letter")
        except Exception:
            log.exception("connection %s: the dead letter could not be stored either", connection_id)
            raise

    async def _stored(
        self, batch: Sequence[_Handed], work: Callable[[AsyncSession], Awaitable[None]], *, what: str
    ) -> None:
        """A transaction for what an engine reports only once: it waits out a database outage while a session of
        the batch still runs."""

        async def transaction() -> None:
            async with unit_of_work(self._sessionmaker, self._sink) as session:
                await work(session)

        await retry_through_outage(
            transaction,
            keep_trying=lambda: any(handed.keep_trying() for handed in batch),
            clock=self._clock,
            what=what,
        )


def _inbox_ids(batch: Sequence[_Handed]) -> list[int]:
    return [handed.inbox_id for handed in batch if handed.inbox_id is not None]


def _observe(handed: _Handed, seconds_waited: float) -> None:
    if handed.handed_at is not None:
        seconds_waited = time.monotonic() - handed.handed_at
    if isinstance(handed.inbound.event, MessageReceived):
        # Receipt by this worker → row committed and its events handed on (not the phone's clock: an offline
        # backlog would read as hours of latency).
        recorder.observe_ingest(seconds_waited)
