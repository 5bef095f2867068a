"""GET /api/sync: what a reconnecting client missed while its socket was down."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from zapdesk.api.deps import CurrentUser, SessionDep
from zapdesk.messages.schemas import MessageRead
from zapdesk.realtime import service
from zapdesk.realtime.schemas import SyncRead
from zapdesk.tickets.schemas import TicketRead

router = APIRouter(tags=["realtime"])


@router.get("/sync", response_model=SyncRead)
async def sync(
    session: SessionDep,
    user: CurrentUser,
    since: Annotated[
        datetime, Query(description="ISO 8601 time, usually the previous answer's `server_time` (UTC if no zone).")
    ],
    limit: Annotated[
        int, Query(ge=1, le=service.MAX_SYNC_LIMIT, description="At most this many tickets and this many messages.")
    ] = service.DEFAULT_SYNC_LIMIT,
) -> SyncRead:
    """Tickets and messages you may see that changed since `since` (a little before it, to be safe).

    Call it after the socket reconnects, with the `server_time` of your last sync (or of when you loaded
    your lists). `truncated: true` means too much changed: reload the lists instead.
    """
    changes = await service.changes_since(session, user, since, limit=limit)
    return SyncRead(
        tickets=[TicketRead.from_model(ticket) for ticket in changes.tickets],
        messages=[MessageRead.from_model(message) for message in changes.messages],
        server_time=changes.server_time,
        truncated=changes.truncated,
    )
