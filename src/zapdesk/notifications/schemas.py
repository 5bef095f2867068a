"""The JSON shapes of notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from zapdesk.api.inputs import IdRef
from zapdesk.notifications.models import NotificationKind


class NotificationRead(BaseModel):
    id: int
    kind: NotificationKind
    ticket_id: int
    message_id: int | None
    actor_name: str | None = Field(description="Who mentioned you or transferred the ticket (their current name).")
    text: str = Field(description="The note's text, or the ticket's contact.")
    created_at: datetime
    read_at: datetime | None


class NotificationIds(BaseModel):
    """Notifications now read (the same user's other tabs mark them too)."""

    ids: list[int]


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: Annotated[list[IdRef], Field(max_length=500)] | None = Field(
        default=None, description="These notifications; leave out to mark every one read."
    )
