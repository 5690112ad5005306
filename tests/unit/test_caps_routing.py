"""Caps over time through a compiled policy: what a pool does at cap (overflow, next rule,
hold), members' own caps, the reason a person reads, and the problems a bad cap is refused
with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.errors import PolicyError
from config.policy import compile_policy
from config.schema import PolicyFile
from routing.engine import MemoryState, Router
from routing.model import CrmSnapshot, Decision, Lead, Queue, Rep
from routing.world import World

SNAPSHOT = CrmSnapshot(
    users={
        "U1": Rep("U1", "Ana", "ana@x.example"),
        "U2": Rep("U2", "Ben", "ben@x.example"),
        "U8": Rep("U8", "Olga", "olga@x.example"),
        "U9": Rep("U9", "Fallback", "fb@x.example"),
    },
    queues={"Q1": Queue("Q1", "Inbound")},
)
MONDAY_NOON_BERLIN = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)


def router(pool: dict[str, Any], *more_rules: dict[str, Any]) -> Router:
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"user": "fb@x.example"},
            "pools": [{"name": "sdr", "members": ["ana@x.example", "ben@x.example"], **pool}],
            "rules": [{"name": "sdr", "assign": {"pool": "sdr"}}, *more_rules],
        }
    )
    policy = compile_policy(spec, SNAPSHOT)
    return Router(policy, World(SNAPSHOT), MemoryState())


def lead(n: int, at: datetime = MONDAY_NOON_BERLIN) -> Lead:
    return Lead(f"L{n}", owner_id="Q1", created_date=at + timedelta(seconds=n))


def route(r: Router, count: int, at: datetime = MONDAY_NOON_BERLIN) -> list[Decision]:
    return [r.route(lead(n, at)) for n in range(count)]


DAILY_2 = {"caps": [{"per": "day", "max": 2}], "time_zone": "Europe/Berlin"}


def test_at_cap_the_pool_overflows_and_the_reason_says_who_is_at_which_cap() -> None:
    r = router({**DAILY_2, "overflow": {"user": "olga@x.example"}})

    decisions = route(r, 5)

    assert [d.owner_id for d in decisions] == ["U1", "U2", "U1", "U2", "U8"]
    assert "Ana at daily cap 2/2 (resets 00:00 Europe/Berlin)" in decisions[4].reason
    considered = decisions[4].trace["rules"][0]["pool"]["considered"]  # the pool overflowed from
    assert considered[1]["skipped"] == "at daily cap 2/2 (resets 00:00 Europe/Berlin)"


def test_the_next_day_in_the_pools_zone_opens_the_caps_again() -> None:
    r = router(DAILY_2)
    route(r, 4)
    tuesday_berlin = datetime(2026, 11, 2, 23, 0, 1, tzinfo=UTC)  # 00:00:01 on Tuesday in Berlin
    assert r.route(lead(9, MONDAY_NOON_BERLIN)).rule == "fallback"
    assert r.route(lead(10, tuesday_berlin)).owner_id == "U1"


def test_at_cap_next_rule_skips_the_overflow() -> None:
    r = router(
        {**DAILY_2, "at_cap": "next_rule", "overflow": {"user": "olga@x.example"}},
        {"name": "to-ben", "assign": {"user": "ben@x.example"}},
    )
    assert [d.rule for d in route(r, 5)][-1] == "to-ben"


def test_at_cap_hold_waits_until_a_cap_reopens_and_assigns_nobody() -> None:
    r = router({**DAILY_2, "at_cap": "hold", "overflow": {"user": "olga@x.example"}})

    waiting = route(r, 5)[-1]

    assert waiting.owner_id == "Q1" and waiting.rule == "sdr"  # stays where it was
    assert waiting.trace["waiting"]["until"] == "2026-11-02T23:00:00+00:00"  # Berlin midnight
    assert waiting.trace["waiting"]["pool"] == "sdr"
    assert "waits until 2026-11-02T23:00:00+00:00" in waiting.reason


def test_a_member_with_caps_of_their_own() -> None:
    members = [{"user": "ana@x.example", "caps": {"day": 1}}, "ben@x.example"]
    r = router({**DAILY_2, "members": members})
    assert [d.owner_id for d in route(r, 4)] == ["U1", "U2", "U2", "U9"]


def test_the_worker_clock_decides_the_window_not_the_records_age() -> None:
    spec_router = router(DAILY_2)
    spec_router.clock = lambda _lead: MONDAY_NOON_BERLIN + timedelta(days=1)
    old = lead(1, MONDAY_NOON_BERLIN - timedelta(days=30))
    decided = spec_router.route(old)
    assert decided.trace["rules"][0]["pool"]["counted_at"] == "2026-11-03T11:00:00+00:00"


@pytest.mark.parametrize(
    ("pool", "path", "words"),
    [
        (
            {"time_zone": "Mars/Olympus", "caps": [{"per": "day", "max": 1}]},
            "time_zone",
            "unknown time zone",
        ),
        ({"at_cap": "hold"}, "at_cap", "no caps over time"),
        (
            {"caps": [{"per": "day", "max": 1}, {"per": "day", "max": 2}]},
            "caps[1]",
            "a second day cap",
        ),
    ],
)
def test_a_bad_cap_is_a_policy_problem_with_its_path(
    pool: dict[str, Any], path: str, words: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        router(pool)
    found = [(p.path, p.problem) for p in caught.value.problems]
    assert any(where == f"pools[0].{path}" and words in what for where, what in found), found
