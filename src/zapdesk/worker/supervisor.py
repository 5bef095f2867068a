"""Embedded mode: the server runs engine workers as child processes and restarts any that dies.

A Go panic or a `kill -9` ends one worker, never the API. The dead worker's leases are freed at once, and its
replacement resumes the sessions from their stored keys, without a new scan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys

from zapdesk.context import AppContext
from zapdesk.db.events import EventSink
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.retry import Backoff
from zapdesk.metrics.tally import Tally
from zapdesk.worker import leases
from zapdesk.worker.channel import EVENTS, METRICS, Channel, events_from_message, nudge_message
from zapdesk.worker.nudges import Nudge, nudging_sink

log = logging.getLogger(__name__)

SETTINGS_ENV = "ZAPDESK_WORKER_SETTINGS"
STOP_GRACE_SECONDS = 10.0
# A worker that keeps dying right away is restarted ever more slowly; one that ran this long starts over.
RESTART_BACKOFF = Backoff(first=0.5, cap=30.0)
HEALTHY_RUN_SECONDS = 60.0


class WorkerSupervisor:
    def __init__(self, context: AppContext, publish: EventSink) -> None:
        self.context = context
        self.publish = publish
        self.slots = [_WorkerSlot(self, index) for index in range(context.settings.worker_processes)]
        # The server's sink: internal events wake workers, the rest go to the sockets.
        self.sink: EventSink = nudging_sink(publish, self._wake)
        # What the workers counted (they report every second), served at /metrics.
        self.metrics = Tally()

    async def start(self) -> None:
        for slot in self.slots:
            slot.start()

    async def stop(self) -> None:
        await asyncio.gather(*(slot.stop() for slot in self.slots))

    def nudge(self, nudge: Nudge) -> None:
        for slot in self.slots:
            slot.nudge(nudge)

    async def _wake(self, nudge: Nudge) -> None:
        self.nudge(nudge)

    @property
    def pids(self) -> list[int]:
        return [slot.process.pid for slot in self.slots if slot.process is not None]


class _WorkerSlot:
    """One worker process, started again whenever it exits while the server runs."""

    def __init__(self, supervisor: WorkerSupervisor, index: int) -> None:
        self.supervisor = supervisor
        self.index = index
        self.generation = 0
        self.process: asyncio.subprocess.Process | None = None
        self.channel: Channel | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._keep_running(), name=f"worker-slot-{self.index}")

    def nudge(self, nudge: Nudge) -> None:
        channel = self.channel
        if channel is not None:
            task = asyncio.create_task(channel.send(nudge_message(nudge)))
            task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    async def stop(self) -> None:
        self._stopping = True
        process = self.process
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _keep_running(self) -> None:
        clock = self.supervisor.context.clock
        quick_deaths = 0
        while not self._stopping:
            started = clock.monotonic()
            owner = f"{socket.gethostname()}:{os.getpid()}:worker{self.index}.{self.generation}"
            self.generation += 1
            code = await self._run_once(owner)
            if self._stopping:
                return
            await self._free_leases(owner)
            quick_deaths = 1 if clock.monotonic() - started > HEALTHY_RUN_SECONDS else quick_deaths + 1
            delay = RESTART_BACKOFF.delay(quick_deaths)
            log.warning("engine worker %s exited with %s; restarting in %.1fs", owner, code, delay)
            await clock.sleep(delay)

    async def _run_once(self, owner: str) -> int | None:
        server_end, worker_end = socket.socketpair()
        try:
            env = {**os.environ, SETTINGS_ENV: self.supervisor.context.settings.model_dump_json()}
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "zapdesk",
                "worker",
                "--owner",
                owner,
                "--channel-fd",
                str(worker_end.fileno()),
                pass_fds=(worker_end.fileno(),),
                env=env,
            )
        finally:
            worker_end.close()
        self.channel = await Channel.open(server_end)
        try:
            await self._relay_events(self.channel)
            return await self.process.wait()
        finally:
            await self.channel.close()
            self.channel = None

    async def _relay_events(self, channel: Channel) -> None:
        while (message := await channel.receive()) is not None:
            if message.get("type") == EVENTS:
                await self.supervisor.publish(events_from_message(message))
            elif message.get("type") == METRICS:
                self.supervisor.metrics.merge(Tally.from_fields(message.get("fields", {})))

    async def _free_leases(self, owner: str) -> None:
        try:
            async with unit_of_work(self.supervisor.context.sessionmaker) as session:
                await leases.release_all(session, owner)
        except Exception:
            log.exception("could not free the leases of %s; they expire by themselves", owner)
