"""Caps over time: the windows a pool counts its assignments in, and the counters (tallies) a
pick must stay under.

Calendar windows (this hour, today, this week from Monday, this month) are read in the pool's
time zone from an injected `now`, never from the machine's clock; a rolling window is the last
hour, 24 hours, 7 or 30 days. A window is named by its start as a UTC instant, so the hour that
repeats when the clocks go back is two windows, not one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple, overload
from zoneinfo import ZoneInfo

from routing.policy import MEMBER_SCOPE, Pool, WindowCap

ADJECTIVES = {"hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly"}
ROLLING_SPAN_S = {"hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0, "month": 30 * 86400.0}
_ROLLING_TEXT = {"hour": "hour", "day": "24 hours", "week": "7 days", "month": "30 days"}
_KEEP_S = 3600.0  # a counter outlives its window by this much (clock skew between workers)
_ANY_MEMBER = "*"  # the user part of a pool-wide counter's key


class Tally(NamedTuple):
    """One counter a pick must stay under. Calendar: a count kept until `expires`; rolling
    (`since` set): the assignments made after `since`, each stamped `at`. A named tuple, not a
    frozen dataclass: a rolling tally is built afresh for every pick (it moves with the time),
    and a tuple is built four times faster."""

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
        return _describe(self.label, count, self.limit, self.resets)


@lru_cache(maxsize=4096)
def _describe(label: str, count: int, limit: int, resets: str) -> str:
    """A member at cap is described at every pick that passes them over: the same words."""
    return f"at {label} {count}/{limit} ({resets})"


@dataclass(frozen=True, slots=True)
class _Window:
    start: float
    end: float
    resets: str


Tallies = tuple[tuple[tuple[Tally, ...], ...], tuple[Tally, ...]]


class MovingTallies(Sequence[Tally]):
    """A pool's tallies with the rolling ones moved to `at`, each built when asked for."""

    __slots__ = ("base", "at", "where")

    def __init__(self, base: tuple[Tally, ...], at: float, where: Mapping[str, int]) -> None:
        self.base, self.at, self.where = base, at, where

    def __len__(self) -> int:
        return len(self.base)

    @overload
    def __getitem__(self, index: int) -> Tally: ...

    @overload
    def __getitem__(self, index: slice) -> list[Tally]: ...

    def __getitem__(self, index: int | slice) -> Tally | list[Tally]:
        if isinstance(index, slice):
            return [_moved(t, self.at) for t in self.base[index]]
        return _moved(self.base[index], self.at)


@dataclass(frozen=True, slots=True)
class PoolTallies:
    """A pool's tallies as of one instant. A member is checked against its tallies as built
    (key, limit and words do not move), and only the pick's are moved to the instant: a pick
    looks at the members up to the first who can take the lead, not at all of them."""

    members: tuple[tuple[Tally, ...], ...]  # as built, in member order
    shared: tuple[Tally, ...]  # the pool's own, moved
    every: Sequence[Tally]  # all, moved, members' first: what a read of the state counts
    at: float
    rolling: bool

    def moved(self, tallies: tuple[Tally, ...]) -> tuple[Tally, ...]:
        return tuple(_moved(t, self.at) for t in tallies) if self.rolling else tallies

    def opens(self, tally: Tally) -> float:
        """When a full tally next has room (`_moved(tally, self.at).opens`, without the tally)."""
        return tally.opens if tally.since is None else self.at + min(tally.span / 60, 900.0)


@dataclass(frozen=True, slots=True)
class _Built:
    """A pool's tallies as of one set of calendar windows, valid while `at` stays in them."""

    pool: Pool
    valid_from: float  # the latest start of the calendar windows
    valid_until: float  # the earliest end
    tallies: PoolTallies
    where: Mapping[str, int]  # a tally's key → its position in `tallies.every`


_BUILT: dict[int, _Built] = {}


def tallies_for(pool: Pool, now: datetime) -> Tallies:
    """Each member's tallies (in member order) and the pool's own, as of `now`."""
    built = timed_tallies(pool, now)
    return tuple(built.moved(ts) for ts in built.members), built.shared


def timed_tallies(pool: Pool, now: datetime) -> PoolTallies:
    """A pool's calendar tallies are built once per window (the hot path); rolling ones move
    with `now`."""
    at = now.timestamp()
    built = _BUILT.get(id(pool))
    if built is None or built.pool is not pool or not built.valid_from <= at < built.valid_until:
        built = _build(pool, now)
    elif built.tallies.rolling:
        base = built.tallies
        shared = tuple(_moved(t, at) for t in base.shared)
        every = MovingTallies(tuple(base.every), at, built.where)
        return PoolTallies(base.members, shared, every, at, True)
    return built.tallies


def _build(pool: Pool, now: datetime) -> _Built:
    at = now.timestamp()
    windows = [calendar_window(p, pool.time_zone, at) for p in _calendar_periods(pool)]
    rolling = any(c.rolling for caps in (*pool.member_caps, pool.pool_caps) for c in caps)
    members, shared = build_tallies(pool, now)
    every = (*(t for ts in members for t in ts), *shared)
    built = _Built(
        pool,
        max((w.start for w in windows), default=float("-inf")),
        min((w.end for w in windows), default=float("inf")),
        PoolTallies(members, shared, every, at, rolling),
        {t.key: i for i, t in enumerate(every)},
    )
    _BUILT[id(pool)] = built
    return built


_new_tally = tuple.__new__


def _moved(t: Tally, at: float) -> Tally:
    """The tally moved to `at`, if it is a rolling one (built as a bare tuple: this runs at
    every pick)."""
    if t.since is None:
        return t
    span = t.span
    since = at - span
    fields = (t.key, t.limit, at, at + span + _KEEP_S, since, t.label, t.resets,
              at + min(span / 60, 900.0), since, span)  # fmt: skip
    return _new_tally(Tally, fields)


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
    """The first tally with no room left, or None. `counts` has every tally's key (a read
    of the state counts them all)."""
    for tally in tallies:
        if counts[tally.key] >= tally.limit:
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
