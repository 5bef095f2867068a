"""Retrying with capped exponential backoff and jitter: the one backoff of the code base, on `tenacity`.

Two uses share one `Backoff`: a call retried in place (`retry`, sleeping on the injected clock), and a
schedule kept in the database (`Backoff.delay`, e.g. the outbox's next attempt of a message).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_never
from tenacity.wait import wait_base, wait_random_exponential

from zapdesk.kit.clock import Clock

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Wait `first` seconds or so, then twice that, four times… never more than `cap`.

    Each wait is drawn at random between half of `first` and its step's ceiling ("full jitter"), so many
    processes retrying after one outage spread out instead of knocking again all at the same moment.
    """

    first: float
    cap: float

    def strategy(self) -> wait_base:
        return wait_random_exponential(multiplier=self.first, max=self.cap, min=self.first / 2)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1 for the first)."""
        state = RetryCallState(retry_object=AsyncRetrying(), fn=None, args=(), kwargs={})
        state.attempt_number = max(1, attempt)
        return float(self.strategy()(state))


async def retry(
    work: Callable[[], Awaitable[T]],
    *,
    backoff: Backoff,
    clock: Clock,
    when: Callable[[BaseException], bool],
    attempts: int | None = None,
    on_retry: Callable[[BaseException, int, float], None] | None = None,
) -> T:
    """Await `work()` until it returns; an exception for which `when` holds is retried after a backoff step.

    Any other exception, or the last of `attempts` (None: no limit), propagates as it is. `on_retry` hears of
    each failure that will be retried: the exception, the attempt number and the seconds before the next.
    """

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is not None and state.outcome is not None and state.next_action is not None:
            error = state.outcome.exception()
            if error is not None:
                on_retry(error, state.attempt_number, state.next_action.sleep)

    retrying = AsyncRetrying(
        sleep=clock.sleep,
        wait=backoff.strategy(),
        # Never a cancellation (a BaseException): a retried task must still stop when told to.
        retry=retry_if_exception(lambda error: isinstance(error, Exception) and when(error)),
        stop=stop_never if attempts is None else stop_after_attempt(attempts),
        before_sleep=before_sleep,
        reraise=True,
    )

    async def attempt() -> T:
        # A coroutine function, whatever `work` is: tenacity awaits only what it can tell is async.
        return await work()

    return await retrying(attempt)


def log_retries(log: logging.Logger, what: str) -> Callable[[BaseException, int, float], None]:
    """An `on_retry` that says once that `what` is being retried, then stays quiet (outages can be long)."""

    def on_retry(error: BaseException, attempt: int, wait: float) -> None:
        if attempt == 1:
            log.warning("%s failed (%s); retrying with backoff", what, type(error).__name__)
        else:
            log.debug("%s failed again (%s); attempt %d, next in %.1f s", what, type(error).__name__, attempt, wait)

    return on_retry
