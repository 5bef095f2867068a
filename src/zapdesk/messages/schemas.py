"""The JSON shapes of messages, in and out."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import Response, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from zapdesk.api.inputs import SAYS_SOMETHING, IdRef, trimmed
from zapdesk.messages.models import ActionKind, MediaState, Message, MessageStatus, MessageType
from zapdesk.messages.window import ServiceWindow

# WhatsApp refuses text messages longer than this.
MAX_BODY_LENGTH = 65_536


def media_url(message: Message) -> str | None:
    """Where the file is; it names the stored file too, so a better copy replacing it gets a URL of its own."""
    if not message.media_path:
        return None
    version = hashlib.sha256(message.media_path.encode()).hexdigest()[:12]
    return f"/api/messages/{message.id}/media?v={version}"


class MessageRead(BaseModel):
    id: int
    ticket_id: int
    body: str
    type: MessageType
    from_me: bool
    status: MessageStatus
    error: str | None
    external_id: str | None
    client_id: str | None
    quoted_message_id: int | None
    media_url: str | None
    media_name: str | None
    media_mime: str | None
    media_state: MediaState | None = Field(
        description="A received file: pending (being downloaded), retrying, ready or failed (`extra.media_error` "
        "says why). None for text and for files an agent attached."
    )
    extra: dict[str, Any] = Field(description="Type-specific details: coordinates, a vCard, an unsupported kind.")
    reactions: dict[str, str] = Field(description="Emoji reactions, keyed by who reacted.")
    is_edited: bool
    is_deleted: bool
    sender_name: str | None
    author_id: int | None
    created_at: datetime
    sent_at: datetime | None
    updated_at: datetime

    @classmethod
    def from_model(cls, message: Message) -> MessageRead:
        return cls(
            id=message.id,
            ticket_id=message.ticket_id,
            body=message.body,
            type=message.type,
            from_me=message.from_me,
            status=message.status,
            error=message.error,
            external_id=message.external_id,
            client_id=message.client_id,
            quoted_message_id=message.quoted_message_id,
            media_url=media_url(message),
            media_name=message.media_name,
            media_mime=message.media_mime,
            media_state=message.media_state,
            extra=dict(message.extra),
            reactions=dict(message.reactions),
            is_edited=message.is_edited,
            is_deleted=message.is_deleted,
            sender_name=message.sender_name,
            author_id=message.author_id,
            created_at=message.created_at,
            sent_at=message.sent_at,
            updated_at=message.updated_at,
        )


# The second answer of a route that stores a message under the client's `client_id`.
SENT_BEFORE: dict[int | str, dict[str, Any]] = {
    200: {"model": MessageRead, "description": "This client_id was already sent: the first message."}
}


def stored_message(message: Message, created: bool, response: Response) -> MessageRead:
    """The route's 201 for a new message; 200 with the first one when a repeated `client_id` found it."""
    if not created:
        response.status_code = status.HTTP_200_OK
    return MessageRead.from_model(message)


ClientId = Annotated[str, Field(min_length=1, max_length=64)]
MAX_NOTE_LENGTH = 10_000


class NoteCreate(BaseModel):
    """An internal note: `@Name` mentions a user (their full name, or a first name no one else has)."""

    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, Field(min_length=1, max_length=MAX_NOTE_LENGTH, json_schema_extra=SAYS_SOMETHING), trimmed]
    client_id: ClientId | None = None


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY_LENGTH, json_schema_extra=SAYS_SOMETHING), trimmed]
    quoted_message_id: IdRef | None = None
    # Chosen by the client per message: sending the same one twice stores the message once.
    client_id: ClientId | None = None


class ServiceWindowRead(BaseModel):
    applies: bool = Field(description="Whether this ticket's channel has a customer-service window (Cloud API).")
    open: bool = Field(description="Whether free text can be sent now; outside the window only a template can.")
    closes_at: datetime | None

    @classmethod
    def from_window(cls, window: ServiceWindow) -> ServiceWindowRead:
        return cls(applies=window.applies, open=window.is_open(), closes_at=window.closes_at)


class ReactionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Stripped, not `trimmed`: empty is allowed here.
    emoji: Annotated[
        str, Field(max_length=32, description="One emoji; empty removes our reaction."), AfterValidator(str.strip)
    ]


class MessageEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY_LENGTH, json_schema_extra=SAYS_SOMETHING), trimmed]


MAX_FORWARDED = 20


class ForwardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_ids: Annotated[list[IdRef], Field(min_length=1, max_length=MAX_FORWARDED)]
    contact_id: IdRef
    connection_id: IdRef | None = Field(default=None, description="Defaults to the first message's connection.")


class ForwardResult(BaseModel):
    ticket_id: int = Field(description="The recipient's ticket the copies went to (reused or opened).")
    messages: list[MessageRead]


class MessageRevisionRead(BaseModel):
    """What an edit or a delete-for-everyone replaced, by whom and when."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ActionKind
    previous: str = Field(description="The text before the change.")
    text: str = Field(description="An edit's new text; empty for a deletion.")
    author_id: int | None
    created_at: datetime


class TypingState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    typing: StrictBool = Field(description="True while the agent types (repeat every few seconds); false to stop.")
