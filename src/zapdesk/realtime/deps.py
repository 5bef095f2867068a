"""Who is present, as a route dependency: read from the Socket.IO server the app was assembled with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from zapdesk.realtime.presence import Presence


async def get_presence(request: Request) -> dict[int, Presence]:
    """Every user not offline, from their sockets on every server. An API served without the Socket.IO server
    (`create_api` alone) has no sockets, so nobody is present."""
    realtime = getattr(request.app.state, "realtime", None)
    if realtime is None:
        return {}
    states: dict[int, Presence] = await realtime.presence.everyone()
    return states


PresenceDep = Annotated[dict[int, Presence], Depends(get_presence)]
