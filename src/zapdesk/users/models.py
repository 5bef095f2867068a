"""Users (agents and admins) and the queues they belong to."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from zapdesk.queues.models import Queue


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"


user_queues = Table(
    "user_queues",
    Base.metadata,
    Column("user_id", BigIntId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("queue_id", BigIntId, ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16), default=Role.AGENT)
    # What they write goes out on WhatsApp under their name in bold (when the workspace's setting is on too).
    signature: Mapped[bool] = mapped_column(Boolean, default=True)

    queues: Mapped[list[Queue]] = relationship(secondary=user_queues, lazy="raise", order_by="Queue.name")

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN
