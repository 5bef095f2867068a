"""Stored credentials: refresh tokens (so a rotated token is recognised when someone replays it), and API tokens
(only their SHA-256: the token itself is shown once, when it is made)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId, IdMixin, utcnow


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    # The token's `jti`; the token itself is never stored.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Scope(StrEnum):
    READ = "read"  # GET what a signed-in user may read
    SEND = "send"  # POST /api/v1/messages
    ADMIN = "admin"  # everything an administrator may do


class ApiToken(IdMixin, Base):
    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(80))
    # SHA-256 of the whole token: tokens are long random strings, so a fast hash is as safe as a slow one.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, to tell tokens apart in the list ("zdk_AbCd…").
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    # Acts as this administrator, within its scopes; removing or demoting them disables the token.
    created_by_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
