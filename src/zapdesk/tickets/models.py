"""A ticket is one conversation with a contact on a connection, from pending to closed."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin, utcnow

if TYPE_CHECKING:
    from zapdesk.contacts.models import Contact
    from zapdesk.tags.models import Tag


class TicketStatus(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


ACTIVE_TICKET = text("status IN ('open', 'pending')")


class Ticket(IdMixin, TimestampMixin, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # Invariant 2: at most one open-or-pending ticket per (contact, connection), enforced by the database.
        Index(
            "uq_tickets_active_contact_connection",
            "contact_id",
            "connection_id",
            unique=True,
            sqlite_where=ACTIVE_TICKET,
            postgresql_where=ACTIVE_TICKET,
        ),
        Index("ix_tickets_status_activity", "status", "last_activity_at", "id"),
        # The list without a status filter (the "all" tab), newest activity first.
        Index("ix_tickets_activity", "last_activity_at", "id"),
        # From contacts found by a search to their tickets (and deleting a contact).
        Index("ix_tickets_contact_id", "contact_id"),
        Index("ix_tickets_queue_status_activity", "queue_id", "status", "last_activity_at", "id"),
        Index("ix_tickets_assignee_status_activity", "assignee_id", "status", "last_activity_at", "id"),
        Index("ix_tickets_connection_status", "connection_id", "status"),
        Index("ix_tickets_updated_at", "updated_at"),
        # A rating arriving after the close finds the ticket that asked for it.
        Index(
            "ix_tickets_awaiting_rating",
            "contact_id",
            "connection_id",
            sqlite_where=text("survey_until IS NOT NULL"),
            postgresql_where=text("survey_until IS NOT NULL"),
        ),
        # Reports count tickets created, and closed, in a period.
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_closed_at", "closed_at"),
    )

    contact_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("contacts.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("connections.id", ondelete="CASCADE"))
    queue_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("queues.id", ondelete="SET NULL"), default=None)
    assignee_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    status: Mapped[TicketStatus] = mapped_column(String(16), default=TicketStatus.PENDING)
    unread_count: Mapped[int] = mapped_column(default=0)
    last_message_preview: Mapped[str | None] = mapped_column(Text, default=None)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)
    # "Newest activity first" ordering key: last message time, or creation/reopen time.
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The customer is choosing a queue from the connection's menu: until they do, only admins see the ticket.
    choosing_queue: Mapped[bool] = mapped_column(Boolean, default=False)
    # The satisfaction survey: a rating is awaited until `survey_until`; once given, it is kept with the agent
    # and queue the ticket had then.
    survey_until: Mapped[datetime | None] = mapped_column(default=None)
    rating: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    rated_at: Mapped[datetime | None] = mapped_column(default=None)
    rated_agent_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    rated_queue_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("queues.id", ondelete="SET NULL"), default=None
    )

    # Service metrics, fixed by `tickets.metrics` when the event that decides each one is stored.
    # When the current waiting spell began (pending and held by nobody), else None.
    waiting_since: Mapped[datetime | None] = mapped_column(default=None)
    waiting_seconds: Mapped[int | None] = mapped_column(default=None)
    first_customer_message_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_seconds: Mapped[int | None] = mapped_column(default=None)
    resolution_seconds: Mapped[int | None] = mapped_column(default=None)
    transfer_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reopen_count: Mapped[int] = mapped_column(default=0, server_default="0")
    message_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The same durations counted only inside the business hours of the ticket's connection (equal to the plain
    # ones where it has none).
    business_waiting_seconds: Mapped[int | None] = mapped_column(default=None)
    business_first_response_seconds: Mapped[int | None] = mapped_column(default=None)
    business_resolution_seconds: Mapped[int | None] = mapped_column(default=None)
    # When its stint in its current queue began (None while closed); the time is added to
    # `TicketQueueTime` when the stint ends.
    queue_since: Mapped[datetime | None] = mapped_column(default=None)

    contact: Mapped[Contact] = relationship(lazy="raise")
    # Loaded with the ticket (one more query per page): every ticket the API shows carries its tags.
    tags: Mapped[list[Tag]] = relationship(secondary="ticket_tags", lazy="selectin")

    @property
    def protocol(self) -> str:
        """The number people quote ("2026-000123"): needs the row flushed (its id and creation time)."""
        return protocol_number(self.id, self.created_at)


class TicketQueueTime(Base):
    """How long a ticket has spent in one queue, over every stint that ended (a transfer out of it, a close)."""

    __tablename__ = "ticket_queue_times"

    ticket_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    seconds: Mapped[int] = mapped_column(default=0)
    business_seconds: Mapped[int] = mapped_column(default=0)


# A protocol number is the ticket's year of creation (UTC) and its id: sequential per installation, fixed for
# life, and found again without a column or a counter that every new ticket would have to lock.
_PROTOCOL = re.compile(r"(\d{4})-?(\d{6,15})")


def protocol_number(ticket_id: int, created_at: datetime) -> str:
    return f"{created_at.year:04d}-{ticket_id:06d}"


def parse_protocol(text: str) -> tuple[int, int] | None:
    """(year, ticket id) of a protocol number as people type it ("2026-000123", "2026000123"), else None."""
    match = _PROTOCOL.fullmatch(text.strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))
