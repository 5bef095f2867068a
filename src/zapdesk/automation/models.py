"""What automation remembers per ticket, and its timers: due rows fired once by whichever worker claims them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zapdesk.db.base import Base, BigIntId, IdMixin, utcnow
from zapdesk.tickets.models import TicketStatus


class TicketAutomation(Base):
    """Automation's memory of one ticket: where its menu stands, the ticket as the events it read showed it
    (so that most messages are answered, or not, without reading the ticket), when it last said the business
    is closed."""

    __tablename__ = "ticket_automation"

    ticket_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    # The ticket was just created and its first message has not been answered (greeting, menu, hours) yet.
    fresh: Mapped[bool] = mapped_column(Boolean, default=False)
    # The ticket as the last event automation read showed it.
    seen_status: Mapped[TicketStatus] = mapped_column(String(16))
    seen_queue_id: Mapped[int | None] = mapped_column(BigIntId, default=None)
    seen_assignee_id: Mapped[int | None] = mapped_column(BigIntId, default=None)
    seen_choosing: Mapped[bool] = mapped_column(Boolean, default=False)
    # The menu: the queue whose options the customer sees (None: the queues), and the wrong answers so far.
    menu_queue_id: Mapped[int | None] = mapped_column(BigIntId, default=None)
    menu_tries: Mapped[int] = mapped_column(default=0)
    # When the menu (or its latest repetition) was written: what the customer sent before it answers nothing.
    menu_shown_at: Mapped[datetime | None] = mapped_column(default=None)
    out_of_hours_sent_at: Mapped[datetime | None] = mapped_column(default=None)


class TimerKind(StrEnum):
    CLOSE = "close"  # the customer did not answer the agent: close the ticket
    REMIND = "remind"  # before that, remind the customer
    GIVE_BACK = "give_back"  # the agent did not answer the customer: back to the queue, pending
    MENU_EXPIRY = "menu_expiry"  # no choice from the menu: the fallback
    SURVEY_END = "survey_end"  # the survey's answer window is over


class Timer(IdMixin, Base):
    """Something to do to a ticket at `due_at`, unless what armed it changed first (a newer message)."""

    __tablename__ = "automation_timers"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", name="uq_automation_timers_ticket_kind"),
        Index("ix_automation_timers_due_at", "due_at", "id"),
    )

    ticket_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[TimerKind] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column()
    # The newest message of the ticket when it was armed: a later one from the other side makes it moot.
    after_message_id: Mapped[int | None] = mapped_column(BigIntId, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
