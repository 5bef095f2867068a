"""How much of a span of time counts as business hours: across nights and weekends, dated exceptions, and the
daylight-saving changes of the workspace's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from zapdesk.hours.calendar import ALWAYS_OPEN, BusinessCalendar
from zapdesk.hours.schemas import DateException, WeeklyHours

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
EIGHT_TO_SIX = [{"start": "08:00", "end": "18:00"}]
WEEKDAYS = WeeklyHours.model_validate({day: EIGHT_TO_SIX for day in ("mon", "tue", "wed", "thu", "fri")})
OFFICE = BusinessCalendar(WEEKDAYS, [], SAO_PAULO)


def _at(local: str, zone: ZoneInfo = SAO_PAULO) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=zone)


def test_a_ticket_written_friday_evening_and_answered_monday_morning_waited_twenty_business_minutes() -> None:
    # Friday 2026-12-04 17:50 → Monday 2026-12-07 08:10: ten minutes before closing, ten after opening.
    assert OFFICE.seconds_open(_at("2026-12-04T17:50"), _at("2026-12-07T08:10")) == 20 * 60


def test_a_span_inside_opening_hours_counts_whole() -> None:
    assert OFFICE.seconds_open(_at("2026-12-07T09:00:00"), _at("2026-12-07T09:12:30")) == 750


def test_a_span_through_the_night_counts_nothing() -> None:
    assert OFFICE.seconds_open(_at("2026-12-07T18:00"), _at("2026-12-08T08:00")) == 0


def test_a_span_of_several_days_counts_each_days_opening_hours() -> None:
    # Monday 12:00 → Thursday 12:00: Monday afternoon 6 h, Tuesday and Wednesday 10 h, Thursday morning 4 h.
    assert OFFICE.seconds_open(_at("2026-12-07T12:00"), _at("2026-12-10T12:00")) == 30 * 3600


def test_instants_are_read_on_the_wall_clock_of_the_zone_whatever_zone_they_come_in() -> None:
    # 11:00 and 12:00 UTC are 08:00 and 09:00 in São Paulo.
    start = datetime.fromisoformat("2026-12-07T10:00:00+00:00")
    end = datetime.fromisoformat("2026-12-07T12:00:00+00:00")
    assert OFFICE.seconds_open(start, end) == 3600


def test_a_holiday_is_closed_all_day_and_a_short_day_counts_only_its_own_hours() -> None:
    holiday = DateException.model_validate({"date": "2026-12-08", "label": "Feriado"})
    short_day = DateException.model_validate({"date": "2026-12-09", "intervals": [{"start": "08:00", "end": "12:00"}]})
    calendar = BusinessCalendar(WEEKDAYS, [holiday, short_day], SAO_PAULO)
    # Monday 17:00 → Thursday 09:00: Monday 1 h, Tuesday closed, Wednesday 4 h, Thursday 1 h.
    assert calendar.seconds_open(_at("2026-12-07T17:00"), _at("2026-12-10T09:00")) == 6 * 3600


def test_an_exception_may_open_a_day_the_week_keeps_closed() -> None:
    saturday = DateException.model_validate({"date": "2026-12-05", "intervals": [{"start": "09:00", "end": "13:00"}]})
    calendar = BusinessCalendar(WEEKDAYS, [saturday], SAO_PAULO)
    assert calendar.seconds_open(_at("2026-12-04T18:00"), _at("2026-12-06T12:00")) == 4 * 3600


def test_split_shifts_leave_out_the_lunch_break() -> None:
    week = WeeklyHours.model_validate({"mon": [{"start": "13:00", "end": "18:00"}, {"start": "08:00", "end": "12:00"}]})
    calendar = BusinessCalendar(week, [], SAO_PAULO)
    assert calendar.seconds_open(_at("2026-12-07T11:30"), _at("2026-12-07T13:30")) == 3600


def test_a_day_open_until_midnight_counts_to_the_end_of_the_day() -> None:
    week = WeeklyHours.model_validate({"sat": [{"start": "22:00", "end": "24:00"}]})
    calendar = BusinessCalendar(week, [], SAO_PAULO)
    assert calendar.seconds_open(_at("2026-12-05T23:00"), _at("2026-12-06T10:00")) == 3600


def test_opening_hours_keep_their_wall_clock_across_a_daylight_saving_change() -> None:
    calendar = BusinessCalendar(WEEKDAYS, [], NEW_YORK)
    # Clocks spring forward on Sunday 2026-03-08: Monday still opens at 08:00 local, now 12:00 UTC, not 13:00.
    friday_close = _at("2026-03-06T17:00", NEW_YORK)
    monday_nine = _at("2026-03-09T09:00", NEW_YORK)
    assert calendar.seconds_open(friday_close, monday_nine) == 2 * 3600


def test_a_day_open_around_the_clock_is_shorter_when_the_clocks_spring_forward() -> None:
    around_the_clock = WeeklyHours.model_validate({"sun": [{"start": "00:00", "end": "24:00"}]})
    calendar = BusinessCalendar(around_the_clock, [], NEW_YORK)
    assert calendar.seconds_open(_at("2026-03-07T12:00", NEW_YORK), _at("2026-03-09T12:00", NEW_YORK)) == 23 * 3600
    assert calendar.seconds_open(_at("2026-10-31T12:00", NEW_YORK), _at("2026-11-02T12:00", NEW_YORK)) == 25 * 3600


def test_a_span_that_ends_before_it_starts_counts_nothing() -> None:
    assert OFFICE.seconds_open(_at("2026-12-07T10:00"), _at("2026-12-07T09:00")) == 0


def test_without_business_hours_every_second_counts() -> None:
    assert ALWAYS_OPEN.seconds_open(_at("2026-12-04T17:50"), _at("2026-12-07T08:10")) == 62 * 3600 + 20 * 60
