"""GET /api/events: what a reconnecting client missed while its socket was down, by position; GET /api/presence:
who is at their desk."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.realtime import service
from zapdesk.realtime.deps import PresenceDep
from zapdesk.realtime.publisher import envelope
from zapdesk.realtime.schemas import CatchUpRead, UserPresence
from zapdesk.users.current import CurrentUser

router = APIRouter(tags=["realtime"])


@router.get("/events", response_model=CatchUpRead)
async def events_after(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    after: Annotated[
        int | None,
        Query(ge=0, le=2**53 - 1, description="The `seq` of the last event you applied; leave out to get a position."),
    ] = None,
) -> CatchUpRead:
    """The events you may see after position `after`, oldest first, each once — the same ones, with the same
    `seq`, as the Socket.IO event `event` delivers live.

    Call it when the socket (re)connects, with the `seq` of the last event applied (or the previous answer's
    `position`). `resync: true` means reload what you show instead, then continue after `position`.
    """
    caught_up = await service.events_after(session, user, after, limit=settings.event_replay_limit)
    return CatchUpRead.model_validate(
        {
            "resync": caught_up.resync,
            "position": caught_up.position,
            "events": [envelope(item) for item in caught_up.events],
        }
    )


@router.get("/presence", response_model=list[UserPresence])
async def presence(states: PresenceDep, _user: CurrentUser) -> list[UserPresence]:
    """Every user who is online or away now (the others are offline), from their sockets on every server. The
    Socket.IO event `presence` (`{"user_id", "state"}`) tells each change as it happens."""
    return [UserPresence(user_id=user_id, state=state) for user_id, state in sorted(states.items())]
