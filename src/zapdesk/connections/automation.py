"""A connection's automation settings, one section per form tab: the queue menu, business hours, automatic
messages and timers, the satisfaction survey. Stored as one JSON document on the connection; every field has a
default, so a connection saved before a setting existed reads as if it had been left as it is by default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import IdRef
from zapdesk.hours.schemas import Exceptions, OutOfHoursText, WeeklyHours
from zapdesk.templates.engine import TemplateText

if TYPE_CHECKING:
    from zapdesk.connections.models import Connection

Text = Annotated[TemplateText, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096)]
Minutes = Annotated[int, Field(ge=1, le=60 * 24 * 30)]

DEFAULT_INVALID_OPTION = "Opção inválida."
DEFAULT_OUT_OF_HOURS = (
    "Olá! Nosso atendimento está fechado agora. Sua mensagem ficou registrada e responderemos assim que abrirmos."
)
DEFAULT_SURVEY_QUESTION = "De 1 a 5, como você avalia o atendimento?"
DEFAULT_SURVEY_THANKS = "Obrigado pela sua avaliação!"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MenuSettings(_Section):
    """The queue menu: a new ticket from a customer chooses its queue before anyone sees it."""

    enabled: bool = False
    invalid_message: Text = DEFAULT_INVALID_OPTION
    max_tries: int = Field(default=3, ge=1, le=10, description="Wrong answers before the fallback.")
    fallback_queue_id: IdRef | None = Field(
        default=None, description="Where the ticket goes after too many wrong answers or no answer (none: no queue)."
    )
    expire_minutes: Minutes | None = Field(default=None, description="No choice within this time: the fallback.")


class HoursSettings(_Section):
    """Business hours: outside them a customer's message gets the out-of-hours message."""

    enabled: bool = False
    days: WeeklyHours = Field(default_factory=WeeklyHours)
    exceptions: Exceptions = Field(default_factory=list)
    message: OutOfHoursText = DEFAULT_OUT_OF_HOURS
    repeat_hours: int = Field(default=12, ge=1, le=24 * 30, description="At most one reply per ticket this often.")


class MessageSettings(_Section):
    """What the customer is told when an agent accepts their ticket or it is transferred (none: nothing)."""

    accept: Text | None = None
    transfer: Text | None = None


class TimerSettings(_Section):
    """Timers on tickets that wait: closing after the customer's silence, and giving back an agent's silence."""

    close_after_minutes: Minutes | None = Field(
        default=None, description="Close an open ticket whose customer has not answered the agent for this long."
    )
    close_message: Text | None = None
    remind_before_minutes: Minutes | None = Field(default=None, description="Remind the customer this long before.")
    reminder_message: Text | None = None
    pending_after_minutes: Minutes | None = Field(
        default=None, description="Give a ticket back to its queue when its agent has not answered for this long."
    )

    @field_validator("remind_before_minutes")
    @classmethod
    def _reminder_before_closing(cls, remind: int | None, info: ValidationInfo) -> int | None:
        close = info.data.get("close_after_minutes")
        if remind is not None and (close is None or remind >= close):
            raise PydanticCustomError(
                "reminder_after_closing",
                "the reminder must come before the ticket closes ({close} minutes)",
                {"close": close or 0},
            )
        return remind


class SurveySettings(_Section):
    """The satisfaction survey sent when a ticket closes, answered 1 to 5."""

    enabled: bool = False
    question: Text = DEFAULT_SURVEY_QUESTION
    thanks: Text = DEFAULT_SURVEY_THANKS
    window_minutes: Minutes = Field(default=60 * 24, description="How long an answer counts as the rating.")


class ConnectionAutomation(_Section):
    menu: MenuSettings = Field(default_factory=MenuSettings)
    hours: HoursSettings = Field(default_factory=HoursSettings)
    messages: MessageSettings = Field(default_factory=MessageSettings)
    timers: TimerSettings = Field(default_factory=TimerSettings)
    survey: SurveySettings = Field(default_factory=SurveySettings)


def automation_of(connection: Connection) -> ConnectionAutomation:
    """The connection's settings; a document stored by an older version fills in today's defaults."""
    return ConnectionAutomation.model_validate(connection.automation or {})
