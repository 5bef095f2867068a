"""Whether a moment falls within business hours: a pure function of the schedule, the zone and the instant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from zapdesk.hours.schemas import DateException, Interval, WeeklyHours


def intervals_on(days: WeeklyHours, exceptions: Sequence[DateException], local: datetime) -> list[Interval]:
    """The opening intervals of the local day of `local`: its exception's if it has one, else its weekday's."""
    day = local.date()
    for exception in exceptions:
        if exception.date == day:
            return exception.intervals
    return days.on(day.weekday())


def is_open(days: WeeklyHours, exceptions: Sequence[DateException], moment: datetime, zone: ZoneInfo) -> bool:
    """Whether the aware instant `moment` is inside an opening interval, read on the wall clock of `zone`.

    The wall clock is what a schedule means: "08:00" is eight in the morning in São Paulo before and after a
    daylight-saving change, whatever the UTC offset is that day.
    """
    local = moment.astimezone(zone)
    minute = local.hour * 60 + local.minute
    spans = (interval.span() for interval in intervals_on(days, exceptions, local))
    return any(start <= minute < end for start, end in spans)
