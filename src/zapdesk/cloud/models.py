"""A Cloud API connection's account at Meta, and the message templates of its WhatsApp Business Account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin, utcnow


class CloudAccount(TimestampMixin, Base):
    __tablename__ = "cloud_accounts"

    connection_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    # Meta's ids are digits, but ids, not numbers: kept as text.
    phone_number_id: Mapped[str] = mapped_column(String(32), unique=True)
    business_account_id: Mapped[str] = mapped_column(String(32))
    # The access token, app secret and verify token as one Fernet token (see zapdesk.kit.secrets).
    secrets: Mapped[str] = mapped_column(Text)


class CloudTemplate(IdMixin, Base):
    """A template as the Graph API last listed it (refreshed on demand)."""

    __tablename__ = "cloud_templates"
    __table_args__ = (UniqueConstraint("business_account_id", "name", "language"),)

    business_account_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32), default="")
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
