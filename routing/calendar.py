"""Business calendars: when a region works, and deadlines counted in its working time.

Arithmetic happens in UTC on instants, never on wall-clock times: two aware datetimes that
share a `ZoneInfo` subtract as wall clocks in Python, which is an hour off across a DST change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY_TO_FRIDAY = frozenset(range(5))
_SEARCH_DAYS = 3 * 366  # a calendar with no working day in three years is a mistake


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    name: str
    time_zone: str
    days: frozenset[int] = MONDAY_TO_FRIDAY  # 0 = Monday
    opens: time = time(9)
    closes: time = time(17)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # fails early on an unknown zone
        if not self.days:
            raise ValueError(f"calendar '{self.name}' has no working day")
        if self.closes <= self.opens:
            raise ValueError(f"calendar '{self.name}': closing time must be after opening time")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def day_minutes(self) -> int:
        opens = self.opens.hour * 60 + self.opens.minute
        return self.closes.hour * 60 + self.closes.minute - opens

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def working_hours(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working periods (UTC instants) that end after `start`, in order."""
        day = _aware(start).astimezone(self.zone).date()
        for offset in range(_SEARCH_DAYS):
            current = day + timedelta(days=offset)
            if not self.is_working_day(current):
                continue
            opens = datetime.combine(current, self.opens, self.zone).astimezone(UTC)
            closes = datetime.combine(current, self.closes, self.zone).astimezone(UTC)
            if closes > start:
                yield opens, closes
        raise ValueError(
            f"calendar '{self.name}' has no working day within {_SEARCH_DAYS} days of {start}"
        )

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant `duration` of working time after `start` (UTC)."""
        start = _aware(start).astimezone(UTC)
        remaining = duration
        for opens, closes in self.working_hours(start):
            begin = max(start, opens)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("working_hours never ends without raising")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from `start` to `end` (zero when end is not after start)."""
        start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
        total = timedelta()
        if end <= start:
            return total
        for opens, closes in self.working_hours(start):
            if opens >= end:
                break
            total += min(closes, end) - max(opens, start)
        return total


@dataclass(frozen=True, slots=True)
class Deadline:
    """A response time: plain minutes, or working time in a calendar."""

    minutes: float | None = None
    business_hours: float | None = None

    def __post_init__(self) -> None:
        if (self.minutes is None) == (self.business_hours is None):
            raise ValueError("a deadline is either minutes or business_hours")

    @property
    def in_business_hours(self) -> bool:
        return self.business_hours is not None

    def describe(self) -> str:
        if self.minutes is not None:
            return f"{_number(self.minutes)} minutes"
        return f"{_number(self.business_hours or 0)} business hours"


def deadline(start: datetime, due: Deadline, calendar: BusinessCalendar | None) -> datetime:
    """When a clock started at `start` runs out. Business hours need a calendar."""
    start = _aware(start).astimezone(UTC)
    if due.minutes is not None:
        return start + timedelta(minutes=due.minutes)
    if calendar is None:
        raise ValueError("a deadline in business hours needs a business calendar")
    return calendar.add_working_time(start, timedelta(hours=due.business_hours or 0))


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{when!r} has no time zone; pass an aware datetime (UTC)")
    return when


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
