"""Notifying a user inside the app: one row, and `notification.created` to that user's sockets only.

Other domains call `notify` in the transaction of what caused it (a note's mention, a transfer); this package
knows nothing of tickets or messages beyond their ids.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.base import utcnow
from zapdesk.db.uow import record_event
from zapdesk.kit.paging import Keyset
from zapdesk.notifications.events import NotificationCreated, NotificationsRead
from zapdesk.notifications.models import Notification, NotificationKind
from zapdesk.notifications.schemas import NotificationIds, NotificationRead
from zapdesk.users.models import User

PREVIEW_LENGTH = 160


async def notify(
    session: AsyncSession,
    *,
    user_id: int,
    kind: NotificationKind,
    ticket_id: int,
    text: str,
    actor: User | None,
    message_id: int | None = None,
) -> Notification:
    """Store a notification for `user_id` and tell their open tabs (after commit)."""
    preview = " ".join(text.split())
    notification = Notification(
        user_id=user_id,
        kind=kind,
        ticket_id=ticket_id,
        message_id=message_id,
        actor_user_id=actor.id if actor is not None else None,
        text=preview if len(preview) <= PREVIEW_LENGTH else preview[: PREVIEW_LENGTH - 1] + "…",
        created_at=utcnow(),
    )
    session.add(notification)
    await session.flush()
    payload = _read(notification, actor.name if actor is not None else None)
    record_event(session, NotificationCreated(payload, user_id))
    return notification


NEWEST_FIRST = Keyset((Notification.id,), descending=True)


async def list_notifications(
    session: AsyncSession, user: User, *, cursor: str | None, limit: int
) -> tuple[list[NotificationRead], str | None]:
    """The user's notifications, newest first."""
    query = (
        select(Notification, User.name)
        .outerjoin(User, User.id == Notification.actor_user_id)
        .where(Notification.user_id == user.id)
    )
    if cursor is not None:
        query = query.where(NEWEST_FIRST.after(NEWEST_FIRST.decode(cursor)))
    rows = (await session.execute(query.order_by(*NEWEST_FIRST.order_by()).limit(limit + 1))).all()
    items = [_read(notification, actor_name) for notification, actor_name in rows[:limit]]
    return items, NEWEST_FIRST.encode(items[-1]) if len(rows) > limit else None


async def mark_read(session: AsyncSession, user: User, ids: Sequence[int] | None) -> list[int]:
    """Mark these (or all) of the user's unread notifications read; the ids that changed."""
    query = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .returning(Notification.id)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    changed = sorted((await session.execute(query)).scalars())
    if changed:
        record_event(session, NotificationsRead(NotificationIds(ids=changed), user.id))
    return changed


def _read(notification: Notification, actor_name: str | None) -> NotificationRead:
    return NotificationRead(
        id=notification.id,
        kind=notification.kind,
        ticket_id=notification.ticket_id,
        message_id=notification.message_id,
        actor_name=actor_name,
        text=notification.text,
        created_at=notification.created_at,
        read_at=notification.read_at,
    )
