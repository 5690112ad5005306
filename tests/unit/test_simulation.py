"""Simulation on a small hand-built CRM: the window, the seed loads, the diff, the figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.model import CrmSnapshot, Lead, Queue, Rep
from routing.policy import RoutingPolicy
from routing.replay.simulation import (
    AS_OWNED,
    PolicySide,
    gini,
    max_min_ratio,
    simulate,
    split_window,
)

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
USERS = {
    "U1": Rep("U1", "Ann", "ann@x.example"),
    "U2": Rep("U2", "Bob", "bob@x.example"),
    "U3": Rep("U3", "Cy", "cy@x.example"),
    "U9": Rep("U9", "Fallback", "fb@x.example"),
}
QUEUES = {"Q1": Queue("Q1", "Inbound")}


def lead(lead_id: str, day: int, month: int = 10, owner: str = "Q1", **fields: Any) -> Lead:
    return Lead(
        lead_id,
        owner_id=owner,
        created_date=datetime(2026, month, day, tzinfo=UTC),
        fields={"Status": "Open", "Region__c": "West", **fields},
    )


def policy(snapshot: CrmSnapshot, west: list[str], cap: int | None = None) -> RoutingPolicy:
    pool: dict[str, Any] = {"name": "west", "members": west}
    if cap is not None:
        pool["cap"] = cap
    spec = {
        "name": "t",
        "routable": {"owners": [{"queue": "Inbound"}]},
        "fallback": {"user": "fb@x.example"},
        "pools": [pool],
        "rules": [
            {
                "name": "west",
                "when": {"fact": "lead.Region__c", "equals": "West"},
                "assign": {"pool": "west"},
            },
        ],
    }
    return compile_policy(PolicyFile.model_validate(spec), snapshot)


def snapshot(*leads: Lead) -> CrmSnapshot:
    return CrmSnapshot(USERS, QUEUES, leads=leads)


def test_window_start_is_inclusive_and_end_exclusive() -> None:
    leads = [lead("A", 30, 9), lead("B", 1), lead("C", 1, 11)]
    inside, before = split_window(leads, START, END)
    assert [x.id for x in inside] == ["B"]
    assert [x.id for x in before] == ["A"]


def test_a_new_member_splits_the_pool_and_the_diff_says_which_leads_move() -> None:
    crm = snapshot(*(lead(f"L{n}", n + 1, owner="U1") for n in range(4)))
    current = PolicySide("current", policy(crm, ["ann@x.example"]), None)
    candidate = PolicySide("new", policy(crm, ["ann@x.example", "bob@x.example"]), None)
    report = simulate(crm, candidate, current, START, END)
    assert report.leads == 4
    assert [(c.record_id, c.before.owner_id, c.after.owner_id) for c in report.changes] == [
        ("L1", "U1", "U2"),
        ("L3", "U1", "U2"),
    ]
    assert report.baseline.loads["U1"] == 4 and report.candidate.loads["U2"] == 2
    assert report.baseline.pools["west"].routed == 4
    assert report.candidate.pools["west"].max_min_ratio == 1.0
    assert report.candidate.gini == 0.0


def test_loads_start_from_the_leads_held_before_the_window() -> None:
    crm = snapshot(lead("OLD", 15, 9, owner="U1"), lead("L1", 2))
    side = PolicySide("p", policy(crm, ["ann@x.example", "bob@x.example"]), None)
    report = simulate(crm, side, side, START, END)
    assert report.start_loads == {"U1": 1}
    assert report.candidate.outcomes["L1"].owner_id == "U1"  # round robin: first in turn
    assert "OLD" not in report.candidate.outcomes


def test_a_full_pool_is_an_overflow_and_the_lead_falls_back() -> None:
    crm = snapshot(lead("OLD", 15, 9, owner="U1"), lead("L1", 2), lead("L2", 3, Region__c="Mars"))
    side = PolicySide("capped", policy(crm, ["ann@x.example"], cap=1), None)
    report = simulate(crm, side, None, START, END)
    assert report.candidate.pools["west"].overflows == 1
    assert report.candidate.fallbacks == ["L1", "L2"]
    assert report.candidate.by_rule["fallback"] == 2


def test_without_a_baseline_the_current_owners_are_the_baseline() -> None:
    crm = snapshot(lead("L1", 2, owner="U3"), lead("L2", 3, owner="U1"))
    side = PolicySide("p", policy(crm, ["ann@x.example", "bob@x.example"]), None)
    report = simulate(crm, side, None, START, END)
    assert report.baseline.name == AS_OWNED
    assert report.baseline.outcomes["L1"].owner_id == "U3"
    assert [c.record_id for c in report.changes] == ["L1", "L2"]
    assert report.baseline.loads["U3"] == 1


def test_one_matcher_matches_each_lead_once_for_both_sides() -> None:
    calls: list[str] = []

    class Counting:
        def match(self, lead: Lead) -> Any:
            from routing.model import Match

            calls.append(lead.id)
            return Match(lead.id, None, "none", 0.0)

    crm = snapshot(lead("L1", 2), lead("L2", 3))
    compiled = policy(crm, ["ann@x.example"])
    matcher = Counting()
    simulate(
        crm, PolicySide("a", compiled, matcher), PolicySide("b", compiled, matcher), START, END
    )
    assert sorted(calls) == ["L1", "L2"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], 1.0), ([0, 0], 1.0), ([3, 3], 1.0), ([2, 6], 3.0), ([0, 4], None)],
)
def test_max_min_ratio(values: list[int], expected: float | None) -> None:
    assert max_min_ratio(values) == expected


def test_gini_is_zero_when_even_and_grows_with_concentration() -> None:
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 8]) == pytest.approx(0.75)
    assert gini([]) == 0.0
