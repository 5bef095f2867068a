"""One backoff for the whole code base: capped exponential waits with jitter, on tenacity and the injected clock."""

from __future__ import annotations

import pytest

from zapdesk.kit.clock import ManualClock
from zapdesk.kit.retry import Backoff, retry

BACKOFF = Backoff(first=1.0, cap=30.0)


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, 30.0), (40, 30.0)])
def test_each_wait_lies_between_half_the_first_and_its_steps_ceiling(attempt: int, ceiling: float) -> None:
    waits = [BACKOFF.delay(attempt) for _ in range(200)]
    assert all(BACKOFF.first / 2 <= wait <= ceiling for wait in waits)
    assert len(set(waits)) > 1  # jitter: processes retrying after one outage spread out


async def test_a_call_is_retried_after_backoff_waits_until_it_succeeds() -> None:
    clock = ManualClock()
    failures = [ConnectionError("down"), ConnectionError("still down")]
    heard: list[tuple[int, float]] = []

    async def work() -> str:
        if failures:
            raise failures.pop(0)
        return "done"

    result = retry(
        work,
        backoff=BACKOFF,
        clock=clock,
        when=lambda error: isinstance(error, ConnectionError),
        on_retry=lambda _error, attempt, wait: heard.append((attempt, wait)),
    )
    assert await clock.run(result, step=BACKOFF.cap) == "done"
    assert [attempt for attempt, _wait in heard] == [1, 2]
    assert 0.5 <= heard[0][1] <= 1.0 and 0.5 <= heard[1][1] <= 2.0


async def test_errors_not_meant_for_retrying_and_the_last_attempt_propagate() -> None:
    clock = ManualClock()
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        await retry(broken, backoff=BACKOFF, clock=clock, when=lambda _error: False)
    assert calls == 1
    with pytest.raises(ConnectionError):
        await clock.run(retry(broken, backoff=BACKOFF, clock=clock, when=lambda _e: True, attempts=3), step=30)
    assert calls == 4
