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
import tempfile
from collections.abc import AsyncIterator, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute, aliased

from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.db.base import utcnow
from zapdesk.errors import Invalid, field_error
from zapdesk.queues.models import Queue
from zapdesk.realtime.presence import Presence
from zapdesk.reports.aggregates import Measure, Tally, csat, local_days, spread, tally, weekday_hours
from zapdesk.reports.schemas import (
    AgentNow,
    AgentRow,
    ConnectionRow,
    DayVolume,
    FiguresQuery,
    GroupFigures,
    Heatmap,
    Now,
    QueueRow,
    ReportQuery,
    Separator,
    Spread,
    Summary,
    TicketMetricsRow,
    TicketReportQuery,
    WaitingNow,
)
from zapdesk.settings.service import TIMEZONE, get_setting
from zapdesk.tags.models import Tag
from zapdesk.tickets.access import visible_tickets_clause
from zapdesk.tickets.history.models import TicketEvent, TicketEventKind
from zapdesk.tickets.models import Ticket, TicketQueueTime, TicketStatus, protocol_number
from zapdesk.tickets.repository import TicketFilters, filter_clauses, search_ways
from zapdesk.users.models import User

# --- which tickets --------------------------------------------------------------------------------------


async def _check_filters(session: AsyncSession, query: ReportQuery) -> None:
    """Filters name things that exist: a typo must not look like a quiet day. Each one at fault is named."""
    missing = [
        await _missing(session, Queue, query.queue_id, "queue_id", code="unknown_queue"),
        await _missing(session, Connection, query.connection_id, "connection_id", code="unknown_connection"),
        await _missing(session, User, query.user_id, "user_id", code="unknown_user"),
    ]
    if isinstance(query, TicketReportQuery):
        missing.append(await _missing(session, Tag, query.tag, "tag", code="unknown_tag"))
    errors = [error for error in missing if error is not None]
    if errors:
        raise Invalid(errors[0]["msg"], code=errors[0]["type"], errors=errors)


async def _missing(
    session: AsyncSession, model: type[Connection | Queue | User | Tag], item_id: int | None, field: str, *, code: str
) -> dict[str, Any] | None:
    """The field error of a filter naming a `model` row that does not exist; None when it exists or is unset."""
    if item_id is None or await session.get(model, item_id) is not None:
        return None
    return field_error(("query", field), code, f"There is no {model.__tablename__.removesuffix('s')} with this id.")


Query = TypeVar("Query", bound=ReportQuery)


async def prepare(session: AsyncSession, user: User, query: Query) -> tuple[list[ColumnElement[bool]], Query]:
    """The tickets a report counts, and the query with its time zone (the workspace's when none was asked)."""
    if query.tz is None:
        query = query.model_copy(update={"tz": await get_setting(session, TIMEZONE)})
    return await scope(session, user, query), query


async def scope(session: AsyncSession, user: User, query: ReportQuery) -> list[ColumnElement[bool]]:
    """What the caller may see (the tickets' own rule), narrowed by the report's filters (which must exist)."""
    await _check_filters(session, query)
    filters = TicketFilters(queue_id=query.queue_id, connection_id=query.connection_id)
    if isinstance(query, TicketReportQuery):
        filters = TicketFilters(
            queue_id=query.queue_id,
            connection_id=query.connection_id,
            status=query.status,
            tag_id=query.tag,
            rating=query.rating,
        )
    clauses = [visible_tickets_clause(user), *filter_clauses(filters, user)]
    if query.user_id is not None:
        clauses.append(Ticket.assignee_id == query.user_id)
    search = query.search.strip() if isinstance(query, TicketReportQuery) and query.search else None
    if search:
        clauses.append(or_(*search_ways(search)))  # the ticket report joins the contact (`tickets_query`)
    return clauses


def _created_in(query: ReportQuery) -> ColumnElement[bool]:
    return and_(Ticket.created_at >= query.since, Ticket.created_at < query.until)


def _closed_in(query: ReportQuery) -> ColumnElement[bool]:
    return and_(Ticket.status == TicketStatus.CLOSED, Ticket.closed_at >= query.since, Ticket.closed_at < query.until)


# --- the reports ----------------------------------------------------------------------------------------


async def waiting_now(session: AsyncSession, where: list[ColumnElement[bool]]) -> WaitingNow:
    """Tickets pending with nobody holding them right now, how long the oldest has waited, and the workspace's day
    (a browser in another zone would otherwise end "today" on a day the server counts differently)."""
    query = select(func.count(), func.min(Ticket.waiting_since)).where(
        *where, Ticket.status == TicketStatus.PENDING, Ticket.assignee_id.is_(None)
    )
    count, oldest = (await session.execute(query)).one()
    now = utcnow()
    longest = round((now - oldest).total_seconds()) if oldest is not None else None
    tz = await get_setting(session, TIMEZONE)
    return WaitingNow(count=count, longest_seconds=longest, today=now.astimezone(ZoneInfo(tz)).date(), tz=tz)


async def now(session: AsyncSession, user: User, presence: Mapping[int, Presence]) -> Now:
    """Who waits, what each agent holds open and who is at their desk (`presence`: the users not offline).
    An agent's answer holds only their own row, as their other figures do."""
    where = [visible_tickets_clause(user)]
    if not user.is_admin:
        where.append(Ticket.assignee_id == user.id)
        presence = {user.id: presence.get(user.id, Presence.OFFLINE)}
    holding = await _open_by_agent(session, where)
    present = {user_id: state for user_id, state in presence.items() if state is not Presence.OFFLINE}
    ids = set(holding) | set(present)
    names = dict((await session.execute(select(User.id, User.name).where(User.id.in_(ids)))).all())
    agents = [
        AgentNow(
            user_id=agent_id,
            name=names[agent_id],
            open=holding.get(agent_id, 0),
            presence=present.get(agent_id, Presence.OFFLINE),
        )
        for agent_id in ids
        if agent_id in names  # a user deleted since their socket said so
    ]
    waiting = await waiting_now(session, [visible_tickets_clause(user)])
    return Now(**waiting.model_dump(), agents=sorted(agents, key=lambda row: (row.name, row.user_id)))


async def _open_by_agent(session: AsyncSession, where: list[ColumnElement[bool]]) -> dict[int, int]:
    """How many tickets each agent holds open now."""
    query = (
        select(Ticket.assignee_id, func.count())
        .where(*where, Ticket.status == TicketStatus.OPEN, Ticket.assignee_id.is_not(None))
        .group_by(Ticket.assignee_id)
    )
    return {assignee: count for assignee, count in await session.execute(query) if assignee is not None}


@dataclass(frozen=True, slots=True)
class _Durations:
    """The columns a report's durations read: every second, or business hours only (`FiguresQuery.hours`)."""

    waiting: Measure
    first_response: Measure
    resolution: Measure
    in_queue: Measure

    @property
    def created(self) -> tuple[Measure, ...]:
        """What the tickets created in a period measure."""
        return self.waiting, self.first_response

    @property
    def closed(self) -> tuple[Measure, ...]:
        """What the tickets closed in a period measure."""
        return self.first_response, self.resolution


_ALL_SECONDS = _Durations(
    Ticket.waiting_seconds, Ticket.first_response_seconds, Ticket.resolution_seconds, TicketQueueTime.seconds
)
_BUSINESS_SECONDS = _Durations(
    Ticket.business_waiting_seconds,
    Ticket.business_first_response_seconds,
    Ticket.business_resolution_seconds,
    TicketQueueTime.business_seconds,
)


def _durations(query: FiguresQuery) -> _Durations:
    return _BUSINESS_SECONDS if query.hours == "business" else _ALL_SECONDS


async def summary(session: AsyncSession, user: User, query: FiguresQuery) -> Summary:
    where, query = await prepare(session, user, query)
    durations = _durations(query)
    created_in, closed_in = [*where, _created_in(query)], [*where, _closed_in(query)]
    created = (await tally(session, created_in, measures=durations.created)).get(None, _NONE)
    closed = (await tally(session, closed_in, measures=durations.closed, ratings=True)).get(None, _NONE)
    reopened_query = (
        select(func.count())
        .select_from(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(*where, TicketEvent.kind == TicketEventKind.REOPENED)
        .where(TicketEvent.at >= query.since, TicketEvent.at < query.until)
    )
    opened_on = await local_days(session, created_in, Ticket.created_at, _zone(query))
    closed_on = await local_days(session, closed_in, Ticket.closed_at, _zone(query))
    return Summary(
        created=created.count,
        closed=closed.count,
        reopened=(await session.execute(reopened_query)).scalar_one(),
        waiting=_spread_of(created, durations.waiting),
        first_response=_spread_of(created, durations.first_response),
        resolution=_spread_of(closed, durations.resolution),
        csat=closed.csat,
        by_day=[
            DayVolume(day=day, created=opened_on[day], closed=closed_on[day])
            for day in (query.start + timedelta(days=offset) for offset in range((query.end - query.start).days + 1))
        ],
        now=await waiting_now(session, where),
    )


_NONE = Tally(count=0, spreads={}, csat=csat(()))


def _spread_of(figures: Tally, measure: Measure) -> Spread:
    return figures.spreads.get(measure.key, spread(()))


def _zone(query: ReportQuery) -> str:
    assert query.tz is not None, "prepare() fills in the workspace's zone"
    return query.tz


async def agents(session: AsyncSession, user: User, query: FiguresQuery) -> list[AgentRow]:
    """One row per agent with figures in the period or tickets open now; an agent gets only their own."""
    where, query = await prepare(session, user, query)
    durations = _durations(query)
    if not user.is_admin:
        where.append(Ticket.assignee_id == user.id)
    closed_in = [*where, _closed_in(query), Ticket.assignee_id.is_not(None)]
    closed_by = await tally(session, closed_in, measures=durations.closed, group=Ticket.assignee_id, ratings=True)
    open_now = await _open_by_agent(session, where)
    ids = {agent_id for agent_id in closed_by if isinstance(agent_id, int)} | set(open_now)
    names = dict((await session.execute(select(User.id, User.name).where(User.id.in_(ids)))).all())
    rows = []
    for agent_id in ids:
        closed = closed_by.get(agent_id, _NONE)
        rows.append(
            AgentRow(
                user_id=agent_id,
                name=names.get(agent_id, ""),
                open_now=open_now.get(agent_id, 0),
                closed=closed.count,
                first_response=_spread_of(closed, durations.first_response),
                resolution=_spread_of(closed, durations.resolution),
                csat=closed.csat,
            )
        )
    return sorted(rows, key=lambda row: (-row.closed, row.name, row.user_id))


async def queues(session: AsyncSession, user: User, query: FiguresQuery) -> list[QueueRow]:
    """One row per queue (as the tickets sit now) with tickets created or closed in the period, or in which the
    tickets closed in the period spent time."""
    where, query = await prepare(session, user, query)
    in_queue = _durations(query).in_queue
    passed = [*where, _closed_in(query), TicketQueueTime.ticket_id == Ticket.id]
    spent = await tally(session, passed, measures=(in_queue,), group=TicketQueueTime.queue_id)
    groups = await _grouped(session, where, query, Ticket.queue_id, (Queue.id, Queue.name), also=set(spent))
    rows = [
        QueueRow(
            queue_id=key,
            name=name,
            time_in_queue=_spread_of(spent.get(key, _NONE), in_queue),
            **figures.model_dump(),
        )
        for key, name, figures in groups
    ]
    return sorted(rows, key=lambda row: (row.name is None, row.name or "", row.queue_id or 0))


async def connections(session: AsyncSession, user: User, query: FiguresQuery) -> list[ConnectionRow]:
    """One row per connection (WhatsApp number) with tickets created or closed in the period."""
    where, query = await prepare(session, user, query)
    groups = await _grouped(session, where, query, Ticket.connection_id, (Connection.id, Connection.name))
    rows = [ConnectionRow(connection_id=key, name=name or "", **figures.model_dump()) for key, name, figures in groups]
    return sorted(rows, key=lambda row: (row.name, row.connection_id))


async def _grouped(
    session: AsyncSession,
    where: list[ColumnElement[bool]],
    query: FiguresQuery,
    group: InstrumentedAttribute[Any],
    named: tuple[InstrumentedAttribute[int], InstrumentedAttribute[str]],
    *,
    also: set[Hashable] | None = None,
) -> list[tuple[Any, str | None, GroupFigures]]:
    """The period's figures per value of the `group` column (and for the keys `also` names), each with its name
    (`named`: the id and name columns of the table it points to; None for tickets in no group)."""
    durations = _durations(query)
    created_in = await tally(session, [*where, _created_in(query)], measures=durations.created, group=group)
    closed_in = await tally(session, [*where, _closed_in(query)], measures=(durations.resolution,), group=group)
    keys = set(created_in) | set(closed_in) | (also or set())
    id_column, name_column = named
    known = [key for key in keys if key is not None]
    names: dict[Any, str] = dict(
        (await session.execute(select(id_column, name_column).where(id_column.in_(known)))).all()
    )
    groups = []
    for key in keys:
        created, closed = created_in.get(key, _NONE), closed_in.get(key, _NONE)
        figures = GroupFigures(
            created=created.count,
            closed=closed.count,
            waiting=_spread_of(created, durations.waiting),
            first_response=_spread_of(created, durations.first_response),
            resolution=_spread_of(closed, durations.resolution),
        )
        groups.append((key, names.get(key), figures))
    return groups


async def heatmap(session: AsyncSession, user: User, query: ReportQuery) -> Heatmap:
    where, query = await prepare(session, user, query)
    counts = await weekday_hours(session, [*where, _created_in(query)], Ticket.created_at, _zone(query))
    return Heatmap(cells=[[counts[(weekday, hour)] for hour in range(24)] for weekday in range(7)])


# --- the ticket report ----------------------------------------------------------------------------------

_Assignee = aliased(User)
CSV_COLUMNS = tuple(TicketMetricsRow.model_fields)
# The report's columns in `CSV_COLUMNS` order, but for the protocol: it is made from the id and creation time.
# Columns, not ORM objects: an export reads every ticket, and this is what it costs per row.
_READ = (
    Ticket.id,
    Ticket.created_at,
    Ticket.closed_at,
    Ticket.status,
    Contact.name,
    Queue.name,
    _Assignee.name,
    Ticket.waiting_seconds,
    Ticket.first_response_seconds,
    Ticket.resolution_seconds,
    Ticket.transfer_count,
    Ticket.reopen_count,
    Ticket.message_count,
    Ticket.rating,
    TicketQueueTime.seconds,
    Ticket.business_waiting_seconds,
    Ticket.business_first_response_seconds,
    Ticket.business_resolution_seconds,
    TicketQueueTime.business_seconds,
)
# A ticket's time in the queue it is in now.
_IN_ITS_QUEUE = and_(TicketQueueTime.ticket_id == Ticket.id, TicketQueueTime.queue_id == Ticket.queue_id)
Values = tuple[Any, ...]


def tickets_query(where: list[ColumnElement[bool]], query: ReportQuery) -> Select[*tuple[Any, ...]]:
    """Tickets created in the period with their metrics, oldest first (by id, for keyset pages)."""
    return (
        select(*_READ)
        .join(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(Queue, Queue.id == Ticket.queue_id)
        .outerjoin(_Assignee, _Assignee.id == Ticket.assignee_id)
        .outerjoin(TicketQueueTime, _IN_ITS_QUEUE)
        .where(*where, _created_in(query))
        .order_by(Ticket.id)
    )


def _values(row: Sequence[Any]) -> Values:
    """One ticket's report, in `CSV_COLUMNS` order."""
    ticket_id, created_at, *rest = row
    return (ticket_id, protocol_number(ticket_id, created_at), created_at, *rest)


def _metrics_row(values: Values) -> TicketMetricsRow:
    return TicketMetricsRow.model_validate(dict(zip(CSV_COLUMNS, values, strict=True)))


async def tickets_page(
    session: AsyncSession, user: User, query: TicketReportQuery, *, after: int | None, limit: int
) -> list[TicketMetricsRow]:
    where, query = await prepare(session, user, query)
    statement = tickets_query(where, query)
    if after is not None:
        statement = statement.where(Ticket.id > after)
    rows = await session.execute(statement.limit(limit))
    return [_metrics_row(_values(row)) for row in rows]


# Each batch is one short transaction; bigger batches pay its round trips less often, still in flat memory.
_EXPORT_BATCH = 5000


async def _report_batches(
    sessionmaker: async_sessionmaker[AsyncSession], where: list[ColumnElement[bool]], query: ReportQuery
) -> AsyncIterator[list[Values]]:
    """The whole ticket report in batches, each read in a short transaction of its own: memory stays flat."""
    after = 0
    while True:
        async with sessionmaker() as session:
            result = await session.execute(tickets_query(where, query).where(Ticket.id > after).limit(_EXPORT_BATCH))
            batch = [_values(row) for row in result]
        if not batch:
            return
        yield batch
        after = batch[-1][0]


async def export_csv(
    sessionmaker: async_sessionmaker[AsyncSession], where: list[ColumnElement[bool]], query: ReportQuery, sep: Separator
) -> AsyncIterator[str]:
    """The ticket report as CSV, streamed batch by batch.

    Starts with a BOM so that Excel (in Portuguese, where `;` is the list separator) reads UTF-8 right.
    """
    yield "\ufeff" + _csv_lines([CSV_COLUMNS], sep)
    async for batch in _report_batches(sessionmaker, where, query):
        yield _csv_lines((_csv_row(values) for values in batch), sep)


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


def _append_rows(sheet: WriteOnlyWorksheet, batch: Sequence[Values], zone: tzinfo) -> None:
    for values in batch:
        sheet.append([_xlsx_cell(value, zone) for value in values])


def _xlsx_cell(value: object, zone: tzinfo) -> object:
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return value


_TIMES = tuple(CSV_COLUMNS.index(column) for column in ("created_at", "closed_at"))


def _csv_row(values: Values) -> list[Any]:
    """Times in ISO 8601 with their offset; the csv module writes None as an empty cell."""
    row = list(values)
    for index in _TIMES:
        if row[index] is not None:
            row[index] = row[index].isoformat()
    return row


def _csv_lines(rows: Iterable[Sequence[object]], sep: Separator) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()
