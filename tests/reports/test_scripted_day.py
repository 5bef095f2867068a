"""The figures of a scripted day (`day.py`), computed by hand, as the reports give them."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.reports.day import DAY, READ_AT, ScriptedDay, cast, play_day
from tests.tickets.factories import Desk
from zapdesk.kit.clock import fixed_clock
from zapdesk.media.store import MediaStore
from zapdesk.tickets.models import Ticket


@pytest.fixture
async def day(desk: Desk, client: httpx.AsyncClient, media_store: MediaStore) -> AsyncIterator[ScriptedDay]:
    scripted = await cast(desk)
    with fixed_clock(READ_AT) as clock:
        await play_day(scripted, client, clock, media_store)
        yield scripted


async def report(client: httpx.AsyncClient, day: ScriptedDay, name: str, persona: Any = None, **params: Any) -> Any:
    user = persona or day.desk.admin
    query = {"start": DAY, "end": DAY, **params}
    response = await client.get(f"/api/reports/{name}", params=query, headers=day.headers(user))
    assert response.status_code == 200, response.text
    return response.json()


async def test_each_ticket_stores_its_metrics_as_its_day_goes(client: httpx.AsyncClient, day: ScriptedDay) -> None:
    rows = {row["id"]: row for row in await report(client, day, "tickets", limit=100)}
    columns = ("waiting_seconds", "first_response_seconds", "resolution_seconds", "transfer_count", "reopen_count")
    figures = {name: tuple(rows[ticket_id][column] for column in columns) for name, ticket_id in day.tickets.items()}
    assert figures == {
        "plain": (300, 420, 1800, 0, 0),
        # Waiting: 10 min before Ana, then 30 min back in the queue before Bruno; answered 52 min after writing.
        "moved": (600 + 1800, 3120, 3600, 1, 0),
        # Resolution runs to the second close: 11:00 → 13:20.
        "again": (60, 180, 8400, 0, 1),
        # Only the automatic greeting answered: no first response; nobody took it: no waiting time.
        "bot": (None, None, 3600, 0, 0),
        "rated": (120, 240, 600, 0, 0),
        "waits": (None, None, None, 0, 0),
    }
    # Every message counts, the automatic greeting included: customer + greeting + each answer.
    counts = {name: rows[ticket_id]["message_count"] for name, ticket_id in day.tickets.items()}
    assert counts == {"plain": 3, "moved": 3, "again": 4, "bot": 2, "rated": 3, "waits": 2}
    assert rows[day.tickets["rated"]]["rating"] == 4
    assert {row["rating"] for name, row in rows.items() if name != day.tickets["rated"]} == {None}


async def test_summary_of_the_day_matches_the_hand_computed_figures(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    summary = await report(client, day, "summary")
    assert (summary["created"], summary["closed"], summary["reopened"]) == (6, 5, 1)
    # Waiting [60, 120, 300, 2400]: median (120+300)/2; p90 at rank 2.7 → 300 + 0.7 * 2100.
    assert summary["waiting"] == {"count": 4, "median": 210.0, "p90": 1770.0}
    # First response [180, 240, 420, 3120]: median (240+420)/2; p90 → 420 + 0.7 * 2700.
    assert summary["first_response"] == {"count": 4, "median": 330.0, "p90": 2310.0}
    # Resolution [600, 1800, 3600, 3600, 8400]: median 3600; p90 at rank 3.6 → 3600 + 0.6 * 4800.
    assert summary["resolution"] == {"count": 5, "median": 3600.0, "p90": 6480.0}
    assert summary["csat"] == {"count": 1, "average": 4.0, "distribution": {"4": 1}}
    assert summary["by_day"] == [{"day": DAY, "created": 6, "closed": 5}]
    # At 16:30, the 16:00 customer is the only one waiting.
    assert summary["now"] == {"count": 1, "longest_seconds": 1800}


async def test_agents_are_credited_with_the_tickets_they_closed(client: httpx.AsyncClient, day: ScriptedDay) -> None:
    rows = await report(client, day, "agents")
    figures = [
        (row["name"], row["closed"], row["open_now"], row["first_response"]["median"], row["resolution"]["median"])
        for row in rows
    ]
    # Ana closed plain (420 s, 1800 s), again (180 s, 8400 s) and rated (240 s, 600 s); Bruno closed moved.
    assert figures == [("Ana", 3, 0, 240.0, 1800.0), ("Bruno", 1, 0, 3120.0, 3600.0)]
    assert rows[0]["csat"]["average"] == 4.0
    assert rows[1]["csat"] == {"count": 0, "average": None, "distribution": {}}


async def test_an_agent_sees_only_their_own_figures(client: httpx.AsyncClient, day: ScriptedDay) -> None:
    rows = await report(client, day, "agents", persona=day.bruno)
    assert [(row["name"], row["closed"]) for row in rows] == [("Bruno", 1)]


async def test_queue_and_connection_filters_never_reveal_tickets_outside_the_callers_view(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    outsider = day.desk.agent_not_in_queue
    for filters in ({}, {"queue_id": day.desk.queue.id}, {"connection_id": day.desk.connection.id}):
        summary = await report(client, day, "summary", persona=outsider, **filters)
        assert (summary["created"], summary["closed"], summary["now"]["count"]) == (0, 0, 0), filters
        assert await report(client, day, "tickets", persona=outsider, **filters) == []
        assert await report(client, day, "queues", persona=outsider, **filters) == []
        heat = await report(client, day, "heatmap", persona=outsider, **filters)
        assert sum(map(sum, heat["cells"])) == 0


async def test_queues_report_counts_each_queue(client: httpx.AsyncClient, day: ScriptedDay) -> None:
    [row] = await report(client, day, "queues")
    assert (row["name"], row["created"], row["closed"]) == ("Suporte", 6, 5)
    assert row["waiting"]["median"] == 210.0


async def test_heatmap_counts_new_tickets_by_weekday_and_hour_in_the_asked_time_zone(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    utc = (await report(client, day, "heatmap", tz="UTC"))["cells"]
    # 2026-12-01 is a Tuesday (row 1); customers wrote at 9, 10, 11, 14, 15 and 16 h UTC.
    assert {(weekday, hour) for weekday, row in enumerate(utc) for hour, n in enumerate(row) if n} == {
        (1, 9),
        (1, 10),
        (1, 11),
        (1, 14),
        (1, 15),
        (1, 16),
    }
    # Without `tz`, the workspace's time zone (America/Sao_Paulo unless changed).
    local = (await report(client, day, "heatmap"))["cells"]
    assert [hour for hour, n in enumerate(local[1]) if n] == [6, 7, 8, 11, 12, 13]


async def test_backfill_of_the_migration_finds_the_same_figures(client: httpx.AsyncClient, day: ScriptedDay) -> None:
    """Tickets from before the metric columns get, from their history and messages, what live ones got."""
    migration = importlib.import_module("zapdesk.migrations.versions.20261203_0017_ticket_metrics")
    columns = (*migration._NULLABLE, *migration._COUNTS)
    engine = day.desk.context.engine
    async with engine.begin() as connection:
        live = await connection.run_sync(lambda sync: _metric_rows(sync, columns))
        await connection.execute(
            update(Ticket).values(**dict.fromkeys(migration._NULLABLE), **dict.fromkeys(migration._COUNTS, 0))
        )
        await connection.run_sync(migration._backfill)
        backfilled = await connection.run_sync(lambda sync: _metric_rows(sync, columns))
    assert backfilled == live
    assert len(live) == 6


def _metric_rows(connection: Any, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    table = Ticket.__table__
    query = table.select().with_only_columns(*(table.c[name] for name in ("id", *columns))).order_by(table.c.id)
    return [tuple(row) for row in connection.execute(query)]


async def test_waiting_now_needs_no_period_and_keeps_the_visibility_rule(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    async def now(user: Any) -> Any:
        response = await client.get("/api/reports/now", headers=day.headers(user))
        assert response.status_code == 200, response.text
        return response.json()

    assert await now(day.desk.admin) == {"count": 1, "longest_seconds": 1800}
    assert await now(day.bruno) == {"count": 1, "longest_seconds": 1800}
    assert await now(day.desk.agent_not_in_queue) == {"count": 0, "longest_seconds": None}
