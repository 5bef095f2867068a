"""The JSON shapes of queues."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import SAYS_SOMETHING, IdRef, PatchModel, trimmed
from zapdesk.hours.schemas import QueueHours
from zapdesk.templates.engine import TemplateText

DEFAULT_COLOR = "#6366f1"

QueueName = Annotated[str, Field(min_length=1, max_length=80, json_schema_extra=SAYS_SOMETHING), trimmed]
Color = Annotated[
    str, Field(pattern=r"^\s*#[0-9a-fA-F]{6}\s*$", examples=["#6366f1"]), trimmed, AfterValidator(str.lower)
]


def _blank_is_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


# An empty greeting means "no greeting": store None rather than an empty message to send.
Greeting = Annotated[TemplateText | None, Field(max_length=4096), AfterValidator(_blank_is_none)]
Description = Annotated[str | None, Field(max_length=120), AfterValidator(_blank_is_none)]
# "0" takes the customer back in a menu: numbers start at 1.
MenuNumber = Annotated[int, Field(ge=1, le=99)]


OptionAnswer = Annotated[TemplateText, Field(min_length=1, max_length=4096, json_schema_extra=SAYS_SOMETHING), trimmed]


class QueueOption(BaseModel):
    """One choice under a queue in the menu: it answers with a fixed text, or leads to a queue."""

    model_config = ConfigDict(extra="forbid")

    number: MenuNumber
    label: Annotated[str, Field(min_length=1, max_length=80, json_schema_extra=SAYS_SOMETHING), trimmed]
    answer: OptionAnswer | None = None
    queue_id: IdRef | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        if (self.answer is None) == (self.queue_id is None):
            raise PydanticCustomError("option_outcome", "an option either answers with a text or leads to a queue")
        return self


def _distinct_numbers(options: list[QueueOption]) -> list[QueueOption]:
    numbers = [option.number for option in options]
    repeated = next((number for number in numbers if numbers.count(number) > 1), None)
    if repeated is not None:
        raise PydanticCustomError("menu_number_repeated", "two options have the number {number}", {"number": repeated})
    return sorted(options, key=lambda option: option.number)


Options = Annotated[list[QueueOption], Field(max_length=20), AfterValidator(_distinct_numbers)]


class QueueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    color: str
    greeting_message: str | None
    order: int = Field(description="Its number in the menu of each connection that serves it.")
    description: str | None
    options: list[QueueOption]
    hours: QueueHours | None = Field(description="Its own business hours, or null for its connection's.")
    created_at: datetime


class QueueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: QueueName
    color: Color = DEFAULT_COLOR
    greeting_message: Greeting = None
    order: MenuNumber | None = Field(default=None, description="Default: the next number after the highest in use.")
    description: Description = None
    options: Options = Field(default_factory=list)
    hours: QueueHours | None = None


class QueueUpdate(PatchModel):
    nullable: ClassVar[frozenset[str]] = frozenset({"greeting_message", "description", "hours"})

    name: QueueName | None = None
    color: Color | None = None
    greeting_message: Greeting = None
    order: MenuNumber | None = None
    description: Description = None
    options: Options | None = None
    hours: QueueHours | None = None
