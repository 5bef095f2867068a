"""How much of a span of time falls inside business hours: the one place that intersects a span with a calendar.

A span (two aware instants) is cut into the local days of the workspace's zone it touches; each day opens at
its dated exception's intervals if it has one, else at its weekday's, read on the wall clock ("08:00" is eight
in the morning on either side of a daylight-saving change, so a day of 00:00-24:00 may hold 23 or 25 hours).
The business-hours metrics (`tickets.metrics`) count their durations with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from zapdesk.hours.schedule import intervals_on
from zapdesk.hours.schemas import DateException, WeeklyHours


class OpeningHours(Protocol):
    """Counts the seconds of a span that the business is open."""

    def seconds_open(self, start: datetime, end: datetime) -> int: ...


def elapsed_seconds(start: datetime, end: datetime) -> int:
    """Whole seconds from `start` to `end` (none when `end` is not after it)."""
    return max(0, round((end - start).total_seconds()))


class AlwaysOpen:
    """No business hours: every second counts, so a business-hours figure is the plain one."""

    def seconds_open(self, start: datetime, end: datetime) -> int:
        return elapsed_seconds(start, end)


ALWAYS_OPEN = AlwaysOpen()


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """A weekly schedule with dated exceptions, on the wall clock of `zone`."""

    days: WeeklyHours
    exceptions: Sequence[DateException]
    zone: ZoneInfo

    def seconds_open(self, start: datetime, end: datetime) -> int:
        """Whole seconds of [`start`, `end`) inside an opening interval."""
        if end <= start:
            return 0
        total = 0.0
        day, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        while day <= last:
            for opens, closes in self._opening_instants(day):
                total += max(0.0, (min(end, closes) - max(start, opens)).total_seconds())
            day += timedelta(days=1)
        return round(total)

    def _opening_instants(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening intervals as instants (UTC)."""
        noon = datetime.combine(day, time(12), self.zone)
        return [
            (self._instant(day, interval.span()[0]), self._instant(day, interval.span()[1]))
            for interval in intervals_on(self.days, self.exceptions, noon)
        ]

    def _instant(self, day: date, minute: int) -> datetime:
        """`minute` minutes after midnight of `day` on the wall clock ("24:00" is the next day's midnight). A wall
        time that a daylight-saving change skips reads with the offset before the change, as `zoneinfo` does."""
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        return wall.replace(tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ConnectionHours:
    """The calendar a connection's tickets count by: its own, or a queue's own week with the connection's
    holidays (as the out-of-hours reply reads them). No calendar: the connection has no business hours."""

    calendar: BusinessCalendar | None
    queue_weeks: Mapping[int, WeeklyHours]

    def of(self, queue_id: int | None) -> OpeningHours:
        """The opening hours of a ticket in `queue_id` (None: in no queue)."""
        if self.calendar is None:
            return ALWAYS_OPEN
        week = self.queue_weeks.get(queue_id) if queue_id is not None else None
        return self.calendar if week is None else replace(self.calendar, days=week)


NO_HOURS = ConnectionHours(None, {})
