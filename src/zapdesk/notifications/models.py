"""One notification for one user; read once they open it (or mark all read)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId, IdMixin, utcnow


class NotificationKind(StrEnum):
    MENTIONED = "mentioned"  # `@name` in an internal note (`message_id` is the note)
    TRANSFERRED = "transferred"  # a ticket was transferred to the user


class Notification(IdMixin, Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),)

    user_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(String(32))
    ticket_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("messages.id", ondelete="CASCADE"), default=None, index=True
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    # What to show without opening anything: the note's text, or the ticket's contact.
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
