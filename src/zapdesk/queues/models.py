"""Queues route tickets to the agents who serve them (e.g. "Vendas", "Suporte")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, IdMixin, TimestampMixin


class Queue(IdMixin, TimestampMixin, Base):
    __tablename__ = "queues"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    color: Mapped[str] = mapped_column(String(16), default="#6366f1")
    greeting_message: Mapped[str | None] = mapped_column(Text, default=None)
    # Its number in a connection's menu ("2 - Suporte"): unique among the queues of each connection.
    order: Mapped[int] = mapped_column(default=1)
    description: Mapped[str | None] = mapped_column(String(120), default=None)
    # One more menu level once the queue is chosen: `QueueOption`s as JSON.
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Its own week and out-of-hours message (`QueueHours`), or None for its connection's.
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
