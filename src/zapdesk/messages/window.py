"""The customer-service window of channels that have one (the Cloud API): free text may go to a customer only
within 24 hours of their last message; outside it, only an approved template may start the conversation again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.models import Connection, Provider
from zapdesk.db.base import utcnow
from zapdesk.errors import Conflict
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
_WINDOWED_PROVIDERS = frozenset({Provider.CLOUD})


def has_window(provider: Provider) -> bool:
    """Whether free text reaches a customer only within a while of their last message (the Cloud API)."""
    return provider in _WINDOWED_PROVIDERS


@dataclass(frozen=True, slots=True)
class ServiceWindow:
    applies: bool  # this ticket's channel has a window at all
    closes_at: datetime | None  # None: the customer never wrote (or the window does not apply)

    def is_open(self, now: datetime | None = None) -> bool:
        if not self.applies:
            return True
        return self.closes_at is not None and (now or utcnow()) < self.closes_at


class WindowClosed(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "The 24-hour customer-service window is closed: the customer has not written in the last 24 hours. "
            "Send an approved template instead.",
            code="window_closed",
        )


async def service_window(session: AsyncSession, ticket: Ticket) -> ServiceWindow:
    provider = await session.scalar(select(Connection.provider).where(Connection.id == ticket.connection_id))
    if provider not in _WINDOWED_PROVIDERS:
        return ServiceWindow(applies=False, closes_at=None)
    last_inbound = await session.scalar(
        select(func.max(Message.sent_at)).where(
            Message.contact_id == ticket.contact_id,
            Message.connection_id == ticket.connection_id,
            Message.from_me.is_(False),
        )
    )
    return ServiceWindow(applies=True, closes_at=last_inbound + CUSTOMER_SERVICE_WINDOW if last_inbound else None)


async def ensure_free_text_allowed(session: AsyncSession, ticket: Ticket) -> None:
    if not (await service_window(session, ticket)).is_open():
        raise WindowClosed()
