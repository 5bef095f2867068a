"""A connection is one WhatsApp number linked to zapdesk, its state and who holds its session."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, String, Table, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin, utcnow
from zapdesk.engine.events import EngineState

if TYPE_CHECKING:
    from zapdesk.queues.models import Queue


class Provider(StrEnum):
    WHATSAPP = "whatsapp"
    SIMULATOR = "simulator"
    CLOUD = "cloud"  # Meta's official WhatsApp Business Cloud API


# A connection's stored status is the state of its session, as the engines name it.
ConnectionStatus = EngineState


class ConnectionCommand(StrEnum):
    """A one-off request to the worker holding the session, kept as a row so a lost nudge only delays it."""

    RESTART = "restart"
    LOGOUT = "logout"


class DesiredState(StrEnum):
    """What a person asked for; workers converge the live session towards it."""

    RUNNING = "running"
    STOPPED = "stopped"


connection_queues = Table(
    "connection_queues",
    Base.metadata,
    Column("connection_id", BigIntId, ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True),
    Column("queue_id", BigIntId, ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Connection(IdMixin, TimestampMixin, Base):
    __tablename__ = "connections"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    provider: Mapped[Provider] = mapped_column(String(16), default=Provider.WHATSAPP)
    status: Mapped[ConnectionStatus] = mapped_column(String(16), default=ConnectionStatus.STOPPED)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    desired_state: Mapped[DesiredState] = mapped_column(String(16), default=DesiredState.STOPPED)
    # Asks the holding worker for a pairing code for this number instead of a QR window.
    pairing_phone: Mapped[str | None] = mapped_column(String(32), default=None)
    pending_command: Mapped[ConnectionCommand | None] = mapped_column(String(16), default=None)
    # Bumped by every connect/restart/logout so a worker can tell a new request from one it already handled.
    command_seq: Mapped[int] = mapped_column(default=0)
    # The live QR / pairing code, written by the worker that holds the session, read by any API process.
    qr_code: Mapped[str | None] = mapped_column(Text, default=None)
    qr_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    pairing_code: Mapped[str | None] = mapped_column(String(16), default=None)
    pairing_code_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    banned_until: Mapped[datetime | None] = mapped_column(default=None)
    # What the engine needs to resume without a scan (a device JID, a simulator session token).
    session_ref: Mapped[str | None] = mapped_column(String(255), default=None)
    # The program that ran its session last ("zapdesk-wa", "neonize", "simulator"), as its worker reported it.
    engine: Mapped[str | None] = mapped_column(String(32), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    # What the network says about the number (Cloud API: display name, quality rating, messaging limit).
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    greeting_message: Mapped[str | None] = mapped_column(Text, default=None)
    farewell_message: Mapped[str | None] = mapped_column(Text, default=None)
    # Opening a ticket tells the customer we read them (blue ticks); some teams prefer not to.
    send_read_receipts: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The queue menu, business hours, automatic messages, timers and survey (`ConnectionAutomation` as JSON).
    automation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # In menu order: a queue's number, then its name.
    queues: Mapped[list[Queue]] = relationship(
        secondary=connection_queues, lazy="raise", order_by="[Queue.order, Queue.name]"
    )


class ConnectionLease(Base):
    """Exactly one process holds a session at a time; its heartbeat keeps the lease."""

    __tablename__ = "connection_leases"

    connection_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    owner: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column()
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
