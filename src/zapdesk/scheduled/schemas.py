"""The JSON shapes of scheduled messages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from zapdesk.api.inputs import SAYS_SOMETHING, IdRef, PatchModel
from zapdesk.messages.schemas import MAX_BODY_LENGTH
from zapdesk.templates.engine import TemplateText

ScheduledText = Annotated[TemplateText, StringConstraints(strip_whitespace=True, max_length=MAX_BODY_LENGTH)]


class ScheduleStatus(StrEnum):
    """What became of it: waiting, handed to WhatsApp, sent, failed (with the reason), or cancelled."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ScheduledRead(BaseModel):
    id: int
    connection_id: int
    contact_id: int
    contact_name: str
    contact_phone: str
    author_id: int | None
    body: str
    media_name: str | None
    media_type: str | None
    send_at: datetime
    status: ScheduleStatus
    error: str | None = Field(description="Why it failed.")
    open_ticket: bool
    ticket_id: int | None = Field(description="The ticket it went out in.")
    message_id: int | None
    created_at: datetime
    updated_at: datetime


class ScheduledDraft(BaseModel):
    """What a schedule is made of, whichever way it came (JSON for a text, a form with a file)."""

    model_config = ConfigDict(extra="forbid")

    connection_id: IdRef
    contact_id: IdRef
    body: ScheduledText = Field(default="", description="The text (a file's caption); required without a file.")
    send_at: AwareDatetime = Field(
        description="When to send it (with its UTC offset); it must be in the future (else 422 `send_at_in_past`)."
    )
    open_ticket: bool = Field(
        default=True,
        description="With no active ticket for the contact: open one (yours), or else use their latest ticket.",
    )


class ScheduledCreate(ScheduledDraft):
    """A text to send later: without a file, the text is what goes out, so it says something."""

    body: ScheduledText = Field(description="The text.", json_schema_extra=SAYS_SOMETHING)


class ScheduledUpdate(PatchModel):
    """Only while it is still scheduled."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    body: ScheduledText | None = None
    send_at: AwareDatetime | None = Field(
        default=None, description="A new time to send it, in the future (else 422 `send_at_in_past`)."
    )
    open_ticket: bool | None = None
