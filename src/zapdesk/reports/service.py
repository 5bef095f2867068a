"""The report figures: aggregates over ticket columns, within what the caller may see.

Which tickets a figure counts (`docs/metrics.md`): volumes and the waiting and first-response spreads count
the tickets *created* in the period; closings, resolution time and ratings count the tickets *closed* in it
(a reopened ticket counts when it closes again); "now" ignores the period. Medians and p90 are computed here,
the same way on both databases, from one column per ticket: never from messages.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
import tempfile
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.db.base import utcnow
from zapdesk.errors import Invalid
from zapdesk.queues.models import Queue
from zapdesk.reports.schemas import (
    AgentRow,
    Csat,
    DayVolume,
    Heatmap,
    QueueRow,
    ReportQuery,
    Separator,
    Spread,
    Summary,
    TicketMetricsRow,
    WaitingNow,
)
from zapdesk.settings.service import TIMEZONE, get_setting
from zapdesk.tickets.access import visible_tickets_clause
from zapdesk.tickets.history.models import TicketEvent, TicketEventKind
from zapdesk.tickets.models import Ticket, TicketStatus, protocol_number
from zapdesk.users.models import User

# --- arithmetic -----------------------------------------------------------------------------------------


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile of sorted values, interpolated linearly (PostgreSQL's `percentile_cont`)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Iterable[int | None]) -> Spread:
    ordered = sorted(value for value in values if value is not None)
    return Spread(count=len(ordered), median=_ms(percentile(ordered, 0.5)), p90=_ms(percentile(ordered, 0.9)))


def _ms(seconds: float | None) -> float | None:
    """To the millisecond: the interpolation's float noise is no part of the figure."""
    return round(seconds, 3) if seconds is not None else None


def csat(ratings: Iterable[int | None]) -> Csat:
    given = [rating for rating in ratings if rating is not None]
    return Csat(
        count=len(given),
        average=sum(given) / len(given) if given else None,
        distribution=dict(sorted(Counter(given).items())),
    )


# --- which tickets --------------------------------------------------------------------------------------


async def _check_filters(session: AsyncSession, query: ReportQuery) -> None:
    """Filters name things that exist: a typo must not look like a quiet day."""
    named = (
        (query.queue_id, Queue, "queue"),
        (query.connection_id, Connection, "connection"),
        (query.user_id, User, "user"),
    )
    for item_id, model, noun in named:
        if item_id is not None and await session.get(model, item_id) is None:
            raise Invalid(f"There is no {noun} with this id.", code=f"unknown_{noun}")


async def prepare(
    session: AsyncSession, user: User, query: ReportQuery
) -> tuple[list[ColumnElement[bool]], ReportQuery]:
    """The tickets a report counts, and the query with its time zone (the workspace's when none was asked)."""
    if query.tz is None:
        query = query.model_copy(update={"tz": await get_setting(session, TIMEZONE)})
    return await scope(session, user, query), query


async def scope(session: AsyncSession, user: User, query: ReportQuery) -> list[ColumnElement[bool]]:
    """What the caller may see (the tickets' own rule), narrowed by the report's filters (which must exist)."""
    await _check_filters(session, query)
    clauses = [visible_tickets_clause(user)]
    if query.queue_id is not None:
        clauses.append(Ticket.queue_id == query.queue_id)
    if query.connection_id is not None:
        clauses.append(Ticket.connection_id == query.connection_id)
    if query.user_id is not None:
        clauses.append(Ticket.assignee_id == query.user_id)
    return clauses


def _created_in(query: ReportQuery) -> ColumnElement[bool]:
    return and_(Ticket.created_at >= query.since, Ticket.created_at < query.until)


def _closed_in(query: ReportQuery) -> ColumnElement[bool]:
    return and_(Ticket.status == TicketStatus.CLOSED, Ticket.closed_at >= query.since, Ticket.closed_at < query.until)


@dataclass(frozen=True, slots=True)
class _Created:
    created_at: datetime
    queue_id: int | None
    waiting_seconds: int | None
    first_response_seconds: int | None


@dataclass(frozen=True, slots=True)
class _Closed:
    closed_at: datetime
    queue_id: int | None
    assignee_id: int | None
    first_response_seconds: int | None
    resolution_seconds: int | None
    rating: int | None


async def _created(session: AsyncSession, where: list[ColumnElement[bool]], query: ReportQuery) -> list[_Created]:
    columns = (Ticket.created_at, Ticket.queue_id, Ticket.waiting_seconds, Ticket.first_response_seconds)
    rows = await session.execute(select(*columns).where(*where, _created_in(query)))
    return [_Created(*row) for row in rows]


async def _closed(session: AsyncSession, where: list[ColumnElement[bool]], query: ReportQuery) -> list[_Closed]:
    columns = (
        Ticket.closed_at,
        Ticket.queue_id,
        Ticket.assignee_id,
        Ticket.first_response_seconds,
        Ticket.resolution_seconds,
        Ticket.rating,
    )
    rows = await session.execute(select(*columns).where(*where, _closed_in(query)))
    return [_Closed(closed_at, *rest) for closed_at, *rest in rows if closed_at is not None]


# --- the reports ----------------------------------------------------------------------------------------


async def waiting_now(session: AsyncSession, where: list[ColumnElement[bool]]) -> WaitingNow:
    """Tickets pending with nobody holding them right now, and how long the oldest has waited."""
    query = select(func.count(), func.min(Ticket.waiting_since)).where(
        *where, Ticket.status == TicketStatus.PENDING, Ticket.assignee_id.is_(None)
    )
    count, oldest = (await session.execute(query)).one()
    longest = round((utcnow() - oldest).total_seconds()) if oldest is not None else None
    return WaitingNow(count=count, longest_seconds=longest)


async def summary(session: AsyncSession, user: User, query: ReportQuery) -> Summary:
    where, query = await prepare(session, user, query)
    created = await _created(session, where, query)
    closed = await _closed(session, where, query)
    reopened_query = (
        select(func.count())
        .select_from(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(*where, TicketEvent.kind == TicketEventKind.REOPENED)
        .where(TicketEvent.at >= query.since, TicketEvent.at < query.until)
    )
    return Summary(
        created=len(created),
        closed=len(closed),
        reopened=(await session.execute(reopened_query)).scalar_one(),
        waiting=spread(row.waiting_seconds for row in created),
        first_response=spread(row.first_response_seconds for row in created),
        resolution=spread(row.resolution_seconds for row in closed),
        csat=csat(row.rating for row in closed),
        by_day=_by_day(query, created, closed),
        now=await waiting_now(session, where),
    )


def _by_day(query: ReportQuery, created: Sequence[_Created], closed: Sequence[_Closed]) -> list[DayVolume]:
    zone = query.zone
    opened = Counter(row.created_at.astimezone(zone).date() for row in created)
    finished = Counter(row.closed_at.astimezone(zone).date() for row in closed)
    days = (query.end - query.start).days + 1
    return [
        DayVolume(day=day, created=opened[day], closed=finished[day])
        for day in (query.start.fromordinal(query.start.toordinal() + offset) for offset in range(days))
    ]


async def agents(session: AsyncSession, user: User, query: ReportQuery) -> list[AgentRow]:
    """One row per agent with figures in the period or tickets open now; an agent gets only their own."""
    where, query = await prepare(session, user, query)
    if not user.is_admin:
        where.append(Ticket.assignee_id == user.id)
    closed_by: dict[int, list[_Closed]] = defaultdict(list)
    for row in await _closed(session, where, query):
        if row.assignee_id is not None:
            closed_by[row.assignee_id].append(row)
    open_query = (
        select(Ticket.assignee_id, func.count())
        .where(*where, Ticket.status == TicketStatus.OPEN, Ticket.assignee_id.is_not(None))
        .group_by(Ticket.assignee_id)
    )
    open_now = {assignee: count for assignee, count in await session.execute(open_query) if assignee is not None}
    ids = set(closed_by) | set(open_now)
    names = dict((await session.execute(select(User.id, User.name).where(User.id.in_(ids)))).all())
    rows = [
        AgentRow(
            user_id=agent_id,
            name=names.get(agent_id, ""),
            open_now=open_now.get(agent_id, 0),
            closed=len(closed_by[agent_id]),
            first_response=spread(row.first_response_seconds for row in closed_by[agent_id]),
            resolution=spread(row.resolution_seconds for row in closed_by[agent_id]),
            csat=csat(row.rating for row in closed_by[agent_id]),
        )
        for agent_id in ids
    ]
    return sorted(rows, key=lambda row: (-row.closed, row.name, row.user_id))


async def queues(session: AsyncSession, user: User, query: ReportQuery) -> list[QueueRow]:
    """One row per queue (as the tickets sit now) with tickets created or closed in the period."""
    where, query = await prepare(session, user, query)
    created_in: dict[int | None, list[_Created]] = defaultdict(list)
    for created_row in await _created(session, where, query):
        created_in[created_row.queue_id].append(created_row)
    closed_in = Counter(row.queue_id for row in await _closed(session, where, query))
    ids = set(created_in) | set(closed_in)
    known = {queue_id for queue_id in ids if queue_id is not None}
    names = dict((await session.execute(select(Queue.id, Queue.name).where(Queue.id.in_(known)))).all())
    rows = [
        QueueRow(
            queue_id=queue_id,
            name=names.get(queue_id) if queue_id is not None else None,
            created=len(created_in[queue_id]),
            closed=closed_in[queue_id],
            waiting=spread(row.waiting_seconds for row in created_in[queue_id]),
            first_response=spread(row.first_response_seconds for row in created_in[queue_id]),
        )
        for queue_id in ids
    ]
    return sorted(rows, key=lambda row: (row.name is None, row.name or "", row.queue_id or 0))


async def heatmap(session: AsyncSession, user: User, query: ReportQuery) -> Heatmap:
    where, query = await prepare(session, user, query)
    cells = [[0] * 24 for _ in range(7)]
    stream = await session.stream_scalars(select(Ticket.created_at).where(*where, _created_in(query)))
    async for created_at in stream:
        local = created_at.astimezone(query.zone)
        cells[local.weekday()][local.hour] += 1
    return Heatmap(cells=cells)


# --- the ticket report ----------------------------------------------------------------------------------

_Assignee = aliased(User)


def tickets_query(where: list[ColumnElement[bool]], query: ReportQuery) -> Select[Ticket, str, str | None, str | None]:
    """Tickets created in the period with their metrics, oldest first (by id, for keyset pages)."""
    return (
        select(Ticket, Contact.name, Queue.name, _Assignee.name)
        .join(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(Queue, Queue.id == Ticket.queue_id)
        .outerjoin(_Assignee, _Assignee.id == Ticket.assignee_id)
        .where(*where, _created_in(query))
        .order_by(Ticket.id)
    )


def _metrics_row(ticket: Ticket, contact: str, queue: str | None, assignee: str | None) -> TicketMetricsRow:
    return TicketMetricsRow(
        id=ticket.id,
        protocol=protocol_number(ticket.id, ticket.created_at),
        created_at=ticket.created_at,
        closed_at=ticket.closed_at,
        status=ticket.status,
        contact_name=contact,
        queue_name=queue,
        assignee_name=assignee,
        waiting_seconds=ticket.waiting_seconds,
        first_response_seconds=ticket.first_response_seconds,
        resolution_seconds=ticket.resolution_seconds,
        transfer_count=ticket.transfer_count,
        reopen_count=ticket.reopen_count,
        message_count=ticket.message_count,
        rating=ticket.rating,
    )


async def tickets_page(
    session: AsyncSession, user: User, query: ReportQuery, *, after: int | None, limit: int
) -> list[TicketMetricsRow]:
    where, query = await prepare(session, user, query)
    statement = tickets_query(where, query)
    if after is not None:
        statement = statement.where(Ticket.id > after)
    rows = await session.execute(statement.limit(limit))
    return [_metrics_row(*row) for row in rows]


CSV_COLUMNS = tuple(TicketMetricsRow.model_fields)
_EXPORT_BATCH = 1000


async def _report_batches(
    sessionmaker: async_sessionmaker[AsyncSession], where: list[ColumnElement[bool]], query: ReportQuery
) -> AsyncIterator[list[TicketMetricsRow]]:
    """The whole ticket report in batches, each read in a short transaction of its own: memory stays flat."""
    after = 0
    while True:
        async with sessionmaker() as session:
            result = await session.execute(tickets_query(where, query).where(Ticket.id > after).limit(_EXPORT_BATCH))
            batch = [_metrics_row(*row) for row in result]
        if not batch:
            return
        yield batch
        after = batch[-1].id


async def export_csv(
    sessionmaker: async_sessionmaker[AsyncSession], where: list[ColumnElement[bool]], query: ReportQuery, sep: Separator
) -> AsyncIterator[str]:
    """The ticket report as CSV, streamed batch by batch.

    Starts with a BOM so that Excel (in Portuguese, where `;` is the list separator) reads UTF-8 right.
    """
    yield "\ufeff" + _csv_lines([CSV_COLUMNS], sep)
    async for batch in _report_batches(sessionmaker, where, query):
        yield _csv_lines((_csv_values(row) for row in batch), sep)


_XLSX_CHUNK = 64 * 1024


async def export_xlsx(
    sessionmaker: async_sessionmaker[AsyncSession], where: list[ColumnElement[bool]], query: ReportQuery
) -> AsyncIterator[bytes]:
    """The ticket report as an Excel workbook. A write-only sheet keeps its rows in a temporary file, not in
    memory; the finished file is then streamed in chunks. Times are the period's local time (Excel has no zones)."""
    with tempfile.TemporaryFile() as file:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("tickets")
        sheet.append(CSV_COLUMNS)
        async for batch in _report_batches(sessionmaker, where, query):
            await asyncio.to_thread(_append_rows, sheet, batch, query.zone)
        await asyncio.to_thread(workbook.save, file)
        file.seek(0)
        while chunk := await asyncio.to_thread(file.read, _XLSX_CHUNK):
            yield chunk


def _append_rows(sheet: WriteOnlyWorksheet, batch: Sequence[TicketMetricsRow], zone: tzinfo) -> None:
    for row in batch:
        values = row.model_dump()
        sheet.append([_xlsx_cell(values[column], zone) for column in CSV_COLUMNS])


def _xlsx_cell(value: object, zone: tzinfo) -> object:
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def _csv_values(row: TicketMetricsRow) -> list[object]:
    values = row.model_dump()
    return [_csv_cell(values[column]) for column in CSV_COLUMNS]


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


def _csv_lines(rows: Iterable[Sequence[object]], sep: Separator) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()
