"""Endpoints, the deliveries queued for them (one per event and endpoint), and each attempt made."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin, utcnow


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first attempt, or for a retry
    DELIVERED = "delivered"  # the endpoint answered 2xx
    FAILED = "failed"  # retried for a day without success; "Reenviar" queues it again


PENDING_DELIVERIES = text("status = 'pending'")


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON)
    # The signing secret (`whsec_…`), kept encrypted (see zapdesk.kit.secrets).
    secret: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookDelivery(IdMixin, Base):
    """One event for one endpoint. Deliveries with the same `ordering_key` (a ticket, a contact, a connection)
    go out one after the other, in the order they were made."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            sqlite_where=PENDING_DELIVERIES,
            postgresql_where=PENDING_DELIVERIES,
        ),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
        Index(
            "ix_webhook_deliveries_order",
            "endpoint_id",
            "ordering_key",
            "id",
            sqlite_where=PENDING_DELIVERIES,
            postgresql_where=PENDING_DELIVERIES,
        ),
    )

    endpoint_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    # The `webhook-id` header: the same on every attempt, so a receiver can tell a retry from a new event.
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    ordering_key: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    retry_until: Mapped[datetime] = mapped_column(default=utcnow)  # then it fails, until someone resends it
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookAttempt(IdMixin, Base):
    """The delivery log: what each attempt got back."""

    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(default=None)  # None: no answer (refused, timed out)
    latency_ms: Mapped[int] = mapped_column(default=0)
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, default=None)
