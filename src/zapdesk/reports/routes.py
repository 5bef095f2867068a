"""/api/reports: the dashboard's figures for a period, and the ticket report (JSON pages or CSV)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from zapdesk.api.deps import ContextDep, SessionDep
from zapdesk.kit.paging import DEFAULT_LIMIT, MAX_ID, Limit
from zapdesk.realtime.deps import PresenceDep
from zapdesk.reports import service
from zapdesk.reports.schemas import (
    AgentRow,
    ConnectionRow,
    ExportFormat,
    FiguresQuery,
    Heatmap,
    Now,
    QueueRow,
    ReportQuery,
    Separator,
    Summary,
    TicketMetricsRow,
    TicketReportQuery,
)
from zapdesk.users.current import CurrentUser

router = APIRouter(prefix="/reports", tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Period = Annotated[ReportQuery, Query()]
Figures = Annotated[FiguresQuery, Query()]


@router.get("/summary", response_model=Summary)
async def summary(session: SessionDep, user: CurrentUser, period: Figures) -> Summary:
    """New, closed and reopened tickets, time spreads, ratings and volume by day; who waits right now."""
    return await service.summary(session, user, period)


@router.get("/now", response_model=Now)
async def now(session: SessionDep, user: CurrentUser, presence: PresenceDep) -> Now:
    """Right now (no period): who waits, the open tickets each agent holds and who is at their desk — what the
    dashboard refreshes live as tickets change (`event`) and agents come and go (`presence`)."""
    return await service.now(session, user, presence)


@router.get("/agents", response_model=list[AgentRow])
async def agents(session: SessionDep, user: CurrentUser, period: Figures) -> list[AgentRow]:
    """Per agent; an agent gets only their own row."""
    return await service.agents(session, user, period)


@router.get("/queues", response_model=list[QueueRow])
async def queues(session: SessionDep, user: CurrentUser, period: Figures) -> list[QueueRow]:
    """Per queue, as the tickets sit now; the time spent in each queue counts every queue a ticket passed."""
    return await service.queues(session, user, period)


@router.get("/connections", response_model=list[ConnectionRow])
async def connections(session: SessionDep, user: CurrentUser, period: Figures) -> list[ConnectionRow]:
    """Per connection (WhatsApp number), as the tickets sit now."""
    return await service.connections(session, user, period)


@router.get("/heatmap", response_model=Heatmap)
async def heatmap(session: SessionDep, user: CurrentUser, period: Period) -> Heatmap:
    return await service.heatmap(session, user, period)


@router.get(
    "/tickets",
    response_model=list[TicketMetricsRow],
    responses={
        200: {"content": {"text/csv": {}, XLSX: {}}, "description": "A JSON page, or the whole report as a file."}
    },
)
async def tickets(
    session: SessionDep,
    context: ContextDep,
    user: CurrentUser,
    period: Annotated[TicketReportQuery, Query()],
    format: ExportFormat = "json",
    sep: Separator = ",",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="The previous page's last ticket id.")] = None,
    limit: Limit = DEFAULT_LIMIT,
) -> list[TicketMetricsRow] | StreamingResponse:
    """Tickets created in the period with their metrics, filtered as the ticket list is: a page (by id) in JSON, or
    all of them as a file."""
    if format == "json":
        return await service.tickets_page(session, user, period, after=after, limit=limit)
    # The scope is taken now: the stream outlives this request's session.
    where, period = await service.prepare(session, user, period)
    filename = f"zapdesk-tickets-{period.start}-{period.end}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "xlsx":
        return StreamingResponse(
            service.export_xlsx(context.sessionmaker, where, period), media_type=XLSX, headers=headers
        )
    rows = service.export_csv(context.sessionmaker, where, period, sep)
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8", headers=headers)
