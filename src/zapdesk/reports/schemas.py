"""The shapes of the reports: the period asked for, and the figures given back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import MAX_ID

MAX_PERIOD_DAYS = 366

OptionalId = Annotated[int | None, Field(ge=1, le=MAX_ID)]


class ReportQuery(BaseModel):
    """A period of whole days in a time zone, and the filters every report takes."""

    start: date = Field(description="First day of the period (inclusive).")
    end: date = Field(description="Last day of the period (inclusive).")
    tz: str | None = Field(
        default=None, max_length=64, description="IANA time zone the days are counted in; the workspace's if omitted."
    )
    queue_id: OptionalId = None
    connection_id: OptionalId = None
    user_id: OptionalId = Field(default=None, description="Only the tickets this agent holds.")

    @field_validator("end")
    @classmethod
    def _period(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if isinstance(start, date):
            if end < start:
                raise PydanticCustomError("period_reversed", "The period ends before it starts.")
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise PydanticCustomError(
                    "period_too_long", "The period is longer than {max_days} days.", {"max_days": MAX_PERIOD_DAYS}
                )
        return end

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, tz: str | None) -> str | None:
        if tz is None:
            return None
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise PydanticCustomError("unknown_time_zone", "There is no time zone of this name.") from exc
        return tz

    @property
    def zone(self) -> ZoneInfo:
        """The days' time zone (`reports.service` fills in the workspace's before it is read)."""
        return ZoneInfo(self.tz or "UTC")

    @property
    def since(self) -> datetime:
        """The period's first instant, in UTC."""
        return datetime.combine(self.start, time(), self.zone).astimezone(UTC)

    @property
    def until(self) -> datetime:
        """The instant after the period's last day, in UTC."""
        return datetime.combine(self.end + timedelta(days=1), time(), self.zone).astimezone(UTC)


class Spread(BaseModel):
    """Median and 90th percentile of a duration, in seconds (linear interpolation, as `percentile_cont`)."""

    count: int
    median: float | None
    p90: float | None


class Csat(BaseModel):
    """Ratings given in the period: null/empty until the satisfaction survey exists and customers answer."""

    count: int
    average: float | None
    distribution: dict[int, int]


class DayVolume(BaseModel):
    day: date
    created: int
    closed: int


class WaitingNow(BaseModel):
    count: int
    longest_seconds: int | None


class Summary(BaseModel):
    created: int
    closed: int
    reopened: int
    waiting: Spread
    first_response: Spread
    resolution: Spread
    csat: Csat
    by_day: list[DayVolume]
    now: WaitingNow


class AgentRow(BaseModel):
    user_id: int
    name: str
    open_now: int
    closed: int
    first_response: Spread
    resolution: Spread
    csat: Csat


class QueueRow(BaseModel):
    queue_id: int | None = Field(description="Null for tickets in no queue.")
    name: str | None
    created: int
    closed: int
    waiting: Spread
    first_response: Spread


class Heatmap(BaseModel):
    """Tickets created per weekday (0 = Monday) and hour of the day, in the period's time zone."""

    cells: list[list[int]] = Field(description="7 rows (Monday first) of 24 counts.")


class TicketMetricsRow(BaseModel):
    id: int
    protocol: str
    created_at: datetime
    closed_at: datetime | None
    status: str
    contact_name: str
    queue_name: str | None
    assignee_name: str | None
    waiting_seconds: int | None
    first_response_seconds: int | None
    resolution_seconds: int | None
    transfer_count: int
    reopen_count: int
    message_count: int
    rating: int | None


ExportFormat = Literal["json", "csv", "xlsx"]
Separator = Literal[",", ";"]
