"""The worker loop: keep leases alive, claim sessions that need a holder, and reconcile each with its row."""

from __future__ import annotations

import asyncio
import contextlib
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
from zapdesk.worker.runner import ConnectionRow, ConnectionRunner, InboundEvent, RunnerDeps

log = logging.getLogger(__name__)


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
                    await self.tick()
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

    def nudge(self, *, outbox: bool = False, automation: bool = False) -> None:
        """Something changed in the database: look now rather than at the next heartbeat."""
        if outbox:
            for runner in self.runners.values():
                runner.nudge_outbox()
        if automation and self.automation is not None:
            self.automation.nudge()
        self._wake.set()

    async def tick(self) -> None:
        settings = self.deps.settings
        async with unit_of_work(self.deps.sessionmaker) as session:
            held = await leases.renew(session, self.owner, settings.lease_seconds)
        rows = await self._claim_and_read(held)
        for connection_id in sorted(set(self.runners) | held):
            await self._reconcile_one(connection_id, rows.get(connection_id))

    async def shutdown(self) -> None:
        if self.automation is not None:
            await self.automation.close()
        for connection_id in list(self.runners):
            await self._drop(connection_id)
        with contextlib.suppress(Exception):
            async with unit_of_work(self.deps.sessionmaker) as session:
                await leases.release_all(session, self.owner)

    # ---- internals ---------------------------------------------------------------------------------------------

    async def _retry_dead_letters(self) -> None:
        """A worker starting may run a fixed version (a deploy): what failed before may be stored now."""

        async def ingest_one(session: AsyncSession, connection_id: int, event: InboundEvent) -> None:
            await self.deps.ingest(session, connection_id, [event])

        try:
            await dead_letters.retry_all(self.deps.sessionmaker, self.deps.sink, ingest_one)
        except Exception:
            log.exception(
                "worker %s: retrying dead letters failed; they wait for the next start or an admin", self.owner
            )

    async def _claim_and_read(self, held: set[int]) -> dict[int, ConnectionRow]:
        settings = self.deps.settings
        room = settings.max_sessions_per_worker - len(held)
        if room > 0:
            async with unit_of_work(self.deps.sessionmaker) as session:
                wanted = await leases.wanted_connection_ids(session, self.owner, room)
            for connection_id in wanted:
                if connection_id in held:
                    continue
                async with unit_of_work(self.deps.sessionmaker) as session:
                    if await leases.claim(session, self.owner, connection_id, settings.lease_seconds):
                        held.add(connection_id)
        async with unit_of_work(self.deps.sessionmaker) as session:
            return await _read_rows(session, settings, held)

    async def _reconcile_one(self, connection_id: int, row: ConnectionRow | None) -> None:
        """One session's trouble never disturbs another's: errors are logged and retried next tick."""
        try:
            if row is None:
                # Deleted (its lease went with it: forget its keys), or taken over after we missed heartbeats.
                await self._drop(connection_id, forget=not await self._exists(connection_id))
                return
            runner = self.runners.get(connection_id)
            if runner is None:
                runner = self.runners[connection_id] = ConnectionRunner(row, self.deps)
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
        waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, timeout=self.heartbeat_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
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
