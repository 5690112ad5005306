"""Caps over time: calendar and rolling windows in the pool's time zone, per member and per
pool, members' own caps, and what a pool does when caps leave nobody."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from routing.engine import MemoryState, choose
from routing.engine.windows import calendar_window, recount, tallies_for
from routing.policy import (
    AT_CAP_HOLD,
    AT_CAP_NEXT_RULE,
    POOL_SCOPE,
    Member,
    Pool,
    WindowCap,
)

BERLIN = "Europe/Berlin"
# Tuesday 3 November 2026, 22:30 UTC = 23:30 in Berlin (CET, UTC+1)
LATE_TUESDAY = datetime(2026, 11, 3, 22, 30, tzinfo=UTC)


def capped(*caps: WindowCap, members: tuple[Member, ...] | None = None, **kw: object) -> Pool:
    people = members or (Member("ana"), Member("ben"))
    return Pool("p", people, caps=caps, time_zone=BERLIN, **kw)  # type: ignore[arg-type]


def assign(pool: Pool, state: MemoryState, now: datetime) -> str | None:
    choice = choose(pool, state, lambda _u: None, now=now)
    if choice.pick is None:
        return None
    assert state.commit(choice.pick)
    return choice.pick.user_id


def test_a_daily_cap_skips_the_member_and_says_when_it_resets() -> None:
    pool, state = capped(WindowCap("day", 2)), MemoryState()
    picks = [assign(pool, state, LATE_TUESDAY) for _ in range(4)]
    assert picks == ["ana", "ben", "ana", "ben"]

    choice = choose(pool, state, lambda _u: None, now=LATE_TUESDAY)

    assert choice.pick is None
    assert choice.considered[0].skipped == "at daily cap 2/2 (resets 00:00 Europe/Berlin)"
    midnight_berlin = datetime(2026, 11, 3, 23, 0, tzinfo=UTC)
    assert choice.capped_until == midnight_berlin.timestamp()


def test_the_day_is_the_pools_day_not_utcs() -> None:
    pool, state = capped(WindowCap("day", 1), members=(Member("ana"),)), MemoryState()
    assert assign(pool, state, LATE_TUESDAY) == "ana"
    # 23:10 UTC is already Wednesday in Berlin: a new day, though still Tuesday in UTC
    assert assign(pool, state, datetime(2026, 11, 3, 23, 10, tzinfo=UTC)) == "ana"
    assert assign(pool, state, datetime(2026, 11, 3, 23, 20, tzinfo=UTC)) is None


def test_week_and_month_windows_in_the_pools_zone() -> None:
    at = LATE_TUESDAY.timestamp()
    week = calendar_window("week", BERLIN, at)
    month = calendar_window("month", BERLIN, at)
    assert datetime.fromtimestamp(week.start, UTC) == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    assert week.resets == "resets Mon 00:00 Europe/Berlin"
    assert datetime.fromtimestamp(month.end, UTC) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert month.resets == "resets 1 Dec 00:00 Europe/Berlin"


def test_an_hour_across_the_autumn_clock_change_is_two_windows() -> None:
    # 25 October 2026: Berlin's clocks go back at 03:00 CEST, so 02:30 happens twice
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    one = calendar_window("hour", BERLIN, first.timestamp())
    other = calendar_window("hour", BERLIN, second.timestamp())
    assert one.start != other.start and one.end - one.start == 3600 == other.end - other.start


def test_a_rolling_hour_frees_a_place_as_the_oldest_ages_out() -> None:
    pool, state = (
        capped(WindowCap("hour", 2, rolling=True), members=(Member("ana"),)),
        MemoryState(),
    )
    start = LATE_TUESDAY
    assert assign(pool, state, start) == "ana"
    assert assign(pool, state, start + timedelta(minutes=40)) == "ana"
    assert assign(pool, state, start + timedelta(minutes=59)) is None
    assert assign(pool, state, start + timedelta(minutes=61)) == "ana"  # the first aged out
    assert assign(pool, state, start + timedelta(minutes=62)) is None


def test_a_member_has_caps_of_their_own() -> None:
    ramping = Member("ana", caps=(WindowCap("day", 1),))
    pool, state = capped(WindowCap("day", 3), members=(ramping, Member("ben"))), MemoryState()
    picks = Counter(assign(pool, state, LATE_TUESDAY) for _ in range(6))
    assert picks == {"ana": 1, "ben": 3, None: 2}


def test_a_pool_cap_stops_the_whole_pool() -> None:
    pool, state = capped(WindowCap("hour", 3, scope=POOL_SCOPE)), MemoryState()
    assert [assign(pool, state, LATE_TUESDAY) for _ in range(3)] == ["ana", "ben", "ana"]

    choice = choose(pool, state, lambda _u: None, now=LATE_TUESDAY)

    assert choice.pick is None
    assert choice.why == "the pool is at pool's hourly cap 3/3 (resets 00:00 Europe/Berlin)"


def test_a_commit_refuses_a_pick_that_another_worker_filled_the_cap_for() -> None:
    pool, state = capped(WindowCap("day", 1), members=(Member("ana"),)), MemoryState()
    stale = choose(pool, state, lambda _u: None, now=LATE_TUESDAY).pick
    assert assign(pool, state, LATE_TUESDAY) == "ana"
    assert stale is not None and not state.commit(stale)


def test_caps_need_the_routing_time() -> None:
    with pytest.raises(ValueError, match="needs the time"):
        choose(capped(WindowCap("day", 1)), MemoryState(), lambda _u: None)


def test_at_cap_is_a_pool_setting() -> None:
    assert capped(WindowCap("day", 1), at_cap=AT_CAP_HOLD).at_cap == AT_CAP_HOLD
    assert capped(WindowCap("day", 1), at_cap=AT_CAP_NEXT_RULE).at_cap == AT_CAP_NEXT_RULE


def test_recount_rebuilds_the_counters_from_recorded_picks() -> None:
    pool = capped(WindowCap("day", 5), WindowCap("hour", 5, rolling=True))
    now = LATE_TUESDAY
    picks = [
        ("p", "ana", now - timedelta(minutes=10)),  # today, last hour
        ("p", "ana", now - timedelta(hours=3)),  # today, not in the last hour
        ("p", "ana", now - timedelta(days=1)),  # yesterday
        ("p", "ben", now - timedelta(minutes=5)),
        ("other", "ana", now),  # another pool's
    ]
    counts = {tally.key: len(times) for tally, times in recount([pool], picks, now)}
    members, _ = tallies_for(pool, now)
    ana_day, ana_hour = members[0]
    ben_day, ben_hour = members[1]
    assert counts[ana_day.key] == 2 and counts[ana_hour.key] == 1
    assert counts[ben_day.key] == 1 and counts[ben_hour.key] == 1
