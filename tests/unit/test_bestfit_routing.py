"""Best-fit pools in the engine: auto and recommend, no model, ties, new reps, reps leaving,
the fairness band under load, and replays that reproduce their exploration."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.bestfit import ClosedDeal, SkillModel, SkillSettings, parse_segment_field, train
from routing.bestfit.choice import draw
from routing.engine import MemoryState, Router, route_all
from routing.model import CrmSnapshot, Decision, Lead, Queue, Rep
from routing.world import World

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
USERS = {
    uid: Rep(uid, name, f"{name.lower()}@x.example", is_active=uid != "UB")
    for uid, name in (("UA", "Ann"), ("UB", "Bob"), ("UC", "Cy"), ("UD", "Dee"), ("UE", "Eve"))
}
QUEUES = {"Q1": Queue("Q1", "Inbound")}


def deals(
    rep: str, won: int, lost: int, segment: str = "software", amount: float = 1000.0
) -> list[ClosedDeal]:
    return [
        ClosedDeal(
            f"{rep}{segment}{i}", rep, segment, i < won, amount, AS_OF - timedelta(days=i % 90)
        )
        for i in range(won + lost)
    ]


def model(*groups: list[ClosedDeal]) -> SkillModel:
    everything = [d for group in groups for d in group]
    return train(everything, SkillSettings((parse_segment_field("Account.Industry"),)), AS_OF)


SPECIALIST = model(
    deals("UA", 45, 15), deals("UC", 15, 45), deals("UE", 15, 45), deals("UB", 15, 45)
)


def leads(n: int, industry: str = "Software") -> tuple[Lead, ...]:
    start = datetime(2026, 2, 1, tzinfo=UTC)
    return tuple(
        Lead(
            f"L{i:05d}",
            owner_id="Q1",
            created_date=start + timedelta(minutes=i),
            fields={"Industry": industry, "Status": "Open"},
        )
        for i in range(n)
    )


def router(
    members: list[str], skill: SkillModel | None, n: int = 1, **best_fit: Any
) -> tuple[Router, CrmSnapshot]:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=leads(n, best_fit.pop("industry", "Software")))
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"queue": "Inbound"},
            "pools": [
                {
                    "name": "p",
                    "method": "best_fit",
                    "members": [f"{m}@x.example" for m in members],
                    "best_fit": {"mode": "auto", "exploration": 0.0, **best_fit},
                }
            ],
            "rules": [{"name": "all", "assign": {"pool": "p"}}],
        }
    )
    return Router(
        compile_policy(spec, snapshot), World(snapshot), MemoryState(), model=skill
    ), snapshot


def routed(r: Router, snapshot: CrmSnapshot) -> list[Decision]:
    return list(route_all(r, snapshot.leads))


def pool_trace(decision: Decision) -> dict[str, Any]:
    return dict(decision.trace["rules"][0]["pool"])


def test_auto_gives_the_lead_to_the_rep_the_evidence_sets_apart_and_shows_why() -> None:
    r, snapshot = router(["cy", "ann", "eve"], SPECIALIST)
    [decision] = routed(r, snapshot)
    assert decision.owner_id == "UA"
    assert decision.trace["model_version"] == SPECIALIST.version
    fit = pool_trace(decision)["best_fit"]
    assert (fit["model"], fit["how"], fit["choice"], fit["mode"]) == (
        SPECIALIST.version,
        "evidence",
        "UA",
        "auto",
    )
    assert fit["segment"] == {"Account.Industry": "software"}
    rows = {c["user_id"]: c["fit"] for c in pool_trace(decision)["considered"]}
    assert (rows["UA"]["deals"], rows["UA"]["won"]) == (60, 45)
    assert (
        rows["UA"]["low"] > rows["UC"]["high"]
        and rows["UA"]["low"] < rows["UA"]["p"] < rows["UA"]["high"]
    )
    assert "the evidence sets them apart" in decision.reason


def test_recommend_records_the_best_fit_but_assigns_by_round_robin() -> None:
    r, snapshot = router(["cy", "ann", "eve"], SPECIALIST, n=3, mode="recommend")
    decisions = routed(r, snapshot)
    assert [d.owner_id for d in decisions] == ["UC", "UA", "UE"]
    assert [pool_trace(d)["best_fit"]["choice"] for d in decisions[:2]] == ["UA", "UA"]
    assert "recommend mode: best fit would pick UA" in decisions[0].reason


def test_without_a_model_best_fit_is_its_fallback_method_and_says_so() -> None:
    r, snapshot = router(["cy", "ann", "eve"], None, n=4, fallback_method="round_robin")
    decisions = routed(r, snapshot)
    assert [d.owner_id for d in decisions] == ["UC", "UA", "UE", "UC"]
    assert pool_trace(decisions[0])["best_fit"] == {"model": None, "note": "no model"}
    assert "model_version" not in decisions[0].trace


def test_a_model_for_other_segments_is_not_used() -> None:
    r, snapshot = router(["cy", "ann"], SPECIALIST, segments=["Opportunity.LeadSource"])
    [decision] = routed(r, snapshot)
    assert decision.owner_id == "UC"
    assert "is for segments ('Account.Industry',)" in pool_trace(decision)["best_fit"]["note"]


def test_reps_the_evidence_cannot_tell_apart_take_turns() -> None:
    even = model(deals("UA", 20, 40), deals("UC", 21, 39), deals("UE", 19, 41))
    r, snapshot = router(["ann", "cy", "eve"], even, n=9)
    decisions = routed(r, snapshot)
    assert [d.owner_id for d in decisions] == ["UA", "UC", "UE"] * 3
    assert {pool_trace(d)["best_fit"]["how"] for d in decisions} <= {"tie", "fairness"}


def test_an_unseen_segment_is_a_tie_too() -> None:
    r, snapshot = router(["ann", "cy", "eve"], SPECIALIST, n=6, industry="Mining")
    assert [d.owner_id for d in routed(r, snapshot)] == ["UA", "UC", "UE"] * 2


def test_a_rep_who_left_gets_nothing_whatever_their_record() -> None:
    star = model(deals("UB", 55, 5), deals("UA", 15, 45), deals("UC", 15, 45))
    r, snapshot = router(["bob", "ann", "cy"], star, n=30)
    decisions = routed(r, snapshot)
    assert "UB" not in {d.owner_id for d in decisions}  # Bob is inactive
    skipped = {c["user_id"]: c["skipped"] for c in pool_trace(decisions[0])["considered"]}
    assert skipped["UB"] == "inactive"


def test_fairness_band_holds_under_load() -> None:
    r, snapshot = router(["ann", "cy", "eve"], SPECIALIST, n=1200, fairness_band=0.25, window=200)
    owners = [d.owner_id for d in routed(r, snapshot)]
    even = 200 / 3
    for end in range(200, 1201, 50):
        window = Counter(owners[end - 200 : end])
        assert window["UA"] <= 1.25 * even + 1, (end, window)
        assert min(window["UC"], window["UE"]) >= 0.75 * even - 1, (end, window)
    assert Counter(owners)["UA"] > Counter(owners)["UC"]  # the specialist still leads


def test_a_new_rep_gets_leads_by_exploration_and_the_band() -> None:
    r, snapshot = router(["ann", "cy", "dee"], SPECIALIST, n=300, exploration=0.2)
    decisions = routed(r, snapshot)
    dee = [d for d in decisions if d.owner_id == "UD"]
    assert len(dee) >= 0.75 * 100 - 1
    assert any(pool_trace(d)["best_fit"]["how"] == "exploration" for d in dee)
    assert pool_trace(dee[0])["considered"][2]["fit"]["evidence"] is False


def test_a_replay_makes_the_same_choices() -> None:
    first, snapshot = router(["ann", "cy", "eve", "dee"], SPECIALIST, n=200, exploration=0.3)
    again, _ = router(["ann", "cy", "eve", "dee"], SPECIALIST, n=200, exploration=0.3)
    assert [d.owner_id for d in routed(first, snapshot)] == [
        d.owner_id for d in routed(again, snapshot)
    ]
    assert draw("L1:p") == draw("L1:p") != draw("L2:p")


def test_expected_value_prefers_the_bigger_deals_when_the_evidence_says_so() -> None:
    value = model(deals("UA", 30, 30, amount=1000.0), deals("UC", 24, 36, amount=50_000.0))
    by_rate, snapshot = router(["ann", "cy"], value, objective="win_rate")
    by_value, _ = router(["ann", "cy"], value, objective="expected_value")
    assert routed(by_rate, snapshot)[0].owner_id == "UA"  # not separated: first listed
    assert routed(by_value, snapshot)[0].owner_id == "UC"


def test_recommend_with_approval_holds_the_record_unassigned_with_the_recommendation() -> None:
    r, snapshot = router(["cy", "ann", "eve"], SPECIALIST, n=2, mode="recommend", approval=True)
    decisions = routed(r, snapshot)
    for decision in decisions:
        assert decision.owner_id == decision.previous_owner_id == "Q1"  # nothing to write
        assert decision.rule == "all" and decision.pool == "p"
        assert decision.reason == "Rule all: Held for approval: best fit recommends UA."
        assert decision.trace["held_for_approval"] == {
            "pool": "p",
            "recommended": "UA",
            "fallback": "UC",  # nothing was committed, so the rotation has not moved
            "why": "held for approval: best fit recommends UA",
        }
    assert r.state.cursor("p") is None and r.state.recent("p", 200) == {}


def test_approval_needs_recommend_mode() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="needs mode: recommend"):
        router(["ann"], SPECIALIST, approval=True)
