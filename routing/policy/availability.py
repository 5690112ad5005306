"""Availability as people live it: working hours in each rep's own time zone, out-of-office
ranges, holidays by region, a switch reps flip themselves. Pure: a rep's schedule is read from
their user record once, then asked about instants.

A schedule that cannot be read (a time zone, a shift or a date that is not one) makes the rep
unavailable with the reason, never always on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from routing.calendar import WEEKDAYS
from routing.model import FieldValue, Rep

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SEARCH_DAYS = 21  # the next shift start is looked for this far ahead
_OFF_VALUES = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True, slots=True)
class Shift:
    days: frozenset[int]  # 0 = Monday
    opens: time
    closes: time

    def describe(self) -> str:
        days = sorted(self.days)
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            span = f"{_DAY_NAMES[days[0]]}–{_DAY_NAMES[days[-1]]}"
        else:
            span = ",".join(_DAY_NAMES[d] for d in days)
        return f"{span} {self.opens:%H:%M}–{self.closes:%H:%M}"


@dataclass(frozen=True, slots=True)
class AvailabilityPolicy:
    """What the policy says about when reps take leads; empty: only inactive and away count."""

    on_field: str | None = None
    time_zone_field: str = "TimeZoneSidKey"
    default_time_zone: str | None = None
    shifts: tuple[Shift, ...] = ()  # everyone's, in their own time zone
    user_shifts: Mapping[str, tuple[Shift, ...]] = field(default_factory=dict)  # by user id
    shift_field: str | None = None  # a user field with the rep's own hours: "mon-fri 09:00-17:00"
    out_of_office: tuple[str, str] | None = None  # start and end fields
    holidays: Mapping[str, frozenset[date]] = field(default_factory=dict)  # by user id

    @property
    def timed(self) -> bool:
        """Whether availability depends on the time (schedules must be asked with an instant)."""
        return bool(
            self.shifts
            or self.user_shifts
            or self.shift_field
            or self.out_of_office
            or self.holidays
        )


@dataclass(frozen=True, slots=True)
class Status:
    why: str | None  # None: available
    until: float  # the answer holds until then (epoch seconds)
    back_at: float | None = None  # off shift, on holiday or out of office: available again then
    valid_from: float = float("-inf")  # and from then (a replay may go back in time)


@dataclass(frozen=True, slots=True)
class Schedule:
    """One rep's: where they are, when they work, when they are away."""

    zone: ZoneInfo | None
    shifts: tuple[Shift, ...]
    away: tuple[tuple[float, float], ...] = ()
    holidays: frozenset[date] = frozenset()
    switched_off: str | None = None
    problem: str | None = None

    def status(self, at: float) -> Status:
        if self.problem is not None:
            return Status(self.problem, float("inf"))
        if self.switched_off is not None:
            return Status(self.switched_off, float("inf"))
        if self.zone is None:  # nothing about time in the policy
            return Status(None, float("inf"))
        for start, end in self.away:
            if start <= at < end:
                back = self._next_open(end)
                return Status(f"out of office until {self._show(end)}", end, back)
        local = datetime.fromtimestamp(at, UTC).astimezone(self.zone)
        if local.date() in self.holidays:
            midnight = self._midnight_after(local.date())
            return Status(f"on holiday ({local.date().isoformat()})", midnight, self._next_open(at))
        if not self.shifts:
            return Status(None, min([self._midnight_after(local.date()), *self._starts(at)]))
        for shift in self.shifts:
            if local.weekday() in shift.days and shift.opens <= local.time() < shift.closes:
                closes = datetime.combine(local.date(), shift.closes, self.zone).timestamp()
                return Status(None, min([closes, *self._starts(at)]))
        back = self._next_open(at)
        hours = "; ".join(s.describe() for s in self.shifts)
        why = f"off shift ({hours} {self.zone.key})"
        return Status(why, back if back is not None else float("inf"), back)

    def available_seconds(self, start: float, end: float) -> float:
        """How long in [start, end) this rep was available (on shift, not away or on holiday),
        walked from one change of their status to the next."""
        total, at = 0.0, start
        while at < end:
            status = self.status(at)
            until = min(status.until, end)
            if until <= at:  # a status that does not move on: count to the end, as it says
                until = end
            if status.why is None:
                total += until - at
            at = until
        return total

    def _starts(self, at: float) -> list[float]:
        return [start for start, _ in self.away if start > at]

    def _midnight_after(self, day: date) -> float:
        assert self.zone is not None
        return datetime.combine(day + timedelta(days=1), time(0), self.zone).timestamp()

    def _next_open(self, after: float) -> float | None:
        """The first instant from `after` on when this rep is on shift and not away."""
        assert self.zone is not None
        local = datetime.fromtimestamp(after, UTC).astimezone(self.zone)
        shifts = self.shifts or (Shift(frozenset(range(7)), time(0), time(23, 59, 59)),)
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if day in self.holidays:
                continue
            for shift in sorted(shifts, key=lambda s: s.opens):
                if day.weekday() not in shift.days:
                    continue
                opens = datetime.combine(day, shift.opens, self.zone).timestamp()
                closes = datetime.combine(day, shift.closes, self.zone).timestamp()
                start = max(opens, after)
                if start < closes and not any(a <= start < b for a, b in self.away):
                    return start
        return None

    def _show(self, when: float) -> str:
        assert self.zone is not None
        local = datetime.fromtimestamp(when, UTC).astimezone(self.zone)
        return f"{local:%Y-%m-%d %H:%M} {self.zone.key}"


def schedule_of(rep: Rep, policy: AvailabilityPolicy) -> Schedule:
    """Read a rep's schedule from their user record; what cannot be read is the problem."""
    switched = _switched_off(rep.fields, policy.on_field)
    if not policy.timed:
        return Schedule(None, (), switched_off=switched)
    zone, problem = _zone(rep, policy)
    shifts: tuple[Shift, ...] = policy.user_shifts.get(rep.id, policy.shifts)
    if problem is None and policy.shift_field:
        text = rep.fields.get(policy.shift_field)
        if text not in (None, ""):
            try:
                shifts = parse_shifts(str(text))
            except ValueError as exc:
                problem = f"unavailable: {policy.shift_field} {show_value(text)} {exc}"
    away: tuple[tuple[float, float], ...] = ()
    if problem is None and policy.out_of_office and zone is not None:
        away, problem = _away(rep.fields, policy.out_of_office, zone)
    holidays = policy.holidays.get(rep.id, frozenset())
    return Schedule(zone, shifts, away, holidays, switched, problem)


def parse_shifts(text: str) -> tuple[Shift, ...]:
    """`mon-fri 09:00-17:00`, several separated by `;` (`mon-thu 08:00-16:00; fri 08:00-12:00`),
    or HubSpot users' `hs_working_hours`: `[{"days": "MONDAY_TO_FRIDAY", "startMinute": 540,
    "endMinute": 1020}]`."""
    if text.lstrip().startswith("["):
        return _hubspot_hours(text)
    shifts = []
    for part in text.split(";"):
        pieces = part.split()
        if len(pieces) != 2:
            raise ValueError("is not a shift: write e.g. 'mon-fri 09:00-17:00'")
        shifts.append(Shift(_days(pieces[0]), *_hours(pieces[1])))
    return tuple(shifts)


_HUBSPOT_DAYS = {
    **{name: frozenset({i}) for i, name in enumerate(
        ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"))},
    "MONDAY_TO_FRIDAY": frozenset(range(5)),
    "SATURDAY_SUNDAY": frozenset({5, 6}),
    "EVERY_DAY": frozenset(range(7)),
}  # fmt: skip
_HUBSPOT_FIX = 'write e.g. [{"days": "MONDAY_TO_FRIDAY", "startMinute": 540, "endMinute": 1020}]'


def _hubspot_hours(text: str) -> tuple[Shift, ...]:
    try:
        entries = json.loads(text)
    except ValueError:
        raise ValueError(f"is not HubSpot working hours (not JSON): {_HUBSPOT_FIX}") from None
    if not isinstance(entries, list):
        raise ValueError(f"is not HubSpot working hours (not a list): {_HUBSPOT_FIX}")
    return tuple(_hubspot_shift(entry) for entry in entries)


def _hubspot_shift(entry: object) -> Shift:
    if not isinstance(entry, dict):
        raise ValueError(f"has a working-hours entry that is not an object: {_HUBSPOT_FIX}")
    days = _HUBSPOT_DAYS.get(str(entry.get("days", "")).upper())
    start, end = entry.get("startMinute"), entry.get("endMinute")
    if days is None:
        raise ValueError(
            f"has working-hours days {entry.get('days')!r}: use MONDAY … SUNDAY, "
            "MONDAY_TO_FRIDAY, SATURDAY_SUNDAY or EVERY_DAY"
        )
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= 1440):
        raise ValueError(
            f"has working-hours minutes {start!r}-{end!r}: startMinute before endMinute, "
            "each 0 to 1440 minutes after midnight"
        )
    return Shift(days, _minute(start), _minute(end))


def _minute(minutes: int) -> time:
    return time.max if minutes == 1440 else time(minutes // 60, minutes % 60)


def show_value(value: FieldValue) -> str:
    return repr(value if not isinstance(value, datetime) else value.isoformat())


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for piece in text.casefold().split(","):
        first, _, last = piece.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"has days '{text}': use mon, tue, … sun, or a range like mon-fri")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if end < start:
            raise ValueError(f"has days '{text}' that run backwards")
        days.update(range(start, end + 1))
    return frozenset(days)


def _hours(text: str) -> tuple[time, time]:
    opens_text, _, closes_text = text.partition("-")
    try:
        opens, closes = time.fromisoformat(opens_text), time.fromisoformat(closes_text)
    except ValueError:
        raise ValueError(f"has hours '{text}': write HH:MM-HH:MM, e.g. 09:00-17:00") from None
    if closes <= opens:
        raise ValueError(f"has hours '{text}' that close before they open")
    return opens, closes


def _switched_off(fields: Mapping[str, FieldValue], name: str | None) -> str | None:
    if name is None:
        return None
    value = fields.get(name)
    if value is False or (isinstance(value, str) and value.strip().casefold() in _OFF_VALUES):
        return f"switched off ({name})"
    return None


def _zone(rep: Rep, policy: AvailabilityPolicy) -> tuple[ZoneInfo | None, str | None]:
    field_name = policy.time_zone_field
    value = rep.fields.get(field_name)
    if value in (None, ""):
        if policy.default_time_zone:
            return ZoneInfo(policy.default_time_zone), None
        return None, f"unavailable: no time zone in {field_name} (set it on the user)"
    try:
        return ZoneInfo(str(value).strip()), None
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None, f"unavailable: {field_name} {show_value(value)} is not a time zone"


def _away(
    fields: Mapping[str, FieldValue], names: tuple[str, str], zone: ZoneInfo
) -> tuple[tuple[tuple[float, float], ...], str | None]:
    start_name, end_name = names
    start_value, end_value = fields.get(start_name), fields.get(end_name)
    if start_value in (None, "") and end_value in (None, ""):
        return (), None
    try:
        start = _instant(start_value, zone, end=False) if start_value not in (None, "") else 0.0
        end = _instant(end_value, zone, end=True) if end_value not in (None, "") else float("inf")
    except ValueError:
        bad = start_name if not _readable(start_value, zone) else end_name
        value = fields.get(bad)
        return (), f"unavailable: {bad} {show_value(value)} is not a date"
    if end <= start:
        return (), f"unavailable: {end_name} is before {start_name} (fix the out-of-office range)"
    return ((start, end),), None


def _readable(value: FieldValue, zone: ZoneInfo) -> bool:
    try:
        _instant(value, zone, end=False)
    except ValueError:
        return value in (None, "")
    return True


def _instant(value: FieldValue, zone: ZoneInfo, *, end: bool) -> float:
    """A datetime is that instant; a date is its day in the rep's zone, an end date inclusive."""
    if isinstance(value, datetime):
        return value.timestamp()
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if len(text) == 10:
        day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
        return datetime.combine(day, time(0), zone).timestamp()
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).timestamp()
