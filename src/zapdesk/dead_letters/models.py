"""Inbound events whose ingest failed for a reason other than the database being down, kept raw until retried."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, IdMixin, TimestampMixin


class DeadLetter(IdMixin, TimestampMixin, Base):
    __tablename__ = "dead_letters"

    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    # The event's type (MessageReceived, Receipt, …) and its message id, for the administrators' list.
    kind: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # The event as `engine.codec` writes it: a retry ingests exactly what arrived.
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
