"""A tag, and which tickets and contacts carry it."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin

TAG_NAME_MAX = 40


class Tag(IdMixin, TimestampMixin, Base):
    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(TAG_NAME_MAX), unique=True)
    color: Mapped[str] = mapped_column(String(16), default="#64748b")


# Keyed tag first: "the tickets with this tag" (the list's filter) is the question asked by tag.
ticket_tags = Table(
    "ticket_tags",
    Base.metadata,
    Column("tag_id", BigIntId, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_id", BigIntId, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, index=True),
)

contact_tags = Table(
    "contact_tags",
    Base.metadata,
    Column("tag_id", BigIntId, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", BigIntId, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
)
