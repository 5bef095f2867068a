"""Catching up after a reconnect: what a user may see that changed since a moment (events missed meanwhile)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.base import utcnow
from zapdesk.messages.models import Message
from zapdesk.realtime import repository
from zapdesk.tickets.models import Ticket
from zapdesk.users.models import User

# `updated_at` is stamped when a change is flushed, and becomes visible when its transaction commits a
# little later: going back this far past `since` catches a change stamped before the last catch-up ran
# but committed after it. Repeats are harmless: clients replace items by id.
COMMIT_DELAY_MARGIN = timedelta(seconds=30)
DEFAULT_SYNC_LIMIT = 500
MAX_SYNC_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Changes:
    tickets: list[Ticket]
    messages: list[Message]
    server_time: datetime
    truncated: bool


async def changes_since(session: AsyncSession, user: User, since: datetime, *, limit: int) -> Changes:
    """Up to `limit` tickets and `limit` messages changed since `since`; `truncated` when there were more."""
    server_time = utcnow()
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    start = since - COMMIT_DELAY_MARGIN
    tickets = await repository.tickets_changed_since(session, user, start, limit=limit + 1)
    messages = await repository.messages_changed_since(session, user, start, limit=limit + 1)
    return Changes(
        tickets=tickets[:limit],
        messages=messages[:limit],
        server_time=server_time,
        truncated=len(tickets) > limit or len(messages) > limit,
    )
