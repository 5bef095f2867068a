"""The JSON shapes of quick answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import SAYS_SOMETHING, IdRef, PatchModel, trimmed
from zapdesk.messages.schemas import MAX_BODY_LENGTH, ClientId
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.templates.engine import TemplateText

MAX_SHORTCUT_LENGTH = 64


def strip_slash(value: str) -> str:
    """Agents type "/hello"; the slash is how they call a shortcut, not part of its name."""
    return value.strip().removeprefix("/")


# What Python's `str.isspace` calls a space, spelled out: a pattern's `\s` differs between regex engines.
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# One word of 1 to 64 characters, with an optional leading `/` (how agents call it), spaces around it dropped.
SHORTCUT_SHAPE = rf"^[{_SPACE}]*(/[^{_SPACE}\x00]{{1,64}}|[^{_SPACE}/\x00][^{_SPACE}\x00]{{0,63}})[{_SPACE}]*$"


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


# The schema states `_shortcut`'s rule as a pattern; the check keeps its own errors, which clients word.
Shortcut = Annotated[
    str, Field(max_length=200, json_schema_extra={"pattern": SHORTCUT_SHAPE}), AfterValidator(_shortcut)
]
AnswerText = Annotated[TemplateText, Field(min_length=1, max_length=4096, json_schema_extra=SAYS_SOMETHING), trimmed]


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
    personal: StrictBool = Field(
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
    body: Annotated[str, Field(max_length=MAX_BODY_LENGTH)] | None = Field(
        default=None, description="The text as the agent edited it; default: the answer's, filled for the ticket."
    )
    client_id: ClientId | None = None
