"""Customers (and groups) who write to the business."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zapdesk.db.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from zapdesk.tags.models import Tag


class Contact(IdMixin, TimestampMixin, Base):
    __tablename__ = "contacts"

    name: Mapped[str] = mapped_column(String(160), index=True)
    # International digits for people, the group id for groups: the one key LID and phone forms map to.
    phone: Mapped[str] = mapped_column(String(64), unique=True)
    lid: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    push_name: Mapped[str | None] = mapped_column(String(160), default=None)
    profile_picture_url: Mapped[str | None] = mapped_column(Text, default=None)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    # Loaded with the contact: every contact the API shows carries its tags.
    tags: Mapped[list[Tag]] = relationship(secondary="contact_tags", lazy="selectin")
