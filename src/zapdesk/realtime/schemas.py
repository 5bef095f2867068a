"""The JSON shapes of a catch-up after a reconnect and of presence."""

from __future__ import annotations

from pydantic import BaseModel, Field

from zapdesk.events import BrowserEvent
from zapdesk.realtime.presence import Presence


class CatchUpRead(BaseModel):
    resync: bool = Field(
        description="Too far behind to catch up by events (or no position given): reload what you show, then "
        "continue after `position`. When false, apply `events` in order."
    )
    position: int = Field(description="The newest position when this answer was made: ask after it next time.")
    events: list[BrowserEvent] = Field(  # type: ignore[valid-type]
        description="The events you may see after the position you gave, oldest first, each once."
    )


class UserPresence(BaseModel):
    user_id: int
    state: Presence = Field(description="online, away (tab hidden or idle) or offline.")
