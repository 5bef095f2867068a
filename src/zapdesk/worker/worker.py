"""The worker loop: keep leases alive, claim sessions that need a holder, and reconcile each with its row.

A worker holds up to a thousand sessions, so nothing it does between heartbeats may cost one query per session:
a nudge names the connections it concerns (only those are reconciled, only those outboxes woken), and the
sessions' own loops (outbox, downloads) do not poll: once per heartbeat, and soon after sessions connect, one
sweep (`due_work`) finds which of them have something due and wakes those."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.automation.runner import Automation
from zapdesk.cloud.service import engine_credentials
from zapdesk.config import Settings
from zapdesk.connections.models import Connection, Provider
from zapdesk.db.uow import unit_of_work
from zapdesk.dead_letters import service as dead_letters
from zapdesk.engine.neonize import leaked_session_threads
from zapdesk.worker import leases
from zapdesk.worker.due_work import find_due_work
from zapdesk.worker.nudges import Nudge
from zapdesk.worker.runner import ConnectionRow, ConnectionRunner, Inbound, InboundEvent, RunnerDeps

log = logging.getLogger(__name__)

# Sessions connecting one after another (a restart resumes hundreds) are swept for due work together, at most
# this often: one sweep instead of one look per session.
SWEEP_INTERVAL_SECONDS = 0.5


class Worker:
    def __init__(
        self,
        owner: str,
        deps: RunnerDeps,
        automation: Automation | None = None,
        *,
        leaked_threads: Callable[[], int] = leaked_session_threads,
    ) -> None:
        self.owner = owner
        self.deps = deps
        self.automation = automation
        self.runners: dict[int, ConnectionRunner] = {}
        self.recycled = False  # it stopped to free threads neonize leaked: its process must end and start again
        self._leaked_threads = leaked_threads
        self._wake = asyncio.Event()
        self._next_beat = float("-inf")  # the clock's monotonic time of the next full tick
        self._commanded: set[int] = set()  # named by nudges since the last look: reconciled before the next beat
        self._sweep_wanted = False  # sessions connected: look for their due work soon
        self._last_sweep = float("-inf")

    @property
    def heartbeat_seconds(self) -> float:
        return self.deps.settings.lease_seconds / 3

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until `stop` is set, or until too many threads leaked (`recycled`); then stop every session
        (keeping its keys) and give the leases back, so another worker (or this one started again) resumes them."""
        if self.automation is not None:
            self.automation.start()
        await self._retry_dead_letters()
        try:
            while not stop.is_set():
                try:
                    if self.deps.clock.monotonic() >= self._next_beat:
                        self._next_beat = self.deps.clock.monotonic() + self.heartbeat_seconds
                        await self.tick()
                    else:
                        await self._between_beats()
                except Exception:
                    # The database may blink; the next tick tries again, leases outlive a few missed beats.
                    log.exception("worker %s: tick failed", self.owner)
                if self._too_many_leaked_threads():
                    self.recycled = True
                    break
                await self._sleep_until_woken(stop)
        finally:
            await self.shutdown()

    def _too_many_leaked_threads(self) -> bool:
        leaked, limit = self._leaked_threads(), self.deps.settings.leaked_threads_limit
        if leaked <= limit:
            return False
        log.warning(
            "worker %s: %d threads are held by WhatsApp sessions that never returned (limit %d): handing its "
            "sessions over and starting again",
            self.owner,
            leaked,
            limit,
        )
        return True

    def nudge(self, nudge: Nudge) -> None:
        """Something changed in the database: look now, at what the nudge names, rather than at the next beat."""
        for connection_id in nudge.sends:
            runner = self.runners.get(connection_id)
            if runner is not None:  # another worker's session, or one not claimed yet (its start looks)
                runner.nudge_outbox()
        if nudge.automation and self.automation is not None:
            self.automation.nudge()
        if nudge.everything:
            self._next_beat = float("-inf")
        self._commanded |= nudge.commands
        if nudge.everything or nudge.commands:
            self._wake.set()

    def sweep_soon(self) -> None:
        """Sessions connected: look for their due work shortly, in one sweep however many connected meanwhile."""
        self._sweep_wanted = True
        self._wake.set()

    async def tick(self) -> None:
        """A heartbeat: renew the leases, look at what workers that died left in the inbox, claim what needs a
        holder, reconcile every session, wake due work."""
        settings = self.deps.settings
        self._commanded.clear()  # every session is reconciled now
        async with unit_of_work(self.deps.sessionmaker) as session:
            held = await leases.renew(session, self.owner, settings.lease_seconds, now=self.deps.clock.now())
        await self._look_at_the_inbox()
        rows = await self._claim_and_read(held)
        for connection_id in sorted(set(self.runners) | held):
            await self._reconcile_one(connection_id, rows.get(connection_id))
        await self._sweep()

    async def shutdown(self) -> None:
        """Stop every session (together: a thousand one after another outlast the supervisor's patience, and
        leases left behind keep the next worker waiting for them to expire), then free all leases at once."""
        if self.automation is not None:
            await self.automation.close()
        runners, self.runners = list(self.runners.values()), {}
        outcomes = await asyncio.gather(*(runner.close() for runner in runners), return_exceptions=True)
        for runner, outcome in zip(runners, outcomes, strict=True):
            if isinstance(outcome, Exception):
                log.error(
                    "worker %s: connection %s did not stop cleanly", self.owner, runner.connection_id, exc_info=outcome
                )
        await self.deps.settle()
        try:
            async with unit_of_work(self.deps.sessionmaker) as session:
                await leases.release_all(session, self.owner)
        except Exception:
            log.exception("worker %s: could not free its leases; they expire by themselves", self.owner)

    # ---- internals ---------------------------------------------------------------------------------------------

    async def _retry_dead_letters(self) -> None:
        """A worker starting may run a fixed version (a deploy): what failed before may be stored now."""

        async def ingest_one(session: AsyncSession, connection_id: int, event: InboundEvent) -> None:
            await self.deps.ingest(session, [Inbound(connection_id, event)])

        try:
            await dead_letters.retry_all(self.deps.sessionmaker, self.deps.sink, ingest_one)
        except Exception:
            log.exception(
                "worker %s: retrying dead letters failed; they wait for the next start or an admin", self.owner
            )

    async def _look_at_the_inbox(self) -> None:
        if self.deps.inbox is None:
            return
        try:
            await self.deps.inbox.look_for_leftovers()
        except Exception:
            log.exception("worker %s: what the inbox holds waits for the next heartbeat", self.owner)

    async def _claim_and_read(self, held: set[int]) -> dict[int, ConnectionRow]:
        held |= await self._claim(self.deps.settings.max_sessions_per_worker - len(held))
        async with unit_of_work(self.deps.sessionmaker) as session:
            return await _read_rows(session, self.deps.settings, held)

    async def _claim(self, room: int, among: set[int] | None = None) -> set[int]:
        """Take up to `room` sessions that need a holder (only `among` these, if given), in one transaction."""
        if room <= 0:
            return set()
        now = self.deps.clock.now()
        async with unit_of_work(self.deps.sessionmaker) as session:
            wanted = await leases.wanted_connection_ids(session, self.owner, room, now=now, among=among)
            return await leases.claim_many(session, self.owner, wanted, self.deps.settings.lease_seconds, now=now)

    async def _between_beats(self) -> None:
        """Reconcile only the sessions nudges named (claiming the ones that need a holder), and sweep if asked."""
        commanded, self._commanded = self._commanded, set()
        if commanded:
            held = commanded & set(self.runners)
            room = self.deps.settings.max_sessions_per_worker - len(self.runners)
            held |= await self._claim(room, among=commanded - held) if commanded - held else set()
            async with unit_of_work(self.deps.sessionmaker) as session:
                rows = await _read_rows(session, self.deps.settings, held)
            for connection_id in sorted(held):
                await self._reconcile_one(connection_id, rows.get(connection_id))
        if self._sweep_wanted and self.deps.clock.monotonic() - self._last_sweep >= SWEEP_INTERVAL_SECONDS:
            await self._sweep()

    async def _sweep(self) -> None:
        """Wake the outboxes and downloaders of the sessions that have something due, and only those."""
        self._sweep_wanted, self._last_sweep = False, self.deps.clock.monotonic()
        async with unit_of_work(self.deps.sessionmaker) as session:
            due = await find_due_work(session, now=self.deps.clock.now())
        for connection_id in due.sends:
            if (runner := self.runners.get(connection_id)) is not None:
                runner.nudge_outbox()
        for connection_id in due.downloads:
            if (runner := self.runners.get(connection_id)) is not None:
                runner.nudge_downloader()

    async def _reconcile_one(self, connection_id: int, row: ConnectionRow | None) -> None:
        """One session's trouble never disturbs another's: errors are logged and retried next tick."""
        try:
            if row is None:
                # Deleted (its lease went with it: forget its keys), or taken over after we missed heartbeats.
                await self._drop(connection_id, forget=not await self._exists(connection_id))
                return
            runner = self.runners.get(connection_id)
            if runner is None:
                runner = ConnectionRunner(row, self.deps, look_for_work=self.sweep_soon)
                self.runners[connection_id] = runner
            await runner.reconcile(row)
            if runner.finished:
                await self._drop(connection_id)
        except Exception:
            log.exception("worker %s: connection %s could not be reconciled", self.owner, connection_id)

    async def _drop(self, connection_id: int, *, forget: bool = False) -> None:
        runner = self.runners.pop(connection_id, None)
        if runner is not None:
            await runner.close(forget=forget)
        async with unit_of_work(self.deps.sessionmaker) as session:
            await leases.release(session, self.owner, connection_id)

    async def _exists(self, connection_id: int) -> bool:
        async with unit_of_work(self.deps.sessionmaker) as session:
            return await session.get(Connection, connection_id) is not None

    async def _sleep_until_woken(self, stop: asyncio.Event) -> None:
        """Until the next heartbeat (or a sweep that was asked for) is due on the clock, a nudge, or `stop`."""
        if self._commanded:
            return  # named while the last look ran
        wake_at = self._next_beat
        if self._sweep_wanted:
            wake_at = min(wake_at, self._last_sweep + SWEEP_INTERVAL_SECONDS)
        self._wake.clear()
        stopping = asyncio.ensure_future(stop.wait())
        stopping.add_done_callback(lambda _: self._wake.set())
        try:
            await self.deps.clock.wait(self._wake, max(0.0, wake_at - self.deps.clock.monotonic()))
        finally:
            stopping.cancel()
        self._wake.clear()


async def _read_rows(session: AsyncSession, settings: Settings, ids: set[int]) -> dict[int, ConnectionRow]:
    if not ids:
        return {}
    connections = list((await session.execute(select(Connection).where(Connection.id.in_(ids)))).scalars())
    cloud = {connection.id for connection in connections if connection.provider == Provider.CLOUD}
    extras = await engine_credentials(session, settings, cloud)
    return {
        connection.id: ConnectionRow(
            id=connection.id,
            provider=connection.provider,
            desired_state=connection.desired_state,
            pending_command=connection.pending_command,
            command_seq=connection.command_seq,
            session_ref=connection.session_ref,
            pairing_phone=connection.pairing_phone,
            extra=extras.get(connection.id, {}),
        )
        for connection in connections
    }
