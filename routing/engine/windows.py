"""Caps over time: the windows a pool counts its assignments in, and the counters (tallies) a
pick must stay under.

Calendar windows (this hour, today, this week from Monday, this month) are read in the pool's
time zone from an injected `now`, never from the machine's clock; a rolling window is the last
hour, 24 hours, 7 or 30 days. A window is named by its start as a UTC instant, so the hour that
repeats when the clocks go back is two windows, not one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from routing.policy import MEMBER_SCOPE, Pool, WindowCap

ADJECTIVES = {"hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly"}
ROLLING_SPAN_S = {"hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0, "month": 30 * 86400.0}
_ROLLING_TEXT = {"hour": "hour", "day": "24 hours", "week": "7 days", "month": "30 days"}
_KEEP_S = 3600.0  # a counter outlives its window by this much (clock skew between workers)
_ANY_MEMBER = "*"  # the user part of a pool-wide counter's key


@dataclass(frozen=True, slots=True)
class Tally:
    """One counter a pick must stay under. Calendar: a count kept until `expires`; rolling
    (`since` set): the assignments made after `since`, each stamped `at`."""

    key: str
    limit: int
    at: float  # the routing time, epoch seconds
    expires: float  # when the counter may be forgotten, epoch seconds
    since: float | None = None
    label: str = ""  # "daily cap", "pool's rolling hourly cap"
    resets: str = ""  # "resets 00:00 Europe/Berlin", "rolling: the last hour"
    opens: float = 0.0  # when a full counter next has room, at the latest (epoch seconds)
    start: float = 0.0  # the window's start: assignments from then on count
    span: float = 0.0  # a rolling window's length in seconds

    def counts_at(self, when: float) -> bool:
        """Whether an assignment made at `when` counts toward this tally."""
        return (when > self.start if self.rolling else when >= self.start) and when <= self.at

    @property
    def rolling(self) -> bool:
        return self.since is not None

    def describe(self, count: int) -> str:
        return f"at {self.label} {count}/{self.limit} ({self.resets})"


@dataclass(frozen=True, slots=True)
class _Window:
    start: float
    end: float
    resets: str


Tallies = tuple[tuple[tuple[Tally, ...], ...], tuple[Tally, ...]]
_BUILT: dict[int, tuple[Pool, tuple[float, ...], Tallies, bool]] = {}


def tallies_for(pool: Pool, now: datetime) -> Tallies:
    """Each member's tallies (in member order) and the pool's own, as of `now`. A pool's
    calendar tallies are built once per window (the hot path); rolling ones each time, since
    they move with `now`."""
    at = now.timestamp()
    periods = _calendar_periods(pool)
    stamp = tuple(calendar_window(p, pool.time_zone, at).start for p in periods)
    built = _BUILT.get(id(pool))
    if built is None or built[0] is not pool or built[1] != stamp:
        tallies = build_tallies(pool, now)
        rolling = any(c.rolling for caps in (*pool.member_caps, pool.pool_caps) for c in caps)
        _BUILT[id(pool)] = (pool, stamp, tallies, rolling)
        return tallies
    if not built[3]:
        return built[2]
    members, shared = built[2]
    return tuple(_moved(ts, at) for ts in members), _moved(shared, at)


def _moved(tallies: tuple[Tally, ...], at: float) -> tuple[Tally, ...]:
    """The same tallies, the rolling ones moved to `at`."""
    return tuple(
        t
        if t.since is None
        else Tally(
            t.key,
            t.limit,
            at,
            at + t.span + _KEEP_S,
            at - t.span,
            t.label,
            t.resets,
            at + min(t.span / 60, 900.0),
            at - t.span,
            t.span,
        )  # fmt: skip
        for t in tallies
    )


def _calendar_periods(pool: Pool) -> tuple[str, ...]:
    caps = (*(c for caps in pool.member_caps for c in caps), *pool.pool_caps)
    return tuple(sorted({c.period for c in caps if not c.rolling}))


def build_tallies(pool: Pool, now: datetime) -> Tallies:
    at = now.timestamp()
    members = tuple(
        tuple(_tally(pool, cap, m.user_id, now, at) for cap in caps)
        for m, caps in zip(pool.members, pool.member_caps, strict=True)
    )
    shared = tuple(_tally(pool, cap, _ANY_MEMBER, now, at) for cap in pool.pool_caps)
    return members, shared


def full(tallies: Iterable[Tally], counts: Mapping[str, int]) -> Tally | None:
    """The first tally with no room left, or None."""
    for tally in tallies:
        if counts.get(tally.key, 0) >= tally.limit:
            return tally
    return None


def recount(
    pools: Iterable[Pool], picks: Iterable[tuple[str, str, datetime]], now: datetime
) -> list[tuple[Tally, list[float]]]:
    """Every counter of the pools' caps over time as of `now`, with the times of the recorded
    picks (pool, user, when) it counts: what a Redis that lost its data is rebuilt from."""
    by_pool: dict[str, list[tuple[str, float]]] = {}
    for pool_name, user_id, when in picks:
        by_pool.setdefault(pool_name, []).append((user_id, when.timestamp()))
    rebuilt: list[tuple[Tally, list[float]]] = []
    for pool in pools:
        if not pool.capped_over_time:
            continue
        taken = by_pool.get(pool.name, [])
        members, shared = build_tallies(pool, now)
        for member, tallies in zip(pool.members, members, strict=True):
            mine = [at for user_id, at in taken if user_id == member.user_id]
            rebuilt += [(t, sorted(at for at in mine if t.counts_at(at))) for t in tallies]
        everyone = [at for _, at in taken]
        rebuilt += [(t, sorted(at for at in everyone if t.counts_at(at))) for t in shared]
    return rebuilt


def _tally(pool: Pool, cap: WindowCap, user_id: str, now: datetime, at: float) -> Tally:
    whose = "" if cap.scope == MEMBER_SCOPE else "pool's "
    adjective = ADJECTIVES[cap.period]
    if cap.rolling:
        span = ROLLING_SPAN_S[cap.period]
        return Tally(
            f"{pool.name}|~{cap.period}|{user_id}",
            cap.limit,
            at,
            at + span + _KEEP_S,
            since=at - span,
            label=f"{whose}rolling {adjective} cap",
            resets=f"rolling: the last {_ROLLING_TEXT[cap.period]}",
            opens=at + min(span / 60, 900.0),  # checked again soon: the oldest may age out
            start=at - span,
            span=span,
        )
    window = calendar_window(cap.period, pool.time_zone, at)
    return Tally(
        f"{pool.name}|{cap.period}|{int(window.start)}|{user_id}",
        cap.limit,
        at,
        window.end + _KEEP_S,
        label=f"{whose}{adjective} cap",
        resets=window.resets,
        opens=window.end,
        start=window.start,
    )


def calendar_window(period: str, time_zone: str, at: float) -> _Window:
    """The calendar window holding the instant `at`, in `time_zone`."""
    cached = _last_window(period, time_zone)
    if cached is not None and cached.start <= at < cached.end:
        return cached
    window = _compute_window(period, ZoneInfo(time_zone), at)
    _remember(period, time_zone, window)
    return window


_WINDOWS: dict[tuple[str, str], _Window] = {}


def _last_window(period: str, time_zone: str) -> _Window | None:
    return _WINDOWS.get((period, time_zone))


def _remember(period: str, time_zone: str, window: _Window) -> None:
    _WINDOWS[(period, time_zone)] = window


def _compute_window(period: str, zone: ZoneInfo, at: float) -> _Window:
    local = datetime.fromtimestamp(at, UTC).astimezone(zone)
    if period == "hour":
        start = datetime.fromtimestamp(_hour_start(local), UTC)
        end = start + timedelta(hours=1)
        text = f"resets {end.astimezone(zone):%H:%M} {zone.key}"
        return _Window(start.timestamp(), end.timestamp(), text)
    first, after = _day_range(period, local.date())
    start_local = datetime.combine(first, time(0), zone)
    end_local = datetime.combine(after, time(0), zone)
    when = {"day": "00:00", "week": "Mon 00:00", "month": f"{after.day} {after:%b} 00:00"}
    return _Window(
        start_local.timestamp(), end_local.timestamp(), f"resets {when[period]} {zone.key}"
    )


def _hour_start(local: datetime) -> float:
    return local.replace(minute=0, second=0, microsecond=0).timestamp()


def _day_range(period: str, day: date) -> tuple[date, date]:
    if period == "day":
        return day, day + timedelta(days=1)
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=7)
    first = day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return first, after


@lru_cache(maxsize=64)
def valid_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True
