"""Bad report input answers 422 with the field at fault (worded in Portuguese by the web app), never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.tickets.factories import Desk


async def ask(client: httpx.AsyncClient, desk: Desk, **params: Any) -> httpx.Response:
    return await client.get("/api/reports/summary", params=params, headers=desk.headers("admin"))


@pytest.mark.parametrize(
    ("params", "field", "error_type"),
    [
        ({"start": "2026-12-10", "end": "2026-12-01"}, "end", "period_reversed"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "end", "period_too_long"),
        ({"start": "2026-12-01", "end": "2026-12-01", "tz": "Mars/Olympus"}, "tz", "unknown_time_zone"),
        ({"start": "2026-12-01", "end": "2026-12-01", "queue_id": "0"}, "queue_id", "greater_than_equal"),
        ({"start": "first of May", "end": "2026-12-01"}, "start", "date_from_datetime_parsing"),
    ],
)
async def test_a_bad_period_or_filter_is_refused_naming_the_field(
    client: httpx.AsyncClient, desk: Desk, params: dict[str, str], field: str, error_type: str
) -> None:
    response = await ask(client, desk, **params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid"
    assert [(error["loc"][-1], error["type"]) for error in body["errors"]] == [(field, error_type)]


async def test_a_period_of_exactly_366_days_is_accepted(client: httpx.AsyncClient, desk: Desk) -> None:
    response = await ask(client, desk, start="2027-01-01", end="2028-01-01")
    assert response.status_code == 200, response.text
    assert len(response.json()["by_day"]) == 366


@pytest.mark.parametrize("noun", ["queue", "connection", "user"])
async def test_a_filter_naming_nothing_that_exists_is_refused(client: httpx.AsyncClient, desk: Desk, noun: str) -> None:
    response = await ask(client, desk, start="2026-12-01", end="2026-12-01", **{f"{noun}_id": "999999"})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == f"unknown_{noun}"
    assert [(error["loc"], error["type"]) for error in response.json()["errors"]] == [
        (["query", f"{noun}_id"], f"unknown_{noun}")
    ]


async def tickets_report(client: httpx.AsyncClient, desk: Desk, **params: Any) -> httpx.Response:
    period = {"start": "2026-12-01", "end": "2026-12-01"}
    return await client.get("/api/reports/tickets", params={**period, **params}, headers=desk.headers("admin"))


@pytest.mark.parametrize("format", ["json", "csv", "xlsx"])
async def test_ticket_report_names_each_filter_naming_nothing(
    client: httpx.AsyncClient, desk: Desk, format: str
) -> None:
    response = await tickets_report(client, desk, tag="999999", queue_id="999998", format=format)
    assert response.status_code == 422, response.text
    assert [(error["loc"][-1], error["type"]) for error in response.json()["errors"]] == [
        ("queue_id", "unknown_queue"),
        ("tag", "unknown_tag"),
    ]


@pytest.mark.parametrize(
    ("params", "field", "error_type"),
    [
        ({"status": "archived"}, "status", "enum"),
        ({"rating": "6"}, "rating", "less_than_equal"),
        ({"rating": "0"}, "rating", "greater_than_equal"),
        ({"tag": "x"}, "tag", "int_parsing"),
        ({"search": "a" * 201}, "search", "string_too_long"),
    ],
)
async def test_ticket_report_refuses_a_malformed_filter_naming_the_field(
    client: httpx.AsyncClient, desk: Desk, params: dict[str, str], field: str, error_type: str
) -> None:
    response = await tickets_report(client, desk, **params)
    assert response.status_code == 422, response.text
    assert [(error["loc"][-1], error["type"]) for error in response.json()["errors"]] == [(field, error_type)]


async def test_an_unknown_export_format_is_refused(client: httpx.AsyncClient, desk: Desk) -> None:
    response = await client.get(
        "/api/reports/tickets",
        params={"start": "2026-12-01", "end": "2026-12-01", "format": "pdf"},
        headers=desk.headers("admin"),
    )
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["errors"]] == ["format"]
