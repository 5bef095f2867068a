"""The JSON shapes of queues."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from zapdesk.api.inputs import PatchModel

DEFAULT_COLOR = "#6366f1"

QueueName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Color = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^#[0-9a-fA-F]{6}$"),
    AfterValidator(str.lower),
]


def _blank_is_none(value: str | None) -> str | None:
    return value or None


# An empty greeting means "no greeting": store None rather than an empty message to send.
Greeting = Annotated[
    str | None, StringConstraints(strip_whitespace=True, max_length=4096), AfterValidator(_blank_is_none)
]


class QueueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    color: str
    greeting_message: str | None
    created_at: datetime


class QueueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: QueueName
    color: Color = DEFAULT_COLOR
    greeting_message: Greeting = None


class QueueUpdate(PatchModel):
    nullable: ClassVar[frozenset[str]] = frozenset({"greeting_message"})

    name: QueueName | None = None
    color: Color | None = None
    greeting_message: Greeting = None
