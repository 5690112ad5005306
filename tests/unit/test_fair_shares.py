"""Fairness you can show: each pool member's share against the share their weight and hours
on shift entitle them to, in the simulation report too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.model import CrmSnapshot, Lead, Queue, Rep
from routing.replay import PolicySide, fair_shares, simulate
from routing.world import World
from worker.reports.simulation import render_html

BERLIN = {"TimeZoneSidKey": "Europe/Berlin"}
USERS = {
    "U1": Rep("U1", "Ana", "ana@x.example", fields=BERLIN),
    "U2": Rep("U2", "Ben", "ben@x.example", fields=BERLIN),
    "U9": Rep("U9", "Fallback", "fb@x.example"),
}
MONDAY = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)  # Monday 00:00 in Berlin
DAY = timedelta(days=1)


def _policy(members: list[Any], leads: tuple[Lead, ...] = ()) -> Any:
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"user": "fb@x.example"},
            "availability": {
                "working_hours": [{"days": ["mon"], "hours": "09:00-17:00"}],
                "user_hours": {"ben@x.example": [{"days": ["mon"], "hours": "09:00-13:00"}]},
            },
            "pools": [{"name": "sdr", "method": "weighted_round_robin", "members": members}],
            "rules": [{"name": "sdr", "assign": {"pool": "sdr"}}],
        }
    )
    snapshot = CrmSnapshot(USERS, {"Q1": Queue("Q1", "Inbound")}, leads=leads)
    return compile_policy(spec, snapshot), snapshot


def test_a_members_fair_share_is_weight_times_hours_on_shift() -> None:
    policy, _ = _policy(["ana@x.example", "ben@x.example"])

    ana, ben = fair_shares(policy, USERS, {"sdr": {"U1": 6, "U2": 4}}, MONDAY, MONDAY + DAY)

    assert (ana.share, ben.share) == (0.6, 0.4)
    assert ana.on_shift == pytest.approx(8 / 24) and ben.on_shift == pytest.approx(4 / 24)
    assert ana.fair_share == pytest.approx(2 / 3) and ben.fair_share == pytest.approx(1 / 3)
    assert ben.ratio == pytest.approx(1.2)
    assert ana.describe() == (
        "Ana 60% of the pool's leads; weighted share while on shift 67% "
        "(weight 1, on shift 33% of the hours)"
    )


def test_weights_count_and_a_pool_that_handed_out_nothing_says_so() -> None:
    weighted = [{"user": "ana@x.example", "weight": 2}, {"user": "ben@x.example", "weight": 1}]
    policy, _ = _policy(weighted)

    ana, ben = fair_shares(policy, USERS, {}, MONDAY, MONDAY + DAY)

    assert ana.fair_share == pytest.approx(0.8) and ben.fair_share == pytest.approx(0.2)
    assert ana.share is None and ana.ratio is None
    assert ana.describe().startswith("Ana no leads; weighted share while on shift 80%")


def test_the_simulation_report_shows_each_members_share_against_their_due() -> None:
    start = MONDAY + timedelta(hours=9)  # 09:00 Berlin
    leads = tuple(
        Lead(f"L{i}", owner_id="Q1", created_date=start + timedelta(minutes=30 * i))
        for i in range(16)  # 09:00–16:30: Ben is off after 13:00
    )
    policy, snapshot = _policy(["ana@x.example", "ben@x.example"], leads)

    report = simulate(snapshot, PolicySide("candidate", policy, None), None, MONDAY, MONDAY + DAY)
    ana, ben = report.candidate.shares

    assert (ana.leads, ben.leads) == (12, 4)  # turns while both are on, then Ana alone
    assert ana.fair_share == pytest.approx(2 / 3)
    html = render_html(report, World(snapshot))
    assert "weighted share while on shift" in html
    assert "<td>Ana</td><td>12</td><td>75%</td><td>1</td><td>33%</td><td>67%</td>" in html
