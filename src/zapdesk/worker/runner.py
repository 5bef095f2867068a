"""One connection's live session inside a worker: starts and stops its engine, turns engine events into stored
states and ingested messages, retries failed connects with backoff, and restarts sessions stuck reconnecting.

Inbound events go through the worker's group commit (`group_commit.py`): stored together with what its other
sessions hand over meanwhile, in one transaction, each handler call still returning only after its commit. Our
WhatsApp engine program's go through the worker's inbox first (`inbox.py`): its handler returns once the raw event
is committed, and the pipeline stores it right after."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.config import Settings
from zapdesk.connections import service as connections
from zapdesk.connections.models import ConnectionCommand, ConnectionStatus, DesiredState, Provider
from zapdesk.connections.service import StateReport
from zapdesk.db.events import EventSink
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.base import Engine, EventHandler
from zapdesk.engine.events import (
    AccountProfile,
    EngineEvent,
    EngineState,
    MediaContent,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    PairingCode,
    QrCode,
    Receipt,
    SessionTarget,
    StateChanged,
)
from zapdesk.kit.clock import Clock
from zapdesk.kit.retry import Backoff
from zapdesk.worker.group_commit import GroupCommit, Inbound, InboundEvent, Ingest
from zapdesk.worker.inbox import Inbox
from zapdesk.worker.retry import retry_through_outage
from zapdesk.worker.states import StateWriter

log = logging.getLogger(__name__)

__all__ = ["ConnectionRow", "ConnectionRunner", "Inbound", "InboundEvent", "Ingest", "RunnerDeps"]
T = TypeVar("T")

EngineBuilder = Callable[[str, str, EventHandler], Engine]

# States after which the session waits for a person: stop the engine and give the lease back.
_STOPPING_STATES = {
    EngineState.QR_EXPIRED,
    EngineState.LOGGED_OUT,
    EngineState.REPLACED,
    EngineState.BANNED,
    EngineState.OUTDATED,
}


class SessionLoop(Protocol):
    """A loop working for one live session (the outbox dispatcher, the media downloader): it only needs waking up
    and closing."""

    def nudge(self) -> None: ...

    async def close(self) -> None: ...


# (connection id, its engine, is the session connected now) -> a started loop.
LoopStarter = Callable[[int, Engine, Callable[[], bool]], SessionLoop]


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
    # What else the engine needs to start (the Cloud API's phone number id and access token), decrypted.
    extra: dict[str, str] = field(default_factory=dict)


async def _nothing_to_settle() -> None:
    return None


@dataclass(frozen=True, slots=True)
class RunnerDeps:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    sink: EventSink
    build_engine: EngineBuilder
    ingest: Ingest
    start_outbox: LoopStarter
    start_downloader: LoopStarter
    clock: Clock
    # The name of the program a provider's engine runs in ("zapdesk-wa", …), stored with the connection's state.
    engine_name: Callable[[str], str] = str
    # Stores the inbound events of all the worker's sessions together (None: each runner its own).
    group_commit: GroupCommit | None = None
    # Stores the states all the worker's sessions report together (None: each runner its own).
    states: StateWriter | None = None
    # Takes the inbound events of our WhatsApp engine program's sessions (None: they go to the group commit).
    inbox: Inbox | None = None
    # What the worker awaits before it stops, once its sessions are closed: work its sink still does after
    # the commits (queueing webhooks).
    settle: Callable[[], Awaitable[None]] = _nothing_to_settle

    @property
    def connect_backoff(self) -> Backoff:
        """A second or so after the first failed connect, then twice that each time, up to the configured cap."""
        return Backoff(first=1.0, cap=self.settings.connect_retry_max_seconds)


class ConnectionRunner:
    def __init__(
        self, row: ConnectionRow, deps: RunnerDeps, *, look_for_work: Callable[[], None] | None = None
    ) -> None:
        self.connection_id = row.id
        # Once connected, the session's loops must look for what waited: a worker sweeps for all its sessions
        # at once (`look_for_work`); a runner on its own wakes its loops, which look themselves.
        self._look_for_work = look_for_work or self._wake_loops
        self.provider = row.provider
        self.deps = deps
        self.engine: Engine | None = None
        self.outbox: SessionLoop | None = None
        self.downloader: SessionLoop | None = None
        self.state = EngineState.STOPPED
        self.state_since = deps.clock.monotonic()
        self.finished = False  # the session waits for a person: the worker gives the lease back
        self._handled_seq: int | None = None
        # The last stored session we know of: what a logout must unlink even when no engine runs.
        self._session_ref = row.session_ref
        self._extra = row.extra
        self._failures = 0
        self._retry: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._closing = False
        # The worker's, shared by its sessions; a runner built alone (tests) stores its events by itself.
        self._group_commit = deps.group_commit or GroupCommit(
            deps.sessionmaker, deps.sink, deps.ingest, clock=deps.clock
        )
        self._states = deps.states or StateWriter(deps.sessionmaker, deps.sink)
        # whatsmeow hands a session's events over one at a time, each after our verdict on the previous one.
        self._inbox = deps.inbox if row.provider == Provider.WHATSAPP else None

    # ---- driven by the worker's ticks -------------------------------------------------------------------------

    async def reconcile(self, row: ConnectionRow) -> None:
        """Converge the live session towards what the row asks for."""
        async with self._lock:
            self._session_ref, self._extra = row.session_ref, row.extra
            if row.command_seq != self._handled_seq:
                await self._carry_out(row)
                self._handled_seq = row.command_seq
                if row.pending_command is not None:  # a worker resuming its sessions has none to clear
                    await self._transaction(
                        lambda s: connections.finish_command(s, self.connection_id, row.command_seq)
                    )
            elif row.desired_state == DesiredState.STOPPED:
                await self._stop_engine()
                self.finished = True
            elif self.engine is None and self._retry is None and not self.finished:
                await self._start(self._target(row.session_ref))
            elif self._stuck_reconnecting():
                log.warning("connection %s reconnecting too long: starting it again", self.connection_id)
                await self._stop_engine()
                await self._start(self._target(row.session_ref))

    def nudge_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.nudge()

    def nudge_downloader(self) -> None:
        if self.downloader is not None:
            self.downloader.nudge()

    def _wake_loops(self) -> None:
        self.nudge_outbox()
        self.nudge_downloader()

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
        await self._start(self._target(row.session_ref, pairing_phone=row.pairing_phone))

    async def _start(self, target: SessionTarget) -> None:
        key = str(self.connection_id)
        self.engine = self.deps.build_engine(self.provider, key, self.handle)
        self.outbox = self.deps.start_outbox(self.connection_id, self.engine, self._is_connected)
        self.downloader = self.deps.start_downloader(self.connection_id, self.engine, self._is_connected)
        self._set_state(EngineState.STARTING)
        if self._inbox is not None:
            await self._inbox.recover(self.connection_id)  # before the session hands over anything newer
        await self.engine.start(target)

    async def _stop_engine(self) -> None:
        engine, loops = self.engine, (self.outbox, self.downloader)
        self.engine = self.outbox = self.downloader = None
        for loop in loops:
            if loop is not None:
                await loop.close()
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
            await engine.start(self._target(self._session_ref))
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
        """Store `event` with whatever else the worker is storing, in order; return once it is committed (in the
        inbox, for our WhatsApp engine program)."""
        has_file = isinstance(event, MessageReceived) and isinstance(event.content, MediaContent)
        if self._inbox is not None:
            # Its file is due once the pipeline stored it.
            stored = self.nudge_downloader if has_file else None
            await self._inbox.store(self.connection_id, event, keep_trying=lambda: not self._closing, stored=stored)
            return
        await self._group_commit.store(self.connection_id, event, keep_trying=lambda: not self._closing)
        if has_file:
            self.nudge_downloader()  # its file is due now

    async def _on_state(self, event: StateChanged) -> None:
        self._set_state(event.state)
        if event.state == EngineState.FAILED and event.retryable:
            await self._retry_or_fail(event.reason)
            return
        if event.state == EngineState.FAILED:
            # Trying again cannot help (credentials refused): wait for a person.
            await self._store_state(ConnectionStatus.FAILED, reason=event.reason, stop=True)
            self._spawn(self._finish())
            return
        stopping = event.state in _STOPPING_STATES
        await self._store_state(
            event.state,
            reason=event.reason,
            phone=event.phone,
            session_ref=event.session_ref,
            banned_until=event.until,
            profile=event.profile,
            forget_session=event.state == EngineState.LOGGED_OUT,
            stop=stopping,
        )
        if event.state == EngineState.CONNECTED:
            self._failures = 0
            self._session_ref = event.session_ref or self._session_ref
            self._look_for_work()
        if stopping:
            # Not from inside the engine's own handler: stopping waits for this very handler to return.
            self._spawn(self._finish())

    async def _retry_or_fail(self, reason: str | None) -> None:
        # Without a stored session a retry would open another QR window: one window per "Connect" click.
        if self._failures >= self.deps.settings.connect_retry_limit or self._session_ref is None:
            await self._store_state(ConnectionStatus.FAILED, reason=reason, stop=True)
            self._spawn(self._finish())
            return
        self._failures += 1
        delay = self.deps.connect_backoff.delay(self._failures)
        await self._store_state(ConnectionStatus.RECONNECTING, reason=f"{reason or 'connect failed'}; retrying")
        self._retry = asyncio.create_task(self._restart_after(delay))

    async def _restart_after(self, delay: float) -> None:
        await self.deps.clock.sleep(delay)
        async with self._lock:
            self._retry = None
            session_ref = await self._transaction(self._current_session_ref)
            await self._stop_engine()
            await self._start(self._target(session_ref))

    async def _current_session_ref(self, session: AsyncSession) -> str | None:
        return (await connections.get_connection(session, self.connection_id)).session_ref

    async def _finish(self) -> None:
        async with self._lock:
            await self._stop_engine()
            self.finished = True

    # ---- helpers -------------------------------------------------------------------------------------------------

    def _target(self, session_ref: str | None, *, pairing_phone: str | None = None) -> SessionTarget:
        return SessionTarget(session_ref=session_ref, pairing_phone=pairing_phone, extra=dict(self._extra))

    def _is_connected(self) -> bool:
        return self.state == EngineState.CONNECTED

    def _set_state(self, state: EngineState) -> None:
        if state != self.state:
            self.state, self.state_since = state, self.deps.clock.monotonic()

    def _stuck_reconnecting(self) -> bool:
        watchdog = self.deps.settings.reconnect_watchdog_seconds
        return self.state == EngineState.RECONNECTING and self.deps.clock.monotonic() - self.state_since > watchdog

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
        profile: AccountProfile | None = None,
        forget_session: bool = False,
        stop: bool = False,
    ) -> None:
        """Store a state the session reported, with those of the worker's other sessions (waiting out a database
        outage: it is reported only once)."""
        report = StateReport(
            self.connection_id,
            status,
            reason=reason,
            phone=phone,
            session_ref=session_ref,
            banned_until=banned_until,
            profile=profile,
            forget_session=forget_session,
            stop=stop,
            engine=self.deps.engine_name(self.provider),
        )
        await retry_through_outage(
            lambda: self._states.record(report),
            keep_trying=lambda: not self._closing,
            clock=self.deps.clock,
            what=f"state {status.value}",
        )

    async def _transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with unit_of_work(self.deps.sessionmaker, self.deps.sink) as session:
            return await work(session)
