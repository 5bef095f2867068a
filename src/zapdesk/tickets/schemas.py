"""The JSON shapes of tickets, in and out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zapdesk.api.inputs import IdRef
from zapdesk.templates.engine import TemplateText
from zapdesk.tickets.models import Ticket, TicketStatus


class TicketContact(BaseModel):
    id: int
    name: str
    phone: str
    profile_picture_url: str | None
    is_group: bool


class TicketRead(BaseModel):
    id: int
    protocol: str = Field(description='The number people quote, e.g. "2026-000123" (year of creation, then the id).')
    status: TicketStatus
    contact: TicketContact
    connection_id: int
    queue_id: int | None
    assignee_id: int | None
    unread_count: int
    last_message: str | None = Field(description="A one-line preview of the latest message.")
    last_message_at: datetime | None
    last_activity_at: datetime
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    tag_ids: list[int] = Field(description="The ticket's tags (see /api/tags), by id.")
    choosing_queue: bool = Field(description="The customer is choosing a queue from the menu (only admins see it).")
    rating: int | None = Field(description="The customer's satisfaction rating, 1 to 5, given after the close.")
    rated_at: datetime | None

    @classmethod
    def from_model(cls, ticket: Ticket) -> TicketRead:
        """Needs `ticket.contact` loaded."""
        contact = ticket.contact
        return cls(
            id=ticket.id,
            protocol=ticket.protocol,
            status=ticket.status,
            contact=TicketContact(
                id=contact.id,
                name=contact.name,
                phone=contact.phone,
                profile_picture_url=contact.profile_picture_url,
                is_group=contact.is_group,
            ),
            connection_id=ticket.connection_id,
            queue_id=ticket.queue_id,
            assignee_id=ticket.assignee_id,
            unread_count=ticket.unread_count,
            last_message=ticket.last_message_preview,
            last_message_at=ticket.last_message_at,
            last_activity_at=ticket.last_activity_at,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            closed_at=ticket.closed_at,
            tag_ids=sorted(tag.id for tag in ticket.tags),
            choosing_queue=ticket.choosing_queue,
            rating=ticket.rating,
            rated_at=ticket.rated_at,
        )


class AssigneeFilter(StrEnum):
    ME = "me"
    ANY = "any"
    NONE = "none"


class TicketAction(StrEnum):
    ACCEPT = "accept"
    TRANSFER = "transfer"
    CLOSE = "close"
    REOPEN = "reopen"


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: IdRef
    connection_id: IdRef


class TicketStep(BaseModel):
    """`accept`: a pending ticket becomes open and yours. `close`: closed now. `reopen`: a closed ticket becomes
    open and yours (409 if the contact already has another active ticket on that connection)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal[TicketAction.ACCEPT, TicketAction.CLOSE, TicketAction.REOPEN]


class TicketTransfer(BaseModel):
    """To a user and/or a queue (at least one of the two); `null` unassigns or removes the queue. A ticket left
    with nobody assigned goes back to pending. `action` may be left out."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"anyOf": [{"required": ["assignee_id"]}, {"required": ["queue_id"]}]}
    )

    action: Literal[TicketAction.TRANSFER] = TicketAction.TRANSFER
    assignee_id: IdRef | None = None
    queue_id: IdRef | None = None

    @model_validator(mode="after")
    def _names_a_target(self) -> Self:
        if not self.model_fields_set & {"assignee_id", "queue_id"}:
            raise ValueError("a transfer needs assignee_id and/or queue_id")
        return self


# An action, or a transfer given by its fields.
TicketUpdate = TicketStep | TicketTransfer


class RenderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[TemplateText, Field(max_length=65_536)]


class RenderedText(BaseModel):
    text: str = Field(description="The text with its variables filled; unknown ones are left as written.")
