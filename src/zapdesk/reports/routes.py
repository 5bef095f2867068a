"""/api/reports: the dashboard's figures for a period, and the ticket report (JSON pages or CSV)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from zapdesk.api.deps import ContextDep, CurrentUser, SessionDep
from zapdesk.api.inputs import MAX_ID
from zapdesk.api.pagination import DEFAULT_LIMIT, Limit
from zapdesk.reports import service
from zapdesk.reports.schemas import (
    AgentRow,
    ExportFormat,
    Heatmap,
    QueueRow,
    ReportQuery,
    Separator,
    Summary,
    TicketMetricsRow,
    WaitingNow,
)
from zapdesk.tickets.access import visible_tickets_clause

router = APIRouter(prefix="/reports", tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Period = Annotated[ReportQuery, Query()]


@router.get("/summary", response_model=Summary)
async def summary(session: SessionDep, user: CurrentUser, period: Period) -> Summary:
    """New, closed and reopened tickets, time spreads, ratings and volume by day; who waits right now."""
    return await service.summary(session, user, period)


@router.get("/now", response_model=WaitingNow)
async def now(session: SessionDep, user: CurrentUser) -> WaitingNow:
    """Who waits right now (no period): what the dashboard refreshes live as tickets change."""
    return await service.waiting_now(session, [visible_tickets_clause(user)])


@router.get("/agents", response_model=list[AgentRow])
async def agents(session: SessionDep, user: CurrentUser, period: Period) -> list[AgentRow]:
    """Per agent; an agent gets only their own row."""
    return await service.agents(session, user, period)


@router.get("/queues", response_model=list[QueueRow])
async def queues(session: SessionDep, user: CurrentUser, period: Period) -> list[QueueRow]:
    return await service.queues(session, user, period)


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
    period: Period,
    format: ExportFormat = "json",
    sep: Separator = ",",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="The previous page's last ticket id.")] = None,
    limit: Limit = DEFAULT_LIMIT,
) -> list[TicketMetricsRow] | StreamingResponse:
    """Tickets created in the period with their metrics: a page (by id) in JSON, or all of them as a file."""
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
