"""The JSON shape of a ticket's history."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from zapdesk.tickets.history.models import ActorKind, TicketEventKind

DetailValue = str | int | float | bool | None


class NamedRef(BaseModel):
    """A user or a queue as a history line names it (its current name)."""

    id: int
    name: str


class ActorRead(BaseModel):
    kind: ActorKind
    user: NamedRef | None = Field(description="The user who acted, when a user did (and still exists).")


class TicketEventRead(BaseModel):
    """One thing that happened to a ticket. The fields a kind does not use are null."""

    id: int
    ticket_id: int
    kind: TicketEventKind
    at: datetime
    actor: ActorRead
    message_id: int | None = Field(description="The message that caused it (created) or that it sent.")
    from_user: NamedRef | None
    to_user: NamedRef | None
    from_queue: NamedRef | None
    to_queue: NamedRef | None
    detail: dict[str, DetailValue] = Field(description="Kind-specific extras, e.g. a rating's `score`.")
