"""The JSON shapes of quick answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import IdRef, PatchModel
from zapdesk.messages.schemas import MAX_BODY_LENGTH
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.templates.engine import TemplateText

MAX_SHORTCUT_LENGTH = 64


def strip_slash(value: str) -> str:
    """Agents type "/hello"; the slash is how they call a shortcut, not part of its name."""
    return value.strip().removeprefix("/")


def _shortcut(value: str) -> str:
    value = strip_slash(value)
    if not value:
        raise PydanticCustomError("shortcut_empty", "the shortcut is empty")
    if any(character.isspace() for character in value):
        raise PydanticCustomError("shortcut_has_spaces", "a shortcut cannot contain spaces")
    if len(value) > MAX_SHORTCUT_LENGTH:
        raise PydanticCustomError(
            "shortcut_too_long",
            "a shortcut has at most {max_length} characters",
            {"max_length": MAX_SHORTCUT_LENGTH},
        )
    return value


Shortcut = Annotated[str, StringConstraints(max_length=200), AfterValidator(_shortcut)]
AnswerText = Annotated[TemplateText, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096)]


class QuickAnswerRead(BaseModel):
    id: int
    shortcut: str
    text: str = Field(description="A template: its {{variables}} are filled for the ticket it is used in.")
    owner_id: int | None = Field(description="Whose own answer it is; null for a shared one.")
    queue_ids: list[int] = Field(description="A shared answer for these queues only; empty: for every queue.")
    media_name: str | None
    media_type: str | None
    created_at: datetime

    @classmethod
    def of(cls, answer: QuickAnswer) -> QuickAnswerRead:
        """Needs `answer.queues` loaded."""
        return cls(
            id=answer.id,
            shortcut=answer.shortcut,
            text=answer.text,
            owner_id=answer.owner_id,
            queue_ids=[queue.id for queue in answer.queues],
            media_name=answer.media_name,
            media_type=answer.media_type,
            created_at=answer.created_at,
        )


class QuickAnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shortcut: Shortcut
    text: AnswerText
    personal: bool = Field(
        default=False, description="Your own answer, which only you see (agents' answers are always their own)."
    )
    queue_ids: list[IdRef] = Field(default_factory=list, max_length=100, description="Shared answers only.")


class QuickAnswerUpdate(PatchModel):
    nullable: ClassVar[frozenset[str]] = frozenset()

    shortcut: Shortcut | None = None
    text: AnswerText | None = None
    queue_ids: list[IdRef] | None = Field(default=None, max_length=100)


class QuickAnswerSend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_id: IdRef
    body: Annotated[str, StringConstraints(max_length=MAX_BODY_LENGTH)] | None = Field(
        default=None, description="The text as the agent edited it; default: the answer's, filled for the ticket."
    )
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
