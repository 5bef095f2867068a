"""Canned replies agents insert by typing `/shortcut`: shared ones (for every queue, or some), and each agent's
own; any of them may carry a file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from zapdesk.queues.models import Queue

SHARED = text("owner_id IS NULL")
PERSONAL = text("owner_id IS NOT NULL")

quick_answer_queues = Table(
    "quick_answer_queues",
    Base.metadata,
    Column("quick_answer_id", BigIntId, ForeignKey("quick_answers.id", ondelete="CASCADE"), primary_key=True),
    Column("queue_id", BigIntId, ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class QuickAnswer(IdMixin, TimestampMixin, Base):
    __tablename__ = "quick_answers"
    __table_args__ = (
        # One shortcut means one answer to whoever may use it: unique among the shared ones, and among each
        # agent's own (the service also compares ignoring case: "/Pix" and "/pix" are one to someone typing).
        Index(
            "uq_quick_answers_shared_shortcut", "shortcut", unique=True, sqlite_where=SHARED, postgresql_where=SHARED
        ),
        Index(
            "uq_quick_answers_personal_shortcut",
            "owner_id",
            "shortcut",
            unique=True,
            sqlite_where=PERSONAL,
            postgresql_where=PERSONAL,
        ),
    )

    shortcut: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    # Whose own answer it is; None: shared, managed by administrators.
    owner_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="CASCADE"), default=None)
    media_type: Mapped[str | None] = mapped_column(String(16), default=None)
    media_path: Mapped[str | None] = mapped_column(String(255), default=None)
    media_mime: Mapped[str | None] = mapped_column(String(127), default=None)
    media_name: Mapped[str | None] = mapped_column(String(255), default=None)
    media_size: Mapped[int | None] = mapped_column(default=None)

    # A shared answer limited to these queues' agents; none: every agent.
    queues: Mapped[list[Queue]] = relationship(secondary=quick_answer_queues, lazy="raise", order_by="Queue.name")
