"""Users (agents and admins, `Role` from `zapdesk.auth.caller`) and the queues they belong to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zapdesk.auth.caller import Role as Role  # re-exported: a user's role is what their tokens claim
from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from zapdesk.queues.models import Queue


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
    # The interface's language ("pt-BR", "en"); None follows the browser.
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    # What alerts them (a sound, a browser notification) and about what: a ticket transferred to them, a mention,
    # a customer writing on a ticket of theirs.
    notify_sound: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notify_desktop: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notify_transfers: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notify_mentions: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notify_messages: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    queues: Mapped[list[Queue]] = relationship(secondary=user_queues, lazy="raise", order_by="Queue.name")

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN
