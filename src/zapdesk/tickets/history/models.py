"""One row per thing that happened to a ticket. Rows are only ever inserted: the history is what it was."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId, IdMixin, utcnow


class TicketEventKind(StrEnum):
    """What happened. Stored as text without a database constraint: a new kind is a new member here, no migration.

    The web app words each kind (`web/src/chat/history.ts`); a kind it does not know shows as a plain line.
    """

    CREATED = "created"  # by the customer's first message (`message_id`), or by an agent writing first
    # The customer picked `to_queue` in the bot's menu; by the bot (too many wrong answers) or a timer (no
    # answer in time), the menu's fallback.
    QUEUE_CHOSEN = "queue_chosen"
    ACCEPTED = "accepted"  # `actor` took the pending ticket
    # Moved between users and/or queues (`from_*` → `to_*`); by a timer: its agent did not answer in time.
    TRANSFERRED = "transferred"
    CLOSED = "closed"  # by an agent, the bot or a timer (the customer's silence: `detail["reason"]` "silence")
    REOPENED = "reopened"
    OUT_OF_HOURS_REPLY = "out_of_hours_reply"  # the bot answered outside business hours (`message_id`)
    REMINDED = "reminded"  # a timer reminded the silent customer before closing the ticket (`message_id`)
    RATED = "rated"  # the customer rated the service (`detail["score"]`)


class ActorKind(StrEnum):
    """Who did it."""

    USER = "user"  # a zapdesk user (`actor_user_id`), or someone typing on the business phone (no id)
    CUSTOMER = "customer"
    BOT = "bot"  # automation: the queue menu, business hours, the survey, the API
    TIMER = "timer"  # a due timer fired (inactivity, scheduled close)


_USER = "users.id"
_QUEUE = "queues.id"


class TicketEvent(IdMixin, Base):
    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_ticket_events_ticket_id_id", "ticket_id", "id"),
        # The dashboard counts one kind (reopenings) in a period.
        Index("ix_ticket_events_kind_at", "kind", "at"),
    )

    ticket_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[TicketEventKind] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[ActorKind] = mapped_column(String(16))
    # Kept as ids: the names shown are the current ones, and a deleted user or queue leaves the row in place.
    # Indexed where a deletion would otherwise scan the table once per row deleted (a ticket's messages).
    actor_user_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("messages.id", ondelete="SET NULL"), default=None, index=True
    )
    from_user_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey(_USER, ondelete="SET NULL"), default=None)
    to_user_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey(_USER, ondelete="SET NULL"), default=None)
    from_queue_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey(_QUEUE, ondelete="SET NULL"), default=None)
    to_queue_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey(_QUEUE, ondelete="SET NULL"), default=None)
    # What a kind needs beyond these columns (a rating's score, which timer fired).
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
