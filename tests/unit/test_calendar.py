from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from routing.calendar import BusinessCalendar, Deadline, deadline

NEW_YORK = BusinessCalendar("NA East", "America/New_York")
TOKYO = BusinessCalendar("APAC", "Asia/Tokyo")
EIGHT_HOURS = Deadline(business_hours=8)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_minutes_are_wall_time_whatever_the_calendar() -> None:
    start = utc(2026, 11, 28, 3, 0)  # a Saturday night
    assert deadline(start, Deadline(minutes=5), NEW_YORK) == start + timedelta(minutes=5)
    assert deadline(start, Deadline(minutes=5), None) == start + timedelta(minutes=5)


def test_within_one_working_day() -> None:
    start = utc(2026, 11, 24, 15, 0)  # Tuesday 10:00 in New York (EST, UTC-5)
    assert deadline(start, Deadline(business_hours=2), NEW_YORK) == utc(2026, 11, 24, 17, 0)


def test_friday_afternoon_runs_over_the_weekend_to_monday() -> None:
    start = utc(2026, 11, 27, 21, 30)  # Friday 16:30 in New York
    assert deadline(start, EIGHT_HOURS, NEW_YORK) == utc(2026, 11, 30, 21, 30)  # Monday 16:30


def test_a_lead_on_saturday_starts_counting_on_monday_morning() -> None:
    start = utc(2026, 11, 28, 15, 0)
    assert deadline(start, EIGHT_HOURS, NEW_YORK) == utc(2026, 11, 30, 22, 0)  # Monday 17:00


def test_before_opening_counts_from_opening() -> None:
    start = utc(2026, 11, 24, 11, 0)  # 06:00 in New York
    assert deadline(start, Deadline(business_hours=1), NEW_YORK) == utc(2026, 11, 24, 15, 0)


def test_a_time_zone_boundary_friday_evening_utc_is_saturday_in_tokyo() -> None:
    start = utc(2026, 11, 27, 21, 30)  # Friday 16:30 in New York, Saturday 06:30 in Tokyo
    # the Tokyo rep's day starts Monday 09:00 JST = Monday 00:00 UTC; 8 hours → 08:00 UTC
    assert deadline(start, EIGHT_HOURS, TOKYO) == utc(2026, 11, 30, 8, 0)
    # the same instant is still Friday afternoon in New York: 30 minutes left that day
    assert deadline(start, EIGHT_HOURS, NEW_YORK) == utc(2026, 11, 30, 21, 30)


def test_a_holiday_is_skipped() -> None:
    with_thanksgiving = BusinessCalendar(
        "NA East", "America/New_York", holidays=frozenset({date(2026, 11, 26)})
    )
    start = utc(2026, 11, 25, 21, 0)  # Wednesday 16:00
    # 1 hour Wednesday, Thursday is a holiday, 7 hours Friday → Friday 16:00
    assert deadline(start, EIGHT_HOURS, with_thanksgiving) == utc(2026, 11, 27, 21, 0)
    assert deadline(start, EIGHT_HOURS, NEW_YORK) == utc(2026, 11, 26, 21, 0)


def test_daylight_saving_ends_over_the_weekend() -> None:
    # Friday 2026-10-30 16:00 EDT (UTC-4); clocks go back on Sunday 2026-11-01
    start = utc(2026, 10, 30, 20, 0)
    # 1 hour Friday, 7 hours Monday from 09:00 EST (14:00 UTC) → Monday 16:00 EST = 21:00 UTC
    assert deadline(start, EIGHT_HOURS, NEW_YORK) == utc(2026, 11, 2, 21, 0)


def test_daylight_saving_starts_in_europe() -> None:
    london = BusinessCalendar("EMEA", "Europe/London", days=frozenset(range(7)))
    start = utc(2026, 3, 28, 16, 0)  # Saturday 16:00 GMT; BST from Sunday 01:00
    # 1 hour Saturday, then Sunday 09:00 BST = 08:00 UTC, 7 hours → 15:00 UTC
    assert deadline(start, EIGHT_HOURS, london) == utc(2026, 3, 29, 15, 0)


def test_working_time_between_skips_nights_and_weekends() -> None:
    elapsed = NEW_YORK.working_time_between(utc(2026, 11, 27, 21, 0), utc(2026, 11, 30, 15, 0))
    assert elapsed == timedelta(hours=2)  # Friday 16–17, Monday 09–10


def test_a_calendar_that_never_works_is_refused() -> None:
    with pytest.raises(ValueError, match="no working day"):
        BusinessCalendar("never", "UTC", days=frozenset())
    with pytest.raises(ValueError, match="closing time"):
        BusinessCalendar("backwards", "UTC", opens=time(17), closes=time(9))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        deadline(datetime(2026, 11, 24, 9), EIGHT_HOURS, NEW_YORK)


def test_business_hours_without_a_calendar_is_an_error() -> None:
    with pytest.raises(ValueError, match="calendar"):
        deadline(utc(2026, 11, 24, 9), EIGHT_HOURS, None)
