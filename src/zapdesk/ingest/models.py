"""Inbound events committed raw the moment an engine hands them over, and stored by the pipeline right after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, IdMixin


class InboxEntry(IdMixin, Base):
    __tablename__ = "inbound_inbox"
    # Ids are never reused: `inbox.add` counts on it (and an entry's id names it while the pipeline stores it).
    __table_args__ = {"sqlite_autoincrement": True}

    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    # The event as `engine.codec` writes it; a connection's entries are in the order its engine handed them over.
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
