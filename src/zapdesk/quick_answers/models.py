"""Canned replies agents insert by typing `/shortcut`."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, IdMixin, TimestampMixin


class QuickAnswer(IdMixin, TimestampMixin, Base):
    __tablename__ = "quick_answers"

    shortcut: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
