"""The JSON shapes of business hours, shared by connections (the schedule) and queues (an override).

Times are "HH:MM" on the workspace's clock (the `timezone` setting); an interval may end at "24:00". Whatever
does not make sense as a schedule is refused with a field error the UI words: an interval that ends before it
starts (`interval_ends_before_start`), two intervals of one day that overlap (`intervals_overlap`), one date
listed twice among the exceptions (`exception_date_repeated`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from zapdesk.templates.engine import TemplateText

# "08:00" … "23:59", and "24:00" for the end of the day.
ClockTime = Annotated[str, StringConstraints(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
MINUTES_PER_DAY = 24 * 60


def minutes(clock_time: str) -> int:
    hours, mins = clock_time.split(":")
    return int(hours) * 60 + int(mins)


class Interval(BaseModel):
    """Open from `start` (inclusive) to `end` (exclusive), which comes after it (else 422
    `interval_ends_before_start`)."""

    model_config = ConfigDict(extra="forbid")

    start: ClockTime = Field(examples=["08:00"])
    end: ClockTime = Field(examples=["12:00"])

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if minutes(self.end) <= minutes(self.start):
            raise PydanticCustomError(
                "interval_ends_before_start",
                "the interval ends ({end}) before it starts ({start})",
                {"start": self.start, "end": self.end},
            )
        return self

    def span(self) -> tuple[int, int]:
        """Minutes since midnight: [start, end)."""
        return minutes(self.start), minutes(self.end)


def _no_overlap(intervals: list[Interval]) -> list[Interval]:
    ordered = sorted(intervals, key=Interval.span)
    for before, after in itertools.pairwise(ordered):
        if after.span()[0] < before.span()[1]:
            raise PydanticCustomError(
                "intervals_overlap",
                "{first} and {second} overlap",
                {"first": f"{before.start}-{before.end}", "second": f"{after.start}-{after.end}"},
            )
    return ordered


DayIntervals = Annotated[list[Interval], Field(max_length=8), AfterValidator(_no_overlap)]


class WeeklyHours(BaseModel):
    """The intervals each weekday is open (none: closed all day), in order, never overlapping (else 422
    `intervals_overlap`)."""

    model_config = ConfigDict(extra="forbid")

    mon: DayIntervals = Field(default_factory=list)
    tue: DayIntervals = Field(default_factory=list)
    wed: DayIntervals = Field(default_factory=list)
    thu: DayIntervals = Field(default_factory=list)
    fri: DayIntervals = Field(default_factory=list)
    sat: DayIntervals = Field(default_factory=list)
    sun: DayIntervals = Field(default_factory=list)

    def on(self, weekday: int) -> list[Interval]:
        """The intervals of `weekday` (0 is Monday, as `date.weekday()` counts)."""
        intervals: list[Interval] = getattr(self, WEEKDAYS[weekday])
        return intervals


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DateException(BaseModel):
    """A holiday or special day: these intervals (none: closed) instead of the weekday's."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""
    intervals: DayIntervals = Field(default_factory=list)


def _one_per_date(exceptions: list[DateException]) -> list[DateException]:
    seen: set[dt.date] = set()
    for exception in exceptions:
        if exception.date in seen:
            raise PydanticCustomError(
                "exception_date_repeated", "{date} is listed twice", {"date": exception.date.isoformat()}
            )
        seen.add(exception.date)
    return sorted(exceptions, key=lambda exception: exception.date)


Exceptions = Annotated[
    list[DateException],
    Field(max_length=366, description="At most one per date (else 422 `exception_date_repeated`)."),
    AfterValidator(_one_per_date),
]
OutOfHoursText = Annotated[TemplateText, StringConstraints(strip_whitespace=True, max_length=4096)]


class QueueHours(BaseModel):
    """A queue's own week and out-of-hours message, instead of its connection's (holidays stay the connection's)."""

    model_config = ConfigDict(extra="forbid")

    days: WeeklyHours = Field(default_factory=WeeklyHours)
    message: OutOfHoursText | None = None
