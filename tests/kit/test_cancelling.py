"""A loop asks its task whether it was told to stop, so a cancellation a library swallowed still ends it."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from zapdesk.kit.cancelling import raise_if_cancelled


async def _swallowing_loop(turns: list[int]) -> None:
    while True:
        raise_if_cancelled()
        with contextlib.suppress(asyncio.CancelledError):  # a library call the cancel lands in, which drops it
            await asyncio.sleep(3600)
        turns.append(1)


async def test_a_loop_whose_library_dropped_the_cancellation_still_stops() -> None:
    turns: list[int] = []
    task = asyncio.create_task(_swallowing_loop(turns))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=5)
    assert turns == [1]  # it went round once more, then noticed


async def test_a_task_nobody_cancelled_carries_on() -> None:
    async def work() -> str:
        raise_if_cancelled()
        return "done"

    assert await asyncio.create_task(work()) == "done"
