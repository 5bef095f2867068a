"""Automation inside a worker process: two loops, each a series of short transactions.

- Reacting: read the event log after the automation reader's position and act (`reactor.react_once`), for as
  long as there is something new; then rest until a nudge (this worker committed something, or another process
  did and the server passed the word on) or `poll_seconds`.
- Firing: the timers and scheduled messages that are due (`timers.fire_due`, `scheduled.service.send_due`),
  in batches; then rest until the next one is due, a nudge, or `poll_seconds`.

Every worker runs both; the database decides who does what (the reader's row and the due rows are claimed
FOR UPDATE SKIP LOCKED), so each event is reacted to once and each due item fires once, however many workers
run. Time comes from the injected `Clock` (`zapdesk.kit.clock`), so tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.automation import reactor
from zapdesk.automation.firing import fire_timers
from zapdesk.automation.models import Timer
from zapdesk.automation.timers import claim_due, fire_due, next_due
from zapdesk.db import cursors
from zapdesk.db.events import EventSink
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.scheduled import service as scheduled

log = logging.getLogger(__name__)

# Due items fired per transaction.
DUE_PER_TRANSACTION = 200


class Automation:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        sink: EventSink,
        *,
        clock: Clock = SYSTEM_CLOCK,
        poll_seconds: float = 5.0,
        due_per_transaction: int = DUE_PER_TRANSACTION,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.sink = sink
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.due_per_transaction = due_per_transaction
        self._react_wake = asyncio.Event()
        self._due_wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._loop(self.react_step, self._react_wake, "reacting"), name="automation-react"),
                asyncio.create_task(self._loop(self.due_step, self._due_wake, "firing"), name="automation-due"),
            ]

    def nudge(self) -> None:
        """Something was committed (an event, a timer, a schedule): look now rather than after the rest."""
        self._react_wake.set()
        self._due_wake.set()

    async def close(self) -> None:
        self._closing = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self, step: Callable[[], Awaitable[float]], wake: asyncio.Event, what: str) -> None:
        while not self._closing:
            wake.clear()
            try:
                rest = await step()
            except Exception:
                log.exception("automation: %s failed; trying again shortly", what)
                rest = self.poll_seconds
            if rest > 0:
                await self.clock.wait(wake, rest)

    # --- reacting ---------------------------------------------------------------------------------------------

    async def react_step(self) -> float:
        """React to what is new; 0 while more may be waiting, else how long to rest."""
        try:
            async with unit_of_work(self.sessionmaker, self.sink) as session:
                moved = await reactor.react_once(session, now=self.clock.now())
        except Exception:
            log.exception("automation: reacting to a batch of events failed; taking them one by one")
            moved = await self._react_singly()
        if moved:
            self._due_wake.set()  # a reaction may have armed a timer due sooner than the one waited for
            return 0.0
        return self.poll_seconds

    async def _react_singly(self) -> int:
        """One event per transaction; an event that cannot be reacted to is logged and passed over, so one
        bad event never holds up the others."""
        try:
            async with unit_of_work(self.sessionmaker, self.sink) as session:
                return await reactor.react_once(session, now=self.clock.now(), limit=1, whole_batches=False)
        except Exception:
            log.exception("automation: passing over an event it cannot react to")
            async with unit_of_work(self.sessionmaker, self.sink) as session:
                cursor = await cursors.take(session, reactor.READER)
                if cursor is None:
                    return 0
                cursor.position += 1
                return 1

    # --- firing -----------------------------------------------------------------------------------------------

    async def due_step(self) -> float:
        """Fire what is due; 0 while more may be due, else how long until the next (at most `poll_seconds`)."""
        now = self.clock.now()
        fired = await self._fire_timers(now)
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            sent = await scheduled.send_due(session, now=now, limit=self.due_per_transaction)
        if fired >= self.due_per_transaction or sent >= self.due_per_transaction:
            return 0.0
        async with self.sessionmaker() as session:
            upcoming = [moment for moment in (await next_due(session), await scheduled.next_due(session)) if moment]
        if not upcoming:
            return self.poll_seconds
        return min(self.poll_seconds, max(0.0, (min(upcoming) - self.clock.now()).total_seconds()))

    async def _fire_timers(self, now: datetime) -> int:
        try:
            async with unit_of_work(self.sessionmaker, self.sink) as session:
                return await fire_due(session, fire_timers, now=now, limit=self.due_per_transaction)
        except Exception:
            log.exception("automation: firing a batch of timers failed; firing them one by one")
        fired = 0
        while True:
            try:
                async with unit_of_work(self.sessionmaker, self.sink) as session:
                    one = await fire_due(session, fire_timers, now=now, limit=1)
            except Exception:
                await self._drop_next_due(now)
                one = 1
            if not one or fired >= self.due_per_transaction:
                return fired
            fired += one

    async def _drop_next_due(self, now: datetime) -> None:
        """A timer that cannot fire is dropped, loudly, rather than tried for ever."""
        log.exception("automation: dropping a timer that cannot fire")
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            for timer in await claim_due(session, now=now, limit=1):
                await session.execute(delete(Timer).where(Timer.id == timer.id))
