"""The injectable clock: the system one, and the manual one tests move instead of sleeping."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from zapdesk.kit.clock import SYSTEM_CLOCK, ManualClock


async def test_sleepers_wake_in_deadline_order_exactly_when_time_passes_them() -> None:
    clock = ManualClock()
    start = clock.now()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.monotonic()))

    tasks = [asyncio.ensure_future(sleeper(name, seconds)) for name, seconds in (("late", 30), ("soon", 10))]
    await clock.until_sleeping(2)
    await clock.advance(9.9)
    assert woke == []
    await clock.advance(25)
    assert woke == [("soon", 10), ("late", 30)]
    assert clock.now() - start == timedelta(seconds=34.9)
    await asyncio.gather(*tasks)


async def test_a_wait_ends_when_its_event_is_set_or_when_the_clock_says() -> None:
    clock, nudge = ManualClock(), asyncio.Event()

    timed_out = asyncio.ensure_future(clock.wait(nudge, 5))
    await clock.until_sleeping()
    await clock.advance(5)
    assert await timed_out is False

    woken = asyncio.ensure_future(clock.wait(nudge, 5))
    await clock.until_sleeping()
    nudge.set()
    assert await woken is True
    assert clock.sleeping == 0  # the wait gave up its sleep


async def test_run_moves_time_whenever_the_work_waits_on_the_clock() -> None:
    clock = ManualClock()

    async def three_naps() -> float:
        for _ in range(3):
            await clock.sleep(60)
        return clock.monotonic()

    assert await clock.run(three_naps(), step=60) == 180


async def test_the_system_clock_waits_for_an_event_or_gives_up_after_the_time() -> None:
    nudge = asyncio.Event()
    assert await SYSTEM_CLOCK.wait(nudge, 0) is False
    nudge.set()
    assert await SYSTEM_CLOCK.wait(nudge, None) is True
    assert SYSTEM_CLOCK.now().tzinfo is not None
