"""The figures of a scripted day (`day.py`), computed by hand, as the reports give them."""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import delete, update

from tests.reports.day import DAY, ScriptedDay, at, cast, play_day
from tests.tickets.factories import Desk
from zapdesk.kit.clock import ManualClock, using_clock
from zapdesk.media.store import MediaStore
from zapdesk.tickets.models import Ticket, TicketQueueTime


@pytest.fixture
async def day(desk: Desk, client: httpx.AsyncClient, media_store: MediaStore) -> AsyncIterator[ScriptedDay]:
    scripted = await cast(desk)
    with using_clock(ManualClock(start=at("08:00"))) as clock:
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


async def test_each_ticket_stores_its_time_in_queue_and_its_figures_in_business_hours(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    rows = {row["id"]: row for row in await report(client, day, "tickets", limit=100)}
    columns = (
        "queue_seconds",
        "business_queue_seconds",
        "business_waiting_seconds",
        "business_first_response_seconds",
        "business_resolution_seconds",
    )
    figures = {name: tuple(rows[ticket_id][column] for column in columns) for name, ticket_id in day.tickets.items()}
    assert figures == {
        # Open from 09:00 to 10:30 UTC: all of it counts.
        "plain": (1800, 1800, 300, 420, 1800),
        # 10:00-11:00 in the queue, the break 10:30-10:45 outside. Waiting 10:00-10:10 and 10:20-10:50 (10 + 15
        # minutes open); the answer came at 10:52 (30 + 7 minutes open); closed at 11:00 (30 + 15).
        "moved": (3600, 2700, 600 + 900, 2220, 2700),
        # Two stints in the queue: 11:00-11:10, and 13:00-13:20 after the reopening.
        "again": (600 + 1200, 1800, 60, 180, 8400),
        # 14:00-15:00 in the queue, open only until 14:30.
        "bot": (3600, 1800, None, None, 1800),
        "rated": (600, 600, 120, 240, 600),
        # Its stint in the queue still runs: it counts when it ends.
        "waits": (None, None, None, None, None),
    }


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
    assert summary["now"] == {"count": 1, "longest_seconds": 1800, "today": DAY, "tz": "America/Sao_Paulo"}


async def test_summary_in_business_hours_counts_only_the_open_seconds(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    summary = await report(client, day, "summary", hours="business")
    assert (summary["created"], summary["closed"], summary["reopened"]) == (6, 5, 1)
    # Waiting [60, 120, 300, 1500]: median (120+300)/2; p90 at rank 2.7 → 300 + 0.7 * 1200.
    assert summary["waiting"] == {"count": 4, "median": 210.0, "p90": 1140.0}
    # First response [180, 240, 420, 2220]: median (240+420)/2; p90 → 420 + 0.7 * 1800.
    assert summary["first_response"] == {"count": 4, "median": 330.0, "p90": 1680.0}
    # Resolution [600, 1800, 1800, 2700, 8400]: median 1800; p90 at rank 3.6 → 2700 + 0.6 * 5700.
    assert summary["resolution"] == {"count": 5, "median": 1800.0, "p90": 6120.0}
    assert summary["csat"] == {"count": 1, "average": 4.0, "distribution": {"4": 1}}


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
    # In business hours, only Bruno's "moved" crossed a break.
    business = await report(client, day, "agents", hours="business")
    medians = [(row["name"], row["first_response"]["median"], row["resolution"]["median"]) for row in business]
    assert medians == [("Ana", 240.0, 1800.0), ("Bruno", 2220.0, 2700.0)]


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
        assert await report(client, day, "connections", persona=outsider, **filters) == []
        heat = await report(client, day, "heatmap", persona=outsider, **filters)
        assert sum(map(sum, heat["cells"])) == 0


async def test_queues_report_counts_each_queue(client: httpx.AsyncClient, day: ScriptedDay) -> None:
    [row] = await report(client, day, "queues")
    assert (row["name"], row["created"], row["closed"]) == ("Suporte", 6, 5)
    assert row["waiting"]["median"] == 210.0
    assert row["resolution"] == {"count": 5, "median": 3600.0, "p90": 6480.0}
    # Time in the queue of the closed tickets [600, 1800, 1800, 3600, 3600]: p90 at rank 3.6 → 3600.
    assert row["time_in_queue"] == {"count": 5, "median": 1800.0, "p90": 3600.0}
    [business] = await report(client, day, "queues", hours="business")
    # In business hours [600, 1800, 1800, 1800, 2700]: p90 → 1800 + 0.6 * 900.
    assert business["time_in_queue"] == {"count": 5, "median": 1800.0, "p90": 2340.0}
    assert business["waiting"] == {"count": 4, "median": 210.0, "p90": 1140.0}
    assert business["resolution"] == {"count": 5, "median": 1800.0, "p90": 6120.0}


async def test_connections_report_gives_each_number_the_days_figures(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    [row] = await report(client, day, "connections")
    # Every ticket of the day came in on the desk's one number: the summary's figures, by hand above.
    assert row == {
        "connection_id": day.desk.connection.id,
        "name": day.desk.connection.name,
        "created": 6,
        "closed": 5,
        "waiting": {"count": 4, "median": 210.0, "p90": 1770.0},
        "first_response": {"count": 4, "median": 330.0, "p90": 2310.0},
        "resolution": {"count": 5, "median": 3600.0, "p90": 6480.0},
    }
    # Bruno's view: the queue's tickets, all of them (he belongs to it); filtered by his own tickets, only "moved".
    [mine] = await report(client, day, "connections", persona=day.bruno, user_id=day.bruno.id)
    assert (mine["created"], mine["closed"], mine["resolution"]["median"]) == (1, 1, 3600.0)


async def test_ticket_report_filters_as_the_ticket_list_plus_agent_tag_and_rating(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    admin = day.headers(day.desk.admin)
    tag = await client.post("/api/tags", json={"name": "Reclamação"}, headers=admin)
    assert tag.status_code == 201, tag.text
    for name in ("moved", "bot"):
        tagged = await client.put(f"/api/tickets/{day.tickets[name]}/tags/{tag.json()['id']}", headers=admin)
        assert tagged.status_code == 200, tagged.text
    names = {ticket_id: name for name, ticket_id in day.tickets.items()}

    async def named(**filters: Any) -> list[str]:
        return [names[row["id"]] for row in await report(client, day, "tickets", **filters)]

    assert await named(status="pending") == ["waits"]
    assert await named(status="closed") == ["plain", "moved", "again", "bot", "rated"]
    assert await named(user_id=day.ana.id) == ["plain", "again", "rated"]
    assert await named(user_id=day.bruno.id, status="closed") == ["moved"]
    assert await named(tag=tag.json()["id"]) == ["moved", "bot"]
    assert await named(rating=4) == ["rated"]
    assert await named(rating=5) == []
    assert await named(
        queue_id=day.desk.queue.id, connection_id=day.desk.connection.id, status="closed", tag=tag.json()["id"]
    ) == ["moved", "bot"]
    # Search as the ticket list searches: a message's words, a phone number's digits, a protocol number.
    assert await named(search="posso ajudar") == ["plain", "moved", "again", "rated"]
    assert await named(search="(11) 98800-0003") == ["again"]
    bot = (await report(client, day, "tickets", status="closed", tag=tag.json()["id"]))[1]
    assert await named(search=bot["protocol"]) == ["bot"]
    # An agent's filters stay inside what they may see: nothing of the queue for an agent outside it.
    outsider = day.desk.agent_not_in_queue
    assert await report(client, day, "tickets", persona=outsider, status="closed", rating=4) == []


async def test_the_export_holds_the_filtered_tickets(client: httpx.AsyncClient, day: ScriptedDay) -> None:
    params = {"start": DAY, "end": DAY, "status": "closed", "user_id": day.ana.id, "search": "posso"}
    for format in ("csv", "xlsx"):
        response = await client.get(
            "/api/reports/tickets", params={**params, "format": format}, headers=day.headers(day.desk.admin)
        )
        assert response.status_code == 200, response.text
        ids = exported_ids(response.content, format)
        assert ids == [day.tickets[name] for name in ("plain", "again", "rated")], format
        # Time in the queue and the business-hours figures are columns too ("again": two stints, 10 + 20 min).
        again = exported_rows(response.content, format)[1]
        columns = ("queue_seconds", "business_queue_seconds", "business_resolution_seconds")
        assert [int(str(again[column])) for column in columns] == [1800, 1800, 8400], format


def exported_ids(content: bytes, format: str) -> list[int]:
    return [int(str(row["id"])) for row in exported_rows(content, format)]


def exported_rows(content: bytes, format: str) -> list[dict[str, Any]]:
    """The rows of an exported file, by column name."""
    if format == "csv":
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip((str(name) for name in header), row, strict=True)) for row in rows]


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


async def test_backfill_of_the_business_hours_migration_finds_the_same_figures_and_queue_times(
    client: httpx.AsyncClient, day: ScriptedDay
) -> None:
    migration = importlib.import_module("zapdesk.migrations.versions.20261204_0020_business_hours_and_queue_times")
    engine = day.desk.context.engine
    async with engine.begin() as connection:
        live = await connection.run_sync(lambda sync: _metric_rows(sync, migration.FILLED))
        live_times = await connection.run_sync(_queue_time_rows)
        await connection.execute(update(Ticket).values(**dict.fromkeys(migration.FILLED)))
        await connection.execute(delete(TicketQueueTime))
        await connection.run_sync(migration.backfill)
        backfilled = await connection.run_sync(lambda sync: _metric_rows(sync, migration.FILLED))
        backfilled_times = await connection.run_sync(_queue_time_rows)
    assert (backfilled, backfilled_times) == (live, live_times)
    # The open ticket's stint runs from 16:00; five closed tickets have a time in the queue.
    assert [row[-1] for row in live] == [None] * 5 + [at("16:00")]
    assert len(live_times) == 5


def _queue_time_rows(connection: Any) -> list[tuple[Any, ...]]:
    table = TicketQueueTime.__table__
    return [tuple(row) for row in connection.execute(table.select().order_by(table.c.ticket_id, table.c.queue_id))]


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

    # Every ticket of the day is closed or pending at 16:30: nobody holds one open (and no socket is connected).
    today = {"today": DAY, "tz": "America/Sao_Paulo", "agents": []}
    assert await now(day.desk.admin) == {"count": 1, "longest_seconds": 1800, **today}
    assert await now(day.bruno) == {"count": 1, "longest_seconds": 1800, **today}
    assert await now(day.desk.agent_not_in_queue) == {"count": 0, "longest_seconds": None, **today}

    await accept(client, day, day.bruno, "waits")
    assert (await now(day.desk.admin))["agents"] == [
        {"user_id": day.bruno.id, "name": "Bruno", "open": 1, "presence": "offline"}
    ]
    assert (await now(day.ana))["agents"] == []
    assert (await now(day.desk.admin))["count"] == 0


async def accept(client: httpx.AsyncClient, day: ScriptedDay, user: Any, name: str) -> None:
    response = await client.patch(
        f"/api/tickets/{day.tickets[name]}", json={"action": "accept"}, headers=day.headers(user)
    )
    assert response.status_code == 200, response.text
