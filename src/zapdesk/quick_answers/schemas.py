"""The JSON shapes of quick answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import PatchModel

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
AnswerText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096)]


class QuickAnswerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    shortcut: str
    text: str
    created_at: datetime


class QuickAnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shortcut: Shortcut
    text: AnswerText


class QuickAnswerUpdate(PatchModel):
    nullable: ClassVar[frozenset[str]] = frozenset()

    shortcut: Shortcut | None = None
    text: AnswerText | None = None
