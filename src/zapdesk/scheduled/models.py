"""A message waiting for its time: a due row, fired once by whichever worker claims it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin


class ScheduleState(StrEnum):
    """Where the row is; what a person sees (`ScheduleStatus`) also follows the message it became."""

    SCHEDULED = "scheduled"
    QUEUED = "queued"  # handed to the outbox as a message: its delivery is that message's
    CANCELLED = "cancelled"
    FAILED = "failed"  # it could not even become a message (the contact or connection is gone)


WAITING = text("state = 'scheduled'")


class ScheduledMessage(IdMixin, TimestampMixin, Base):
    __tablename__ = "scheduled_messages"
    __table_args__ = (
        Index("ix_scheduled_messages_due", "send_at", "id", sqlite_where=WAITING, postgresql_where=WAITING),
        Index("ix_scheduled_messages_send_at", "send_at", "id"),
    )

    connection_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("connections.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    media_type: Mapped[str | None] = mapped_column(String(16), default=None)
    media_path: Mapped[str | None] = mapped_column(String(255), default=None)
    media_mime: Mapped[str | None] = mapped_column(String(127), default=None)
    media_name: Mapped[str | None] = mapped_column(String(255), default=None)
    media_size: Mapped[int | None] = mapped_column(default=None)
    send_at: Mapped[datetime] = mapped_column()
    state: Mapped[ScheduleState] = mapped_column(String(16), default=ScheduleState.SCHEDULED)
    # With no active ticket for the contact: open one (assigned to the author), or use their latest ticket.
    open_ticket: Mapped[bool] = mapped_column(Boolean, default=True)
    message_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    ticket_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("tickets.id", ondelete="SET NULL"), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
