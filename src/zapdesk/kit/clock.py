"""Time as a dependency (STYLE rule 13): code that waits, expires or schedules asks a `Clock`, never the system.

`SystemClock` is the real one. `ManualClock` is for tests: its time moves only when the test says so, and
whatever sleeps on it wakes exactly then, so a test of a lease, a backoff or an expiry runs instantly.

Code handed a clock reads it; code that is not (a column's default timestamp, `zapdesk.db.base.utcnow`) reads
`now()`, the clock of the running task: the system's unless a test put another in place with `using_clock`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current UTC time (stored timestamps, expiries)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (intervals within a process)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return once `seconds` have passed on this clock."""
        ...

    async def wait(self, event: asyncio.Event, seconds: float | None) -> bool:
        """Return once `event` is set (True) or `seconds` have passed on this clock (False); None waits for ever.

        The loop of a worker with due items sleeps here until the next one is due or a nudge wakes it.
        """
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def wait(self, event: asyncio.Event, seconds: float | None) -> bool:
        # `asyncio.timeout`, not `wait_for`: on Python 3.11 `wait_for` can swallow a cancellation racing its timeout.
        try:
            async with asyncio.timeout(None if seconds is None else max(0.0, seconds)):
                await event.wait()
        except TimeoutError:
            return event.is_set()
        return True


SYSTEM_CLOCK = SystemClock()
C = TypeVar("C", bound=Clock)

_current: ContextVar[Clock] = ContextVar("zapdesk_clock", default=SYSTEM_CLOCK)


def now() -> datetime:
    """The current UTC time on the running task's clock (`using_clock`), the system's by default."""
    return _current.get().now()


@contextmanager
def using_clock(clock: C) -> Iterator[C]:
    """Within the block (and the tasks it starts), `now()` reads `clock`. Production never sets one."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


class ManualClock:
    """A clock that stands still until `advance`; sleepers wake in deadline order as time passes them."""

    def __init__(self, start: datetime = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)) -> None:
        self._start = start
        self._elapsed = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._sleeper_added = asyncio.Event()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._elapsed + seconds, next(self._order), wake))
        self._sleeper_added.set()
        try:
            await wake
        finally:
            wake.cancel()  # a cancelled sleeper leaves its entry behind, already done: `advance` skips it

    async def wait(self, event: asyncio.Event, seconds: float | None) -> bool:
        if event.is_set():
            return True
        waiter = asyncio.ensure_future(event.wait())
        sleeper = asyncio.ensure_future(self.sleep(seconds)) if seconds is not None else None
        pending = {waiter} if sleeper is None else {waiter, sleeper}
        try:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pending:
                task.cancel()
        return event.is_set()

    @property
    def sleeping(self) -> int:
        """How many sleeps are waiting for time to pass."""
        return sum(1 for _deadline, _order, wake in self._sleepers if not wake.done())

    async def until_sleeping(self, count: int = 1) -> None:
        """Return once at least `count` sleeps wait on this clock: the code under test has reached its wait."""
        while self.sleeping < count:
            self._sleeper_added.clear()
            await self._sleeper_added.wait()

    async def run(self, work: Awaitable[T], *, step: float) -> T:
        """Await `work`, moving time forward by `step` each time everything it started waits on this clock."""
        task = asyncio.ensure_future(work)
        while not task.done():
            sleeping = asyncio.ensure_future(self.until_sleeping())
            await asyncio.wait({task, sleeping}, return_when=asyncio.FIRST_COMPLETED)
            sleeping.cancel()
            if not task.done():
                await self.advance(step)
        return task.result()

    def set_wall_time(self, at: datetime) -> None:
        """The wall clock jumps to `at`, as a host's may (a scripted day, a date far away); monotonic time and
        the sleepers, which wait on it, do not move."""
        self._start = at - timedelta(seconds=self._elapsed)

    async def advance_to(self, at: datetime) -> None:
        """Move forward to the time `at` (a scripted day's next step); time never runs backwards."""
        seconds = (at - self.now()).total_seconds()
        if seconds < 0:
            raise ValueError(f"{at} is before the clock's time, {self.now()}")
        await self.advance(seconds)

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper whose deadline passed and letting it run before the next."""
        target = self._elapsed + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _order, wake = heapq.heappop(self._sleepers)
            if wake.done():
                continue
            self._elapsed = max(self._elapsed, deadline)
            wake.set_result(None)
            await _let_others_run()
        self._elapsed = target
        await _let_others_run()


async def _let_others_run() -> None:
    # A few turns of the loop: a woken sleeper runs until its next await (often another sleep or a query).
    for _ in range(3):
        await asyncio.sleep(0)
