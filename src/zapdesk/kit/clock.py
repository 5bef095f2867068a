"""The time the services read: the system's UTC clock, or a fixed one that a test moves (a scripted day).

`zapdesk.db.base.utcnow` reads it, so every default timestamp and every service that asks for "now" follows a
`fixed_clock` set in the same task. Production never sets one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta


class FixedClock:
    """A clock that stands still until told to move."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self.at = at

    def advance(self, **delta: float) -> datetime:
        """Move forward (`advance(minutes=5)`) and return the new time."""
        self.at += timedelta(**delta)
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at


_fixed: ContextVar[FixedClock | None] = ContextVar("zapdesk_fixed_clock", default=None)


def now() -> datetime:
    clock = _fixed.get()
    return clock.at if clock is not None else datetime.now(UTC)


@contextmanager
def fixed_clock(at: datetime) -> Iterator[FixedClock]:
    """Within the block (and the tasks it starts), "now" is the returned clock's time."""
    clock = FixedClock(at)
    token = _fixed.set(clock)
    try:
        yield clock
    finally:
        _fixed.reset(token)
