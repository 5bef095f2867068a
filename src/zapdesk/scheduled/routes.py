"""/api/scheduled-messages: an agent's messages to send later; administrators see everyone's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile, status

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.api.inputs import ResourceId, file_part, query_date_time
from zapdesk.db.base import utcnow
from zapdesk.errors import UNSUPPORTED_FILE_RESPONSE
from zapdesk.kit.paging import DEFAULT_LIMIT, MAX_ID, Limit, Page
from zapdesk.media.routes import MediaStoreDep
from zapdesk.media.service import accept_upload
from zapdesk.messages.schemas import MAX_BODY_LENGTH
from zapdesk.scheduled import service
from zapdesk.scheduled.schemas import ScheduledCreate, ScheduledDraft, ScheduledRead, ScheduledUpdate, ScheduleStatus
from zapdesk.users.current import CurrentUser

router = APIRouter(prefix="/scheduled-messages", tags=["scheduled messages"])


@router.get("", response_model=Page[ScheduledRead])
async def list_scheduled(
    session: SessionDep,
    user: CurrentUser,
    status: ScheduleStatus | None = None,
    connection_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    contact_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    after: Annotated[
        datetime | None, query_date_time, Query(description="Only those sent (or to send) from this time.")
    ] = None,
    before: Annotated[
        datetime | None, query_date_time, Query(description="Only those sent (or to send) until this time.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, service.SOONEST_FIRST.cursor_query()] = None,
) -> Page[ScheduledRead]:
    """Soonest first."""
    filters = service.ScheduleFilters(
        status=status, connection_id=connection_id, contact_id=contact_id, after=after, before=before
    )
    items, next_cursor = await service.list_scheduled(session, user, filters, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.post("", response_model=ScheduledRead, status_code=status.HTTP_201_CREATED)
async def schedule_message(data: ScheduledCreate, session: SessionDep, user: CurrentUser) -> ScheduledRead:
    """Schedule a text; 422 (`send_at_in_past`) for a time that has passed."""
    # SEAM (issue 11): the injectable clock replaces utcnow() here when it lands.
    schedule = await service.schedule_message(session, user, data, now=utcnow())
    return await service.read_one(session, schedule)


@router.post(
    "/with-file",
    response_model=ScheduledRead,
    status_code=status.HTTP_201_CREATED,
    responses=UNSUPPORTED_FILE_RESPONSE,
)
async def schedule_file(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    media_store: MediaStoreDep,
    file: Annotated[UploadFile, file_part("An image, audio, video, PDF/office document, archive or text.")],
    connection_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    contact_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    send_at: Annotated[
        datetime, Form(description="When to send it, with its UTC offset; in the future (else 422 `send_at_in_past`).")
    ],
    body: Annotated[str, Form(max_length=MAX_BODY_LENGTH, description="The caption.")] = "",
    open_ticket: Annotated[bool, Form()] = True,
) -> ScheduledRead:
    """Schedule a file with an optional caption (multipart/form-data)."""
    data = ScheduledDraft.model_validate(
        {
            "connection_id": connection_id,
            "contact_id": contact_id,
            "body": body,
            "send_at": send_at,
            "open_ticket": open_ticket,
        }
    )
    attachment = await accept_upload(session, file, media_store=media_store, max_bytes=settings.max_upload_bytes)
    schedule = await service.schedule_message(session, user, data, now=utcnow(), attachment=attachment)
    return await service.read_one(session, schedule)


# Ids are digits (`{schedule_id:int}`), so /with-file is never read as one: a PATCH to it is 405, not 422.
@router.get("/{schedule_id:int}", response_model=ScheduledRead)
async def get_scheduled(schedule_id: ResourceId, session: SessionDep, user: CurrentUser) -> ScheduledRead:
    return await service.read_one(session, await service.get_scheduled(session, user, schedule_id))


@router.patch("/{schedule_id:int}", response_model=ScheduledRead)
async def update_scheduled(
    schedule_id: ResourceId, data: ScheduledUpdate, session: SessionDep, user: CurrentUser
) -> ScheduledRead:
    """Change the text or the time while it is still scheduled (409 `scheduled_not_pending` after)."""
    schedule = await service.update_scheduled(session, user, schedule_id, data, now=utcnow())
    return await service.read_one(session, schedule)


@router.post("/{schedule_id:int}/cancel", response_model=ScheduledRead)
async def cancel_scheduled(schedule_id: ResourceId, session: SessionDep, user: CurrentUser) -> ScheduledRead:
    """It will not go out (409 `scheduled_not_pending` when it went out already)."""
    return await service.read_one(session, await service.cancel_scheduled(session, user, schedule_id))
