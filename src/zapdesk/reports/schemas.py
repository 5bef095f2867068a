"""The shapes of the reports: the period asked for, and the figures given back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import TIME_ZONE_NAMES, TIME_ZONE_SHAPE
from zapdesk.kit.paging import MAX_ID
from zapdesk.realtime.presence import Presence
from zapdesk.tickets.models import TicketStatus

MAX_PERIOD_DAYS = 366

OptionalId = Annotated[int | None, Field(ge=1, le=MAX_ID)]


class ReportQuery(BaseModel):
    """A period of whole days in a time zone, and the filters every report takes."""

    start: date = Field(description="First day of the period (inclusive).")
    end: date = Field(
        description=f"Last day of the period (inclusive): not before `start` (else 422 `period_reversed`), at most "
        f"{MAX_PERIOD_DAYS} days from it (else 422 `period_too_long`)."
    )
    tz: Annotated[str, Field(max_length=64, pattern=TIME_ZONE_SHAPE)] | None = Field(
        default=None,
        description="IANA time zone the days are counted in; the workspace's if omitted. A name no zone has is "
        "refused with 422 `unknown_time_zone`.",
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
        if tz not in TIME_ZONE_NAMES:
            raise PydanticCustomError("unknown_time_zone", "There is no time zone of this name.")
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


Clock = Literal["all", "business"]


class FiguresQuery(ReportQuery):
    """A period's figures, their durations counted on the clock asked for."""

    hours: Clock = Field(
        default="all",
        description="`all`: durations count every second. `business`: only the seconds inside the business hours "
        "of each ticket's connection (a queue's own week where it has one; the same as `all` for a connection "
        "without business hours). The counts and ratings do not change.",
    )


class TicketReportQuery(ReportQuery):
    """The ticket report's filters: the period's, and the ticket list's (status, tag, rating, search)."""

    status: TicketStatus | None = None
    tag: OptionalId = Field(default=None, description="Only tickets with this tag (its id).")
    rating: Annotated[int | None, Field(ge=1, le=5, description="Only tickets the customer rated so.")] = None
    search: Annotated[str | None, Field(max_length=200)] = Field(
        default=None, description="Contact name, phone number, protocol or text of a message, as the ticket list."
    )


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
    today: date = Field(description="Today in the workspace's time zone: where the dashboard's periods end.")
    tz: str = Field(description="The workspace's time zone, in which the reports count days by default.")


class AgentNow(BaseModel):
    """An agent holding tickets open or at their desk right now."""

    user_id: int
    name: str
    open: int = Field(description="Tickets open and held by this agent now (within what the caller may see).")
    presence: Presence


class Now(WaitingNow):
    """The dashboard's live part: who waits, what each agent holds open and who is at their desk."""

    agents: list[AgentNow] = Field(
        description="Agents holding open tickets or online/away, by name; an agent gets only their own row."
    )


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


class GroupFigures(BaseModel):
    """Tickets of one queue or connection: created in the period (with their waits), closed in it."""

    created: int
    closed: int
    waiting: Spread
    first_response: Spread
    resolution: Spread


class QueueRow(GroupFigures):
    queue_id: int | None = Field(description="Null for tickets in no queue.")
    name: str | None
    time_in_queue: Spread = Field(
        description="How long the tickets closed in the period spent in this queue (each ticket's stints in it "
        "summed), whichever queue they are in now."
    )


class ConnectionRow(GroupFigures):
    connection_id: int
    name: str


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
    queue_seconds: int | None = Field(description="Time in its current queue, over the stints that ended.")
    business_waiting_seconds: int | None = Field(description="`waiting_seconds` inside business hours.")
    business_first_response_seconds: int | None = Field(description="`first_response_seconds` inside business hours.")
    business_resolution_seconds: int | None = Field(description="`resolution_seconds` inside business hours.")
    business_queue_seconds: int | None = Field(description="`queue_seconds` inside business hours.")


ExportFormat = Literal["json", "csv", "xlsx"]
Separator = Literal[",", ";"]
