"""One connection's live session inside a worker: starts and stops its engine, turns engine events into stored
states and ingested messages, retries failed connects with backoff, and restarts sessions stuck reconnecting.

Inbound events the engine hands over while earlier ones are being stored wait together, and are stored together:
one transaction for many messages (group commit), each handler call still returning only after its commit."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.config import Settings
from zapdesk.connections import service as connections
from zapdesk.connections.models import ConnectionCommand, ConnectionStatus, DesiredState
from zapdesk.db.events import EventSink
from zapdesk.db.uow import unit_of_work
from zapdesk.dead_letters import service as dead_letters
from zapdesk.engine.base import Engine, EventHandler
from zapdesk.engine.events import (
    EngineEvent,
    EngineState,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    PairingCode,
    QrCode,
    Receipt,
    SessionTarget,
    StateChanged,
)
from zapdesk.metrics import recorder
from zapdesk.worker.retry import is_database_outage, retry_through_outage

log = logging.getLogger(__name__)
T = TypeVar("T")

InboundEvent = MessageReceived | Receipt | MessageEdited | MessageRevoked
Ingest = Callable[[AsyncSession, int, Sequence[InboundEvent]], Awaitable[None]]
EngineBuilder = Callable[[str, str, EventHandler], Engine]

# At most this many inbound events share a transaction: enough to spread a commit's cost over many messages,
# few enough to keep each transaction short.
MAX_EVENTS_PER_TRANSACTION = 500

# States after which the session waits for a person: stop the engine and give the lease back.
_STOPPING_STATES = {
    EngineState.QR_EXPIRED,
    EngineState.LOGGED_OUT,
    EngineState.REPLACED,
    EngineState.BANNED,
    EngineState.OUTDATED,
}


class Outbox(Protocol):
    """The dispatcher sending one connection's pending messages; it only needs waking up and closing."""

    def nudge(self) -> None: ...

    async def close(self) -> None: ...


OutboxStarter = Callable[[int, Engine, Callable[[], bool]], Outbox]


@dataclass(frozen=True, slots=True)
class ConnectionRow:
    """What a worker reads of a connection on each tick."""

    id: int
    provider: str
    desired_state: DesiredState
    pending_command: ConnectionCommand | None
    command_seq: int
    session_ref: str | None
    pairing_phone: str | None


@dataclass(frozen=True, slots=True)
class _Waiting:
    """An inbound event handed over by the engine, and the handler call waiting for its commit."""

    event: InboundEvent
    stored: asyncio.Future[None]
    received: float  # time.monotonic()


@dataclass(frozen=True, slots=True)
class RunnerDeps:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    sink: EventSink
    build_engine: EngineBuilder
    ingest: Ingest
    start_outbox: OutboxStarter
    # The name of the program a provider's engine runs in ("zapdesk-wa", …), stored with the connection's state.
    engine_name: Callable[[str], str] = str


class ConnectionRunner:
    def __init__(self, row: ConnectionRow, deps: RunnerDeps) -> None:
        self.connection_id = row.id
        self.provider = row.provider
        self.deps = deps
        self.engine: Engine | None = None
        self.outbox: Outbox | None = None
        self.state = EngineState.STOPPED
        self.state_since = time.monotonic()
        self.finished = False  # the session waits for a person: the worker gives the lease back
        self._handled_seq: int | None = None
        # The last stored session we know of: what a logout must unlink even when no engine runs.
        self._session_ref = row.session_ref
        self._failures = 0
        self._retry: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._closing = False
        self._waiting: list[_Waiting] = []
        self._storing: asyncio.Task[None] | None = None

    # ---- driven by the worker's ticks -------------------------------------------------------------------------

    async def reconcile(self, row: ConnectionRow) -> None:
        """Converge the live session towards what the row asks for."""
        async with self._lock:
            self._session_ref = row.session_ref
            if row.command_seq != self._handled_seq:
                await self._carry_out(row)
                self._handled_seq = row.command_seq
                await self._transaction(lambda s: connections.finish_command(s, self.connection_id, row.command_seq))
            elif row.desired_state == DesiredState.STOPPED:
                await self._stop_engine()
                self.finished = True
            elif self.engine is None and self._retry is None and not self.finished:
                await self._start(SessionTarget(session_ref=row.session_ref))
            elif self._stuck_reconnecting():
                log.warning("connection %s reconnecting too long: starting it again", self.connection_id)
                await self._stop_engine()
                await self._start(SessionTarget(session_ref=row.session_ref))

    def nudge_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.nudge()

    async def close(self, *, forget: bool = False) -> None:
        """Stop the session (keeping its keys unless `forget`: the connection was deleted)."""
        self._closing = True  # a handler waiting for the database gives up; the next holder is told again
        async with self._lock:
            self._cancel_retry()
            if forget:
                await self._logout_engine()
            await self._stop_engine()
        for task in list(self._background):
            task.cancel()

    # ---- commands -----------------------------------------------------------------------------------------------

    async def _carry_out(self, row: ConnectionRow) -> None:
        self._cancel_retry()
        self._failures = 0
        if row.pending_command == ConnectionCommand.LOGOUT:
            await self._logout_engine()
            await self._stop_engine()
            await self._store_state(
                ConnectionStatus.STOPPED, reason="logged_out_by_user", forget_session=True, stop=True
            )
            self.finished = True
            return
        if row.desired_state != DesiredState.RUNNING:
            await self._stop_engine()
            self.finished = True
            return
        if row.pending_command is None and self.state == EngineState.CONNECTED:
            return
        self.finished = False
        await self._stop_engine()
        await self._start(SessionTarget(session_ref=row.session_ref, pairing_phone=row.pairing_phone))

    async def _start(self, target: SessionTarget) -> None:
        key = str(self.connection_id)
        self.engine = self.deps.build_engine(self.provider, key, self.handle)
        self.outbox = self.deps.start_outbox(self.connection_id, self.engine, self._is_connected)
        self._set_state(EngineState.STARTING)
        await self.engine.start(target)

    async def _stop_engine(self) -> None:
        engine, outbox = self.engine, self.outbox
        self.engine = self.outbox = None
        if outbox is not None:
            await outbox.close()
        if engine is not None:
            try:
                await engine.stop()
            except Exception:
                log.exception("connection %s: engine did not stop cleanly", self.connection_id)
        self._set_state(EngineState.STOPPED)

    async def _logout_engine(self) -> None:
        engine = self.engine
        if engine is None:
            if self._session_ref is None:
                return  # never linked: nothing to unlink
            # Unlinking needs the stored session: resume it just long enough to log it out.
            engine = self.deps.build_engine(self.provider, str(self.connection_id), self._ignore)
            await engine.start(SessionTarget(session_ref=self._session_ref))
        try:
            await engine.logout()
        except Exception:
            log.exception("connection %s: logout failed; its keys may remain", self.connection_id)
        if engine is not self.engine:
            await engine.stop()

    async def _ignore(self, _event: EngineEvent) -> None:
        """Events of a session resumed only to be logged out are not news."""

    # ---- engine events --------------------------------------------------------------------------------------------

    async def handle(self, event: EngineEvent) -> None:
        """The engine's handler: returns only once the event is stored, so the engine may then acknowledge it."""
        if isinstance(event, MessageReceived | Receipt | MessageEdited | MessageRevoked):
            await self._ingest(event)
        elif isinstance(event, QrCode):
            self._set_state(EngineState.QR)
            await self._transaction(
                lambda s: connections.record_qr(s, self.connection_id, event.code, event.expires_at)
            )
        elif isinstance(event, PairingCode):
            await self._transaction(
                lambda s: connections.record_pairing_code(s, self.connection_id, event.code, event.expires_at)
            )
        else:
            await self._on_state(event)

    async def _ingest(self, event: InboundEvent) -> None:
        """Queue `event` behind those already waiting (order is kept) and return once it is committed."""
        waiting = _Waiting(event, asyncio.get_running_loop().create_future(), time.monotonic())
        self._waiting.append(waiting)
        if self._storing is None or self._storing.done():
            self._storing = asyncio.ensure_future(self._store_waiting())
            self._background.add(self._storing)
            self._storing.add_done_callback(self._background.discard)
        await waiting.stored

    async def _store_waiting(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                batch = self._waiting[:MAX_EVENTS_PER_TRANSACTION]
                del self._waiting[: len(batch)]
                await self._store_batch(batch)
        finally:
            # Cancelled with the session: nobody may wait for a commit that will not come.
            for waiting in batch + self._waiting:
                waiting.stored.cancel()
            self._waiting.clear()

    async def _store_batch(self, batch: list[_Waiting]) -> None:
        events = [waiting.event for waiting in batch]
        try:
            await self._stored(lambda s: self.deps.ingest(s, self.connection_id, events), what=f"{len(events)} events")
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

    async def _keep_dead_letter(self, waiting: _Waiting, error: Exception) -> None:
        """The pipeline raised on this event for a reason other than a database outage (a bug, a payload it does
        not expect): keep it raw for an administrator, and acknowledge it, so it is neither lost nor redelivered
        forever. Only when even that cannot be stored does the engine hear a failure."""
        if waiting.stored.done():
            return
        if is_database_outage(error):  # closing while the database is away: the next holder is told again
            waiting.stored.set_exception(error)
            return
        log.error(
            "connection %s: %s kept as a dead letter: %r", self.connection_id, type(waiting.event).__name__, error
        )
        try:
            await self._stored(
                lambda session: dead_letters.record(session, self.connection_id, waiting.event, error),
                what="a dead letter",
            )
        except Exception as exc:
            log.exception("connection %s: the dead letter could not be stored either", self.connection_id)
            if not waiting.stored.done():
                waiting.stored.set_exception(exc)
            return
        if not waiting.stored.done():
            waiting.stored.set_result(None)

    async def _on_state(self, event: StateChanged) -> None:
        self._set_state(event.state)
        if event.state == EngineState.FAILED:
            await self._retry_or_fail(event.reason)
            return
        stopping = event.state in _STOPPING_STATES
        await self._store_state(
            event.state,
            reason=event.reason,
            phone=event.phone,
            session_ref=event.session_ref,
            banned_until=event.until,
            forget_session=event.state == EngineState.LOGGED_OUT,
            stop=stopping,
        )
        if event.state == EngineState.CONNECTED:
            self._failures = 0
            self._session_ref = event.session_ref or self._session_ref
            self.nudge_outbox()
        if stopping:
            # Not from inside the engine's own handler: stopping waits for this very handler to return.
            self._spawn(self._finish())

    async def _retry_or_fail(self, reason: str | None) -> None:
        settings = self.deps.settings
        if self._failures >= settings.connect_retry_limit:
            await self._store_state(ConnectionStatus.FAILED, reason=reason, stop=True)
            self._spawn(self._finish())
            return
        delay = min(settings.connect_retry_max_seconds, 2.0**self._failures) * random.uniform(0.5, 1.0)
        self._failures += 1
        await self._store_state(ConnectionStatus.RECONNECTING, reason=f"{reason or 'connect failed'}; retrying")
        self._retry = asyncio.create_task(self._restart_after(delay))

    async def _restart_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        async with self._lock:
            self._retry = None
            session_ref = await self._transaction(self._current_session_ref)
            await self._stop_engine()
            await self._start(SessionTarget(session_ref=session_ref))

    async def _current_session_ref(self, session: AsyncSession) -> str | None:
        return (await connections.get_connection(session, self.connection_id)).session_ref

    async def _finish(self) -> None:
        async with self._lock:
            await self._stop_engine()
            self.finished = True

    # ---- helpers -------------------------------------------------------------------------------------------------

    def _is_connected(self) -> bool:
        return self.state == EngineState.CONNECTED

    def _set_state(self, state: EngineState) -> None:
        if state != self.state:
            self.state, self.state_since = state, time.monotonic()

    def _stuck_reconnecting(self) -> bool:
        watchdog = self.deps.settings.reconnect_watchdog_seconds
        return self.state == EngineState.RECONNECTING and time.monotonic() - self.state_since > watchdog

    def _cancel_retry(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _store_state(
        self,
        status: ConnectionStatus,
        *,
        reason: str | None = None,
        phone: str | None = None,
        session_ref: str | None = None,
        banned_until: datetime | None = None,
        forget_session: bool = False,
        stop: bool = False,
    ) -> None:
        await self._stored(
            lambda session: connections.record_state(
                session,
                self.connection_id,
                status,
                reason=reason,
                phone=phone,
                session_ref=session_ref,
                banned_until=banned_until,
                forget_session=forget_session,
                stop=stop,
                engine=self.deps.engine_name(self.provider),
            ),
            what=f"state {status.value}",
        )

    async def _stored(self, work: Callable[[AsyncSession], Awaitable[T]], *, what: str) -> T:
        """A transaction for something the engine reports only once: it waits out a database outage."""
        return await retry_through_outage(
            lambda: self._transaction(work), keep_trying=lambda: not self._closing, what=what
        )

    async def _transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with unit_of_work(self.deps.sessionmaker, self.deps.sink) as session:
            return await work(session)
