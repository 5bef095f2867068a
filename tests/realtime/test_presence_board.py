"""The presence board across processes: a process that dies without a word takes its users offline for the others
once its hash expires, and they tell their sockets."""

from __future__ import annotations

import asyncio

from tests.realtime.test_redis_fanout import redis_settings
from zapdesk.config import Settings
from zapdesk.kit.clock import SYSTEM_CLOCK
from zapdesk.realtime.presence import Presence, PresenceBoard

__all__ = ["redis_settings"]

AGENT = 7


class Told:
    """What a process told its sockets, in order."""

    def __init__(self) -> None:
        self.said: list[tuple[int, Presence]] = []
        self._changed = asyncio.Condition()

    async def __call__(self, user_id: int, state: Presence) -> None:
        async with self._changed:
            self.said.append((user_id, state))
            self._changed.notify_all()

    async def wait_for(self, user_id: int, state: Presence) -> None:
        async with asyncio.timeout(10), self._changed:
            await self._changed.wait_for(lambda: (user_id, state) in self.said)


async def test_users_of_a_process_that_died_turn_offline_for_the_others(redis_settings: Settings) -> None:
    told = Told()
    survivor = PresenceBoard(redis_settings, told, clock=SYSTEM_CLOCK, ttl_seconds=1.5)
    doomed = PresenceBoard(redis_settings, Told(), clock=SYSTEM_CLOCK, ttl_seconds=1.5)
    await survivor.start()
    await doomed.start()
    try:
        doomed.local.join("sid-1", AGENT)
        await doomed.changed(AGENT)
        await told.wait_for(AGENT, Presence.ONLINE)
        assert (await survivor.everyone()) == {AGENT: Presence.ONLINE}

        # Killed: no goodbye, no refresh; its hash outlives it until it expires.
        for task in doomed._tasks:
            task.cancel()
        await asyncio.gather(*doomed._tasks, return_exceptions=True)

        await told.wait_for(AGENT, Presence.OFFLINE)
        assert await survivor.everyone() == {}
    finally:
        await survivor.close()
        await doomed.close()


async def test_a_board_cancelled_at_any_moment_stops_even_when_redis_loses_the_cancellation(
    redis_settings: Settings,
) -> None:
    # A cancel that lands inside a Redis command sometimes came out of redis-py as an error, or not at all, and
    # the board's loops, built to carry on through outages, then ran for ever (11 boards in 300 before the fix).
    for attempt in range(150):
        board = PresenceBoard(redis_settings, Told(), clock=SYSTEM_CLOCK, ttl_seconds=1.5)
        await board.start()
        board.local.join("sid-1", AGENT)
        await asyncio.sleep((attempt % 12) * 0.004)
        for task in board._tasks:
            task.cancel()
        _, running = await asyncio.wait(board._tasks, timeout=5)
        assert not running, f"attempt {attempt}: a loop outlived its cancellation"
        await board.close()
