"""/api/notifications: the caller's own notifications, and marking them read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from zapdesk.api.deps import SessionDep
from zapdesk.kit.paging import DEFAULT_LIMIT, Limit, Page
from zapdesk.notifications import service
from zapdesk.notifications.schemas import MarkRead, NotificationIds, NotificationRead
from zapdesk.users.current import CurrentUser

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=Page[NotificationRead])
async def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, service.NEWEST_FIRST.cursor_query()] = None,
) -> Page[NotificationRead]:
    """Newest first."""
    items, next_cursor = await service.list_notifications(session, user, cursor=cursor, limit=limit)
    return Page(items=items, next_cursor=next_cursor)


@router.post("/read", response_model=NotificationIds)
async def mark_read(session: SessionDep, user: CurrentUser, data: MarkRead) -> NotificationIds:
    """Mark the given notifications (or all) read; answers the ids that were unread."""
    return NotificationIds(ids=await service.mark_read(session, user, data.ids))
