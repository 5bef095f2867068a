"""Waiting out a database outage while storing what an engine reports once, and only then."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from zapdesk.worker import retry
from zapdesk.worker.retry import is_database_outage, retry_through_outage


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


async def test_work_is_retried_until_the_database_is_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "FIRST_DELAY_SECONDS", 0.001)
    calls = 0

    async def work() -> str:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise ConnectionRefusedError(111, "Connect call failed")
        return "stored"

    assert await retry_through_outage(work, keep_trying=lambda: True) == "stored"
    assert calls == 4


async def test_other_errors_and_a_stop_request_end_the_retries_at_once() -> None:
    async def broken() -> None:
        raise ValueError("a bug")

    async def unreachable() -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    with pytest.raises(ValueError):
        await retry_through_outage(broken, keep_trying=lambda: True)
    with pytest.raises(ConnectionRefusedError):
        await retry_through_outage(unreachable, keep_trying=lambda: False)
