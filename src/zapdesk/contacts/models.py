"""Customers (and groups) who write to the business."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from zapdesk.db.base import Base, IdMixin, TimestampMixin
from zapdesk.db.folding import fold

if TYPE_CHECKING:
    from zapdesk.tags.models import Tag


AVATAR_DUE = text("avatar_due_at IS NOT NULL")


class Contact(IdMixin, TimestampMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        # The few contacts whose profile picture a worker should fetch now (see `outbox.avatars`).
        Index("ix_contacts_avatar_due", "avatar_due_at", sqlite_where=AVATAR_DUE, postgresql_where=AVATAR_DUE),
    )

    name: Mapped[str] = mapped_column(String(160), index=True)
    # `name` folded for search (`db.folding`), kept in step by `_fold_name`.
    name_search: Mapped[str] = mapped_column(String(160), default="", server_default="")
    # International digits for people, the group id for groups: the one key LID and phone forms map to.
    phone: Mapped[str] = mapped_column(String(64), unique=True)
    lid: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    push_name: Mapped[str | None] = mapped_column(String(160), default=None)
    profile_picture_url: Mapped[str | None] = mapped_column(Text, default=None)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the team knows about this person (not a ticket's notes: those are messages of type note).
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The profile picture fetched through the engine (a file in the media store), and when we last asked.
    avatar_path: Mapped[str | None] = mapped_column(String(255), default=None)
    avatar_checked_at: Mapped[datetime | None] = mapped_column(default=None)
    avatar_due_at: Mapped[datetime | None] = mapped_column(default=None)
    # Loaded with the contact: every contact the API shows carries its tags.
    tags: Mapped[list[Tag]] = relationship(secondary="contact_tags", lazy="selectin")

    @validates("name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.name_search = fold(name)
        return name


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"  # YYYY-MM-DD
    EMAIL = "email"


class ContactField(IdMixin, TimestampMixin, Base):
    """A custom field an administrator defines for every contact; values live in `Contact.custom_fields[key]`."""

    __tablename__ = "contact_fields"

    key: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    type: Mapped[FieldType] = mapped_column(String(16), default=FieldType.TEXT)
    position: Mapped[int] = mapped_column(default=0)
