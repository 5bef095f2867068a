"""Catching up after a reconnect: the events a user may see that came after the last position their client
applied, in order — or "resync" when that client is too far behind to catch up by events (it reloads instead).

The rule is by position only: a tab that slept for an hour while little happened catches up; one that missed
more than `limit` positions, or positions no longer kept (`zapdesk.db.journal.RETAINED_POSITIONS`), reloads.
Visibility is the live rule: an event is replayed to a user only if it names one of the rooms their sockets sit
in now (`user_rooms`, `zapdesk.tickets.access`). Only the contract's browser events are replayed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db import journal
from zapdesk.db.events import Published
from zapdesk.events import BROWSER_EVENTS
from zapdesk.realtime.rooms import user_rooms
from zapdesk.users.models import User


@dataclass(frozen=True, slots=True)
class CatchUp:
    resync: bool
    position: int
    events: list[Published]


async def events_after(session: AsyncSession, user: User, after: int | None, *, limit: int) -> CatchUp:
    """What `user` may see of the events after position `after`; `resync` when that cannot be told (no position
    given, one this log never reached, too far behind, or already deleted)."""
    latest = await journal.latest_position(session)
    if after is None or after > latest or latest - after > limit:
        return CatchUp(resync=True, position=latest, events=[])
    if after == latest:
        return CatchUp(resync=False, position=latest, events=[])
    oldest = await journal.oldest_position(session)
    if oldest is None or after < oldest - 1:
        return CatchUp(resync=True, position=latest, events=[])
    rooms = set(user_rooms(user))
    logged = await journal.read(session, after=after, upto=latest)
    visible = [
        item for item in logged if isinstance(item.event, BROWSER_EVENTS) and rooms.intersection(item.event.rooms)
    ]
    return CatchUp(resync=False, position=latest, events=visible)
