"""The automation tests' `automaton`: the worker's automation run in the test, at a time the test sets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from tests.media.conftest import media_store
from tests.tickets.conftest import desk
from zapdesk.automation.runner import Automation
from zapdesk.context import AppContext
from zapdesk.db import cursors
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.clock import ManualClock

__all__ = ["automaton", "desk", "media_store"]


@dataclass
class Automaton:
    """Runs the steps of the worker's `Automation` (the same code) when the test says, at the time it says: the
    test moves `now`, it never sleeps."""

    context: AppContext
    clock: ManualClock = field(default_factory=lambda: ManualClock(start=utcnow()))
    automation: Automation = field(init=False)

    def __post_init__(self) -> None:
        self.automation = Automation(self.context.sessionmaker, self.context.publish, clock=self.clock)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @now.setter
    def now(self, moment: datetime) -> None:
        self.clock.set_wall_time(moment)

    async def start(self) -> None:
        """Automation reads the event log from here on (as it does from its migration on)."""
        async with unit_of_work(self.context.sessionmaker) as session:
            assert await cursors.take(session, "automation") is not None

    async def react(self) -> None:
        """React to everything committed so far."""
        while await self.automation.react_step() == 0:
            pass

    async def fire(self) -> None:
        """Fire what is due now (and react to what that did)."""
        while await self.automation.due_step() == 0:
            pass
        await self.react()

    async def advance(self, **delta: float) -> None:
        """Let time pass (`minutes=5`): what falls due fires."""
        self.now += timedelta(**delta)
        await self.fire()

    async def at(self, moment: datetime) -> None:
        self.now = moment
        await self.fire()


@pytest.fixture
async def automaton(context: AppContext) -> AsyncIterator[Automaton]:
    robot = Automaton(context)
    await robot.start()
    yield robot
