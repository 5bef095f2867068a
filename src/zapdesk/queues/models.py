"""Queues route tickets to the agents who serve them (e.g. "Vendas", "Suporte")."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, IdMixin, TimestampMixin


class Queue(IdMixin, TimestampMixin, Base):
    __tablename__ = "queues"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    color: Mapped[str] = mapped_column(String(16), default="#6366f1")
    greeting_message: Mapped[str | None] = mapped_column(Text, default=None)
