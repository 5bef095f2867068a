"""One sample of each event of the contract, built as the services build them, for tests that need events
without the work that makes them (what consumers do with a type, how events travel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from zapdesk.connections.automation import ConnectionAutomation
from zapdesk.connections.models import ConnectionStatus, Provider
from zapdesk.connections.schemas import ConnectionOut
from zapdesk.contacts.schemas import ContactRead
from zapdesk.db.events import Event
from zapdesk.events import (
    ConnectionCommanded,
    ConnectionDeleted,
    ConnectionPairingCodeShown,
    ConnectionQrShown,
    ConnectionRef,
    ConnectionUpdated,
    ContactRemoved,
    ContactUpdated,
    MessageCreated,
    MessageUpdated,
    NotificationCreated,
    NotificationsRead,
    PairingCodeShown,
    QrShown,
    QueueCreated,
    QueueRemoved,
    QueueUpdated,
    Removed,
    ScheduledMessageUpdated,
    SendQueued,
    TagCreated,
    TagRemoved,
    TagUpdated,
    TicketCreated,
    TicketEventRecorded,
    TicketRemoved,
    TicketUpdated,
    UserCreated,
    UserRemoved,
    UserUpdated,
)
from zapdesk.messages.models import MessageStatus, MessageType
from zapdesk.messages.schemas import MessageRead
from zapdesk.notifications.models import NotificationKind
from zapdesk.notifications.schemas import NotificationIds, NotificationRead
from zapdesk.queues.schemas import QueueRead
from zapdesk.scheduled.schemas import ScheduledRead, ScheduleStatus
from zapdesk.tags.schemas import TagRead
from zapdesk.tickets.history.models import ActorKind, TicketEventKind
from zapdesk.tickets.history.schemas import ActorRead, NamedRef, TicketEventRead
from zapdesk.tickets.models import TicketStatus
from zapdesk.tickets.schemas import TicketContact, TicketRead
from zapdesk.users.models import Role
from zapdesk.users.schemas import NotificationPreferences, UserRead

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def ticket_read(
    ticket_id: int = 1, *, queue_id: int | None = 1, assignee_id: int | None = None, **extra: Any
) -> TicketRead:
    values: dict[str, Any] = {
        "id": ticket_id,
        "protocol": f"2026-{ticket_id:06d}",
        "status": TicketStatus.PENDING,
        "contact": TicketContact(id=1, name="Ana", phone="5511988887777", profile_picture_url=None, is_group=False),
        "connection_id": 1,
        "queue_id": queue_id,
        "assignee_id": assignee_id,
        "unread_count": 0,
        "last_message": None,
        "last_message_at": None,
        "last_activity_at": NOW,
        "created_at": NOW,
        "updated_at": NOW,
        "closed_at": None,
        "tag_ids": [],
        "choosing_queue": False,
        "rating": None,
        "rated_at": None,
    }
    return TicketRead(**(values | extra))


def message_read(
    message_id: int = 1, *, from_me: bool = False, status: MessageStatus = MessageStatus.SENT
) -> MessageRead:
    return MessageRead(
        id=message_id,
        ticket_id=1,
        body=f"message {message_id}",
        type=MessageType.TEXT,
        from_me=from_me,
        status=status,
        error=None,
        external_id=None,
        client_id=None,
        quoted_message_id=None,
        media_url=None,
        media_name=None,
        media_mime=None,
        media_state=None,
        extra={},
        reactions={},
        is_edited=False,
        is_deleted=False,
        sender_name=None,
        author_id=None,
        created_at=NOW,
        sent_at=None,
        updated_at=NOW,
    )


def ticket_event_read(event_id: int = 1) -> TicketEventRead:
    return TicketEventRead(
        id=event_id,
        ticket_id=1,
        kind=TicketEventKind.ACCEPTED,
        at=NOW,
        actor=ActorRead(kind=ActorKind.USER, user=NamedRef(id=1, name="Iris")),
        message_id=None,
        from_user=None,
        to_user=NamedRef(id=1, name="Iris"),
        from_queue=None,
        to_queue=None,
        detail={},
    )


def connection_out(connection_id: int = 1, status: ConnectionStatus = ConnectionStatus.CONNECTED) -> ConnectionOut:
    return ConnectionOut(
        id=connection_id,
        name="Vendas",
        provider=Provider.SIMULATOR,
        status=status,
        status_reason=None,
        status_changed_at=NOW,
        phone=None,
        profile=None,
        is_default=True,
        greeting_message=None,
        farewell_message=None,
        send_read_receipts=True,
        queue_ids=[],
        automation=ConnectionAutomation(),
        banned_until=None,
        engine="simulator",
        delivery_after_commit=True,
        created_at=NOW,
        updated_at=NOW,
    )


def user_read(user_id: int = 1) -> UserRead:
    return UserRead(
        id=user_id,
        name="Iris",
        email="iris@example.com",
        role=Role.AGENT,
        queue_ids=[1],
        signature=True,
        language="pt-BR",
        notifications=NotificationPreferences(),
        created_at=NOW,
    )


def queue_read(queue_id: int = 1) -> QueueRead:
    return QueueRead(
        id=queue_id,
        name="Suporte",
        color="#6366f1",
        greeting_message=None,
        order=2,
        description=None,
        options=[],
        hours=None,
        created_at=NOW,
    )


def scheduled_read(schedule_id: int = 1) -> ScheduledRead:
    return ScheduledRead(
        id=schedule_id,
        connection_id=1,
        contact_id=1,
        contact_name="Ana",
        contact_phone="5511988887777",
        author_id=1,
        body="Seu pedido chegou!",
        media_name=None,
        media_type=None,
        send_at=NOW,
        status=ScheduleStatus.SCHEDULED,
        error=None,
        open_ticket=True,
        ticket_id=None,
        message_id=None,
        created_at=NOW,
        updated_at=NOW,
    )


def notification_read(notification_id: int = 1) -> NotificationRead:
    return NotificationRead(
        id=notification_id,
        kind=NotificationKind.MENTIONED,
        ticket_id=1,
        message_id=1,
        actor_name="Iris",
        text="@Bia olha isso",
        created_at=NOW,
        read_at=None,
    )


def tag_read(tag_id: int = 1) -> TagRead:
    return TagRead(id=tag_id, name="VIP", color="#f59e0b", created_at=NOW)


def contact_read(contact_id: int = 1) -> ContactRead:
    return ContactRead(
        id=contact_id,
        name="Ana",
        phone="5511988887777",
        push_name=None,
        profile_picture_url=None,
        custom_fields={},
        is_group=False,
        notes="",
        tag_ids=[],
        created_at=NOW,
        updated_at=NOW,
    )


SAMPLES: dict[type[Event[Any]], Callable[[], Event[Any]]] = {
    TicketCreated: lambda: TicketCreated(ticket_read()),
    TicketUpdated: lambda: TicketUpdated(ticket_read()),
    TicketRemoved: lambda: TicketRemoved(1, ("queue:1",)),
    TicketEventRecorded: lambda: TicketEventRecorded(ticket_event_read(), ticket_read()),
    MessageCreated: lambda: MessageCreated(message_read(), ticket_read()),
    MessageUpdated: lambda: MessageUpdated(message_read(), ticket_read()),
    SendQueued: lambda: SendQueued(ConnectionRef(connection_id=1)),
    ContactUpdated: lambda: ContactUpdated(contact_read()),
    ContactRemoved: lambda: ContactRemoved(Removed(id=1)),
    ConnectionUpdated: lambda: ConnectionUpdated(connection_out()),
    ConnectionDeleted: lambda: ConnectionDeleted(Removed(id=1)),
    ConnectionQrShown: lambda: ConnectionQrShown(
        QrShown(id=1, code="2@abc", image="data:image/svg+xml,x", expires_at=NOW)
    ),
    ConnectionPairingCodeShown: lambda: ConnectionPairingCodeShown(
        PairingCodeShown(id=1, code="ABCD1234", expires_at=NOW)
    ),
    ConnectionCommanded: lambda: ConnectionCommanded(ConnectionRef(connection_id=1)),
    QueueCreated: lambda: QueueCreated(queue_read()),
    QueueUpdated: lambda: QueueUpdated(queue_read()),
    QueueRemoved: lambda: QueueRemoved(Removed(id=1)),
    TagCreated: lambda: TagCreated(tag_read()),
    TagUpdated: lambda: TagUpdated(tag_read()),
    TagRemoved: lambda: TagRemoved(Removed(id=1)),
    NotificationCreated: lambda: NotificationCreated(notification_read(), 1),
    NotificationsRead: lambda: NotificationsRead(NotificationIds(ids=[1]), 1),
    UserCreated: lambda: UserCreated(user_read()),
    UserUpdated: lambda: UserUpdated(user_read()),
    UserRemoved: lambda: UserRemoved(1),
    ScheduledMessageUpdated: lambda: ScheduledMessageUpdated(scheduled_read(), 1),
}
