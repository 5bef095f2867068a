"""Waiting out a database outage while storing what an engine reports once, and only then."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from zapdesk.kit.clock import ManualClock
from zapdesk.worker.retry import OUTAGE_BACKOFF, is_database_outage, retry_through_outage


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_unreachable_or_restarting_databases_are_outages_but_bad_statements_are_not() -> None:
    assert is_database_outage(ConnectionRefusedError(111, "Connect call failed"))
    assert is_database_outage(OperationalError("SELECT 1", {}, Exception("database is locked")))
    starting_up = DBAPIError("SELECT 1", {}, _DriverError("57P03"))  # "the database system is starting up"
    assert is_database_outage(starting_up)
    assert is_database_outage(DBAPIError("SELECT 1", {}, _DriverError("08006")))
    assert not is_database_outage(IntegrityError("INSERT", {}, _DriverError("23505")))
    assert not is_database_outage(ValueError("a bug"))


async def test_work_is_retried_with_growing_waits_until_the_database_is_back() -> None:
    clock = ManualClock()
    calls: list[float] = []

    async def work() -> str:
        calls.append(clock.monotonic())
        if len(calls) < 5:
            raise ConnectionRefusedError(111, "Connect call failed")
        return "stored"

    storing = retry_through_outage(work, keep_trying=lambda: True, clock=clock)
    assert await clock.run(storing, step=OUTAGE_BACKOFF.cap) == "stored"
    waits = [later - earlier for earlier, later in itertools.pairwise(calls)]
    assert len(waits) == 4
    # Each wait lies between half the first step and the cap, and a later one may be longer than the first allows.
    assert all(OUTAGE_BACKOFF.first / 2 <= wait <= OUTAGE_BACKOFF.cap for wait in waits)


async def test_other_errors_and_a_stop_request_end_the_retries_at_once() -> None:
    clock = ManualClock()

    async def broken() -> None:
        raise ValueError("a bug")

    async def unreachable() -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    with pytest.raises(ValueError):
        await retry_through_outage(broken, keep_trying=lambda: True, clock=clock)
    with pytest.raises(ConnectionRefusedError):
        await retry_through_outage(unreachable, keep_trying=lambda: False, clock=clock)
    assert clock.monotonic() == 0  # no wait at all
