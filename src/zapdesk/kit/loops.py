"""A background loop that works in steps: each step says how long to rest before the next, and a nudge ends the
rest at once (new work arrived): `stepping.run_steps` with a start, a nudge and a close. The outbox dispatcher and
the media downloader are such loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.kit.stepping import run_steps

log = logging.getLogger(__name__)


class StepLoop(ABC):
    """Runs `step()` from `start()` until `close()`. A step that raises is logged, and the loop rests
    `poll_seconds` (what failed is still in the database: the next step finds it again). The rests are measured
    on `clock`, which a test moves by hand."""

    def __init__(self, *, name: str, poll_seconds: float, clock: Clock = SYSTEM_CLOCK) -> None:
        self.name = name
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def step(self) -> float:
        """Do what is due; returns how long to rest (unless nudged) before the next step."""

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=self.name)

    def nudge(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        self._closing = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        # `_closing` too, not only the cancellation: a cancellation lost in a step must not keep the loop alive.
        await run_steps(
            self.step,
            self._wake,
            poll_seconds=self.poll_seconds,
            log=log,
            what=self.name,
            keep_going=lambda: not self._closing,
            clock=self.clock,
        )
