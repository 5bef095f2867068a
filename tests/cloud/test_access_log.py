"""uvicorn's access log and Meta's deliveries: a line for each refused one, none for each stored one."""

from __future__ import annotations

import logging

import pytest

from zapdesk.cloud.routes import ACCESS_LOGGER, QuietDeliveries, quiet_stored_deliveries_in_access_log


def access_line(method: str, path: str, status_code: int) -> logging.LogRecord:
    """A record as uvicorn's HTTP protocol logs each answer."""
    return logging.LogRecord(
        ACCESS_LOGGER, logging.INFO, "httptools_impl.py", 480, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", method, path, "1.1", status_code), None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "status_code", "logged"),
    [
        ("POST", "/api/webhooks/cloud/7", 200, False),
        ("POST", "/api/webhooks/cloud/7", 403, True),
        ("POST", "/api/webhooks/cloud/7", 503, True),
        ("GET", "/api/webhooks/cloud/7?hub.mode=subscribe", 200, True),
        ("POST", "/api/tickets/7/messages", 200, True),
    ],
)
def test_only_deliveries_answered_200_are_left_out_of_the_access_log(
    method: str, path: str, status_code: int, logged: bool
) -> None:
    assert QuietDeliveries().filter(access_line(method, path, status_code)) is logged


def test_the_filter_is_installed_once_and_first(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    monkeypatch.setattr(logger, "filters", [logging.Filter("earlier")])

    quiet_stored_deliveries_in_access_log()
    quiet_stored_deliveries_in_access_log()

    assert [type(existing) for existing in logger.filters] == [QuietDeliveries, logging.Filter]
