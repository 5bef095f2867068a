"""The JSON shape of a catch-up after a reconnect."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from zapdesk.messages.schemas import MessageRead
from zapdesk.tickets.schemas import TicketRead


class SyncRead(BaseModel):
    tickets: list[TicketRead] = Field(description="Tickets you may see that changed, oldest change first.")
    messages: list[MessageRead] = Field(description="Messages of those tickets that changed, oldest change first.")
    server_time: datetime = Field(description="Pass it as `since` next time.")
    truncated: bool = Field(
        description="More changed than one answer holds: reload the lists instead of applying this one."
    )
