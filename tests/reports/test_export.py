"""The ticket report as CSV: what Excel in Portuguese opens right, streamed in flat memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import UTC, date, datetime, timedelta

import httpx
import openpyxl
from sqlalchemy import insert

from tests.tickets.factories import Desk, make_contact, make_ticket
from zapdesk.reports import service
from zapdesk.reports.schemas import ReportQuery
from zapdesk.tickets.models import Ticket, TicketStatus


def today() -> dict[str, str]:
    """The period of today in UTC, the zone the tickets' times are made in here: the workspace's own zone would end
    the day three hours apart (between 00:00 and 03:00 UTC, São Paulo is still on the day before)."""
    day = datetime.now(UTC).date().isoformat()
    return {"start": day, "end": day, "tz": "UTC"}


async def test_csv_starts_with_a_bom_and_keeps_accents_with_either_separator(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    contact = await make_contact(desk.context, name="João Conceição")
    ticket = await make_ticket(desk.context, connection=desk.connection, contact=contact, queue=desk.queue)
    for sep in (",", ";"):
        response = await client.get(
            "/api/reports/tickets",
            params={**today(), "format": "csv", "sep": sep},
            headers=desk.headers("admin"),
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert response.content.startswith("\ufeff".encode())
        header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=sep))
        assert tuple(header) == service.CSV_COLUMNS
        assert [(row[0], row[header.index("contact_name")]) for row in rows] == [(str(ticket.id), "João Conceição")]


async def test_csv_holds_the_same_tickets_as_the_json_pages(client: httpx.AsyncClient, desk: Desk) -> None:
    made = [await make_ticket(desk.context, connection=desk.connection, queue=desk.queue) for _ in range(5)]
    params = today()
    headers = desk.headers("admin")
    first = (await client.get("/api/reports/tickets", params={**params, "limit": 3}, headers=headers)).json()
    rest = await client.get("/api/reports/tickets", params={**params, "after": first[-1]["id"]}, headers=headers)
    exported = await client.get("/api/reports/tickets", params={**params, "format": "csv"}, headers=headers)
    csv_ids = [int(row["id"]) for row in csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))]
    assert [row["id"] for row in [*first, *rest.json()]] == csv_ids == [ticket.id for ticket in made]


async def test_csv_of_50000_tickets_streams_in_flat_memory(desk: Desk) -> None:
    contact = await make_contact(desk.context)
    start = datetime(2026, 11, 2, tzinfo=UTC)
    async with desk.context.sessionmaker() as session:
        rows = [
            {
                "contact_id": contact.id,
                "connection_id": desk.connection.id,
                "queue_id": desk.queue.id,
                "status": TicketStatus.CLOSED,
                "unread_count": 0,
                "last_activity_at": start + timedelta(seconds=n),
                "created_at": start + timedelta(seconds=n),
                "closed_at": start + timedelta(seconds=n + 60),
                "resolution_seconds": 60,
            }
            for n in range(50_000)
        ]
        await session.execute(insert(Ticket), rows)
        await session.commit()
    query = ReportQuery(start=date(2026, 11, 2), end=date(2026, 11, 3))
    async with desk.context.sessionmaker() as session:
        where = await service.scope(session, desk.admin, query)
    lines = 0
    tracemalloc.start()
    try:
        chunks = service.export_csv(desk.context.sessionmaker, where, query, ";")
        async for chunk in chunks:
            lines += chunk.count("\r\n")
            if lines == 5_001:  # the header and the first 5,000 rows: the memory of a small export
                early_peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.reset_peak()
        late_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == 50_001
    # Ten times the rows, not more memory: each batch is dropped before the next is read.
    assert late_peak < 2 * early_peak, (early_peak, late_peak)


async def test_xlsx_opens_with_openpyxl_and_holds_the_same_rows_as_the_csv(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    contact = await make_contact(desk.context, name="Conceição Araújo")
    for _ in range(3):
        await make_ticket(desk.context, connection=desk.connection, contact=contact, status=TicketStatus.CLOSED)
    params = today()
    headers = desk.headers("admin")
    as_csv = await client.get("/api/reports/tickets", params={**params, "format": "csv"}, headers=headers)
    as_xlsx = await client.get("/api/reports/tickets", params={**params, "format": "xlsx"}, headers=headers)
    assert as_xlsx.status_code == 200, as_xlsx.text
    assert as_xlsx.headers["content-disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    assert sheet is not None
    header, *rows = [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]
    csv_rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert header == service.CSV_COLUMNS
    assert [(row[0], row[header.index("contact_name")]) for row in rows] == [
        (int(row["id"]), row["contact_name"]) for row in csv_rows
    ]
    assert {row[header.index("contact_name")] for row in rows} == {"Conceição Araújo"}
