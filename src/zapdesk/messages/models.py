"""Messages of a ticket, inbound and outbound, with their delivery state."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, validates

from zapdesk.db.base import Base, BigIntId, IdMixin, TimestampMixin
from zapdesk.db.folding import fold


class MessageType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VOICE = "voice"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACT = "contact"
    UNSUPPORTED = "unsupported"
    # An agent's internal note: in the timeline, never sent to WhatsApp, not an answer to the customer.
    NOTE = "note"


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class MediaState(StrEnum):
    """Where a received file stands. Messages are stored at once; their files come after (`ingest.downloader`)."""

    PENDING = "pending"  # not downloaded yet
    RETRYING = "retrying"  # a download failed (`extra["media_error"]` says why); another is due
    READY = "ready"
    FAILED = "failed"  # given up: `extra["media_error"]` says why


PENDING_ONLY = text("status = 'pending'")
DOWNLOAD_DUE = text("media_due_at IS NOT NULL")


class Message(IdMixin, TimestampMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        # Invariant 1: an inbound message is stored once per connection.
        UniqueConstraint("connection_id", "external_id", name="uq_messages_connection_external_id"),
        # A repeated POST with the same client id is the same message.
        UniqueConstraint("ticket_id", "client_id", name="uq_messages_ticket_client_id"),
        Index("ix_messages_ticket_id_id", "ticket_id", "id"),
        Index(
            "ix_messages_outbox",
            "connection_id",
            "id",
            sqlite_where=PENDING_ONLY,
            postgresql_where=PENDING_ONLY,
        ),
        Index("ix_messages_updated_at", "updated_at"),
        Index(
            "ix_messages_media_downloads",
            "connection_id",
            "media_due_at",
            sqlite_where=DOWNLOAD_DUE,
            postgresql_where=DOWNLOAD_DUE,
        ),
    )

    ticket_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("tickets.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("connections.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    from_me: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    # `body` folded for search (`db.folding`): kept in step by `_fold_body`, and by ingest's bulk insert.
    body_search: Mapped[str] = mapped_column(Text, default="", server_default="")
    type: Mapped[MessageType] = mapped_column(String(16), default=MessageType.TEXT)
    media_path: Mapped[str | None] = mapped_column(String(255), default=None)
    media_mime: Mapped[str | None] = mapped_column(String(127), default=None)
    media_name: Mapped[str | None] = mapped_column(String(255), default=None)
    media_size: Mapped[int | None] = mapped_column(default=None)
    # Received files: None for text and for files an agent attached (stored with the message).
    media_state: Mapped[MediaState | None] = mapped_column(String(16), default=None)
    # The engine's own handle to download the file later (`Engine.download`); cleared once it is stored.
    media_ref: Mapped[str | None] = mapped_column(Text, default=None)
    media_attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # When the next download is due; None when nothing is left to try.
    media_due_at: Mapped[datetime | None] = mapped_column(default=None)
    # Type-specific extras: location coordinates, a contact card's vCard, the raw kind of unsupported content.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Emoji reactions on this message, keyed by who reacted.
    reactions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    quoted_message_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    quoted_external_id: Mapped[str | None] = mapped_column(String(128), default=None)
    external_id: Mapped[str | None] = mapped_column(String(128), default=None)
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    sender_name: Mapped[str | None] = mapped_column(String(160), default=None)
    status: Mapped[MessageStatus] = mapped_column(String(16), default=MessageStatus.SENT)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    send_attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    is_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # When WhatsApp says it was sent (inbound) or when we sent it (outbound).
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    @validates("body")
    def _fold_body(self, _key: str, body: str) -> str:
        self.body_search = fold(body)
        return body


# WhatsApp lets the sender edit a message for this long after sending it.
EDIT_WINDOW = timedelta(minutes=15)


class ActionKind(StrEnum):
    REACTION = "reaction"
    READ = "read"
    EDIT = "edit"
    REVOKE = "revoke"  # delete for everyone
    TYPING = "typing"  # an agent is typing in the message's chat ("digitando…")
    PAUSED = "paused"  # they stopped


class MessageAction(IdMixin, Base):
    """Something to tell WhatsApp about a message that is not a message itself: our reaction to it, or that we
    read it. A row until the outbox has told it (or given up), like a pending message."""

    __tablename__ = "message_actions"
    __table_args__ = (Index("ix_message_actions_connection_id_id", "connection_id", "id"),)

    connection_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("connections.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("messages.id", ondelete="CASCADE"))
    kind: Mapped[ActionKind] = mapped_column(String(16))
    emoji: Mapped[str] = mapped_column(String(32), default="")  # REACTION: empty removes ours
    text: Mapped[str] = mapped_column(Text, default="", server_default="")  # EDIT: the new text
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    # TYPING and PAUSED are worth telling only while they are true: past this, the outbox drops them untold.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)


class MessageRevision(IdMixin, TimestampMixin, Base):
    """What an agent's edit or delete-for-everyone replaced: the message's history, for administrators."""

    __tablename__ = "message_revisions"

    message_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    kind: Mapped[ActionKind] = mapped_column(String(16))
    previous: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")  # the edit's new text; empty for a deletion
