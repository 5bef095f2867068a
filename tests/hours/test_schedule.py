"""Whether an instant falls within business hours: the weekday's intervals on the zone's wall clock, or a dated
exception's; and the shapes a schedule may not take."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from zapdesk.hours.schedule import is_open
from zapdesk.hours.schemas import DateException, WeeklyHours

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
WEEK = WeeklyHours.model_validate(
    {
        "mon": [{"start": "13:30", "end": "18:00"}, {"start": "08:00", "end": "12:00"}],
        "sat": [{"start": "09:00", "end": "24:00"}],
    }
)


def _at(local: str, zone: ZoneInfo = SAO_PAULO) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=zone)


@pytest.mark.parametrize(
    ("local", "open_"),
    [
        ("2026-12-07T07:59", False),
        ("2026-12-07T08:00", True),
        ("2026-12-07T11:59", True),
        ("2026-12-07T12:00", False),  # an interval's end is not inside it
        ("2026-12-07T13:30", True),
        ("2026-12-08T10:00", False),  # Tuesday has no intervals
        ("2026-12-12T23:59", True),  # "24:00" ends the day
    ],
)
def test_a_moment_is_open_inside_an_interval_of_its_weekday(local: str, open_: bool) -> None:
    assert is_open(WEEK, [], _at(local), SAO_PAULO) is open_


def test_an_instant_is_read_on_the_wall_clock_of_the_zone() -> None:
    utc = datetime.fromisoformat("2026-12-07T11:00:00+00:00")  # 08:00 in São Paulo, 03:00 in Honolulu

    assert is_open(WEEK, [], utc, SAO_PAULO) is True
    assert is_open(WEEK, [], utc, ZoneInfo("Pacific/Honolulu")) is False


def test_a_dated_exception_replaces_its_weekday() -> None:
    christmas = DateException.model_validate({"date": "2026-12-28", "label": "Recesso", "intervals": []})
    short_day = DateException.model_validate({"date": "2026-12-08", "intervals": [{"start": "09:00", "end": "10:00"}]})

    assert is_open(WEEK, [christmas, short_day], _at("2026-12-28T10:00"), SAO_PAULO) is False
    assert is_open(WEEK, [christmas, short_day], _at("2026-12-08T09:30"), SAO_PAULO) is True
    assert is_open(WEEK, [christmas, short_day], _at("2026-12-07T09:30"), SAO_PAULO) is True


@pytest.mark.parametrize(
    ("days", "error"),
    [
        ({"mon": [{"start": "12:00", "end": "08:00"}]}, "interval_ends_before_start"),
        ({"mon": [{"start": "08:00", "end": "08:00"}]}, "interval_ends_before_start"),
        ({"tue": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "14:00"}]}, "intervals_overlap"),
        ({"wed": [{"start": "8:00", "end": "12:00"}]}, "string_pattern_mismatch"),
        ({"thu": [{"start": "08:00", "end": "24:01"}]}, "string_pattern_mismatch"),
    ],
)
def test_intervals_that_end_before_they_start_or_overlap_are_refused(days: dict[str, object], error: str) -> None:
    with pytest.raises(ValidationError) as raised:
        WeeklyHours.model_validate(days)

    assert [item["type"] for item in raised.value.errors()] == [error]
