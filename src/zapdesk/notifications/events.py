"""The events of notifications (see the contract, `zapdesk.events`)."""

from __future__ import annotations

from zapdesk.db.audiences import ForSubject
from zapdesk.notifications.schemas import NotificationIds, NotificationRead


class NotificationCreated(ForSubject[NotificationRead]):
    """Something for this user: a mention in an internal note, a ticket transferred to them."""

    name = "notification.created"


class NotificationsRead(ForSubject[NotificationIds]):
    """These notifications were marked read (in another tab, perhaps)."""

    name = "notification.read"
