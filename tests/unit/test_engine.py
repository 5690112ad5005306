"""The engine on small hand-built CRMs: bad data, fallbacks, families, duplicates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.engine import MemoryState, Pick, Router, open_lead_loads, route_all
from routing.model import Account, CrmSnapshot, Lead, Match, Opportunity, Queue, Rep
from routing.world import World

USERS = {
    "U1": Rep("U1", "Ann", "ann@x.example"),
    "U2": Rep("U2", "Bob", "bob@x.example", fields={"Away__c": True}),
    "U3": Rep("U3", "Cy", "cy@x.example", is_active=False),
    "U9": Rep("U9", "Fallback", "fb@x.example"),
}
QUEUES = {"Q1": Queue("Q1", "Inbound")}


def lead(lead_id: str, minute: int = 0, **fields: Any) -> Lead:
    fields.setdefault("Status", "Open")
    return Lead(
        lead_id,
        email=fields.get("Email"),
        owner_id=fields.pop("OwnerId", "Q1"),
        created_date=datetime(2026, 1, 1, 0, minute, tzinfo=UTC),
        fields=fields,
    )


def router(snapshot: CrmSnapshot, rules: list[dict[str, Any]], **extra: Any) -> Router:
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"user": "fb@x.example"},
            "availability": {"away_fields": ["Away__c"]},
            "pools": [{"name": "p", "members": ["ann@x.example", "bob@x.example", "cy@x.example"]}],
            "scoring": {
                "signals": [
                    {
                        "name": "size",
                        "field": "NumberOfEmployees",
                        "from": ["account", "lead"],
                        "bands": [{"min": 100, "points": 50}],
                    }
                ],
                "tiers": [{"name": "big", "min": 50}, {"name": "small", "min": 0}],
            },
            "rules": rules,
            **extra,
        }
    )
    policy = compile_policy(spec, snapshot)
    return Router(policy, World(snapshot), MemoryState(open_lead_loads(snapshot, policy)))


def test_garbage_fields_fall_through_to_the_fallback_owner_with_a_reason() -> None:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1", NumberOfEmployees="lots"),))
    r = router(
        snapshot,
        [{"name": "big", "when": {"fact": "tier", "equals": "big"}, "assign": {"pool": "p"}}],
    )
    decision = r.route(snapshot.leads[0])
    assert (decision.owner_id, decision.rule) == ("U9", "fallback")
    assert "fallback owner Fallback" in decision.reason
    assert decision.trace["rules"][0]["why"] == "tier is 'big'? no ('small')"


def test_pool_skips_away_and_inactive_members_and_says_so() -> None:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1"), lead("L2", 1)))
    r = router(snapshot, [{"name": "all", "assign": {"pool": "p"}}])
    first, second = list(route_all(r, snapshot.leads))
    assert (first.owner_id, second.owner_id) == ("U1", "U1")
    skipped = {c["user_id"]: c["skipped"] for c in second.trace["rules"][0]["pool"]["considered"]}
    assert skipped == {"U2": "away (Away__c)", "U3": "inactive", "U1": None}


def test_only_routable_records_are_routed_oldest_first() -> None:
    leads = (lead("L2", 5), lead("L1", 1), lead("L3", 0, OwnerId="U1"))
    snapshot = CrmSnapshot(USERS, QUEUES, leads=leads)
    r = router(snapshot, [{"name": "all", "assign": {"user": "ann@x.example"}}])
    assert [d.record_id for d in route_all(r, snapshot.leads)] == ["L1", "L2"]


class ExplodingMatcher:
    def match(self, _lead: Lead) -> Match:
        raise UnicodeError("cannot fold this name")


def test_a_record_that_breaks_matching_is_still_routed_and_says_why() -> None:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1"),))
    r = router(snapshot, [{"name": "all", "assign": {"user": "ann@x.example"}}])
    r.matcher = ExplodingMatcher()
    decision = r.route(snapshot.leads[0])
    assert (decision.owner_id, decision.account_id) == ("U1", None)
    assert "matching failed on this record (UnicodeError" in decision.trace["match"]["reason"]


def test_a_data_error_while_deciding_goes_to_the_fallback_with_the_error() -> None:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1"),))
    r = router(snapshot, [{"name": "all", "assign": {"pool": "p"}}])
    r.unavailable = lambda user_id: 1 / 0  # type: ignore[method-assign,assignment,return-value]
    decision = r.route(snapshot.leads[0])
    assert (decision.owner_id, decision.rule) == ("U9", "fallback")
    assert decision.trace["rules"][-1]["why"] == "ZeroDivisionError: division by zero"


def test_an_infrastructure_error_is_not_disguised_as_a_fallback() -> None:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1"),))
    r = router(snapshot, [{"name": "all", "assign": {"pool": "p"}}])

    def lost(_pick: object) -> bool:
        raise ConnectionError("state store unreachable")

    r.state.commit = lost  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        r.route(snapshot.leads[0])


def test_a_parent_cycle_is_reported_and_not_followed() -> None:
    accounts = {
        "A": Account("A", "Alpha", owner_id="U3", parent_id="B"),
        "B": Account("B", "Beta", owner_id="U3", parent_id="A"),
    }
    snapshot = CrmSnapshot(USERS, QUEUES, accounts, leads=(lead("L1"),))
    r = router(snapshot, [{"name": "top", "assign": {"owner_of": "ultimate_parent"}}])
    decision = r.route(snapshot.leads[0], Match("L1", "A", "domain", 1.0))
    assert decision.trace["family"] == ["A", "B"]
    assert "ParentId cycle (Alpha → Beta → Alpha)" in decision.trace["family_problem"]
    assert decision.rule == "fallback"  # Cy owns the top and is inactive


def test_open_opportunity_owner_is_the_newest_deal_owned_by_an_active_user() -> None:
    accounts = {"A": Account("A", "Alpha", parent_id="P"), "P": Account("P", "Parent")}
    opps = (
        Opportunity("O1", "P", "U1", created_date=datetime(2026, 1, 1, tzinfo=UTC)),
        Opportunity("O2", "P", "U3", created_date=datetime(2026, 6, 1, tzinfo=UTC)),
        Opportunity("O3", "P", "U2", is_closed=True, created_date=datetime(2026, 9, 1, tzinfo=UTC)),
    )
    snapshot = CrmSnapshot(USERS, QUEUES, accounts, opportunities=opps, leads=(lead("L1"),))
    r = router(snapshot, [{"name": "opp", "assign": {"owner_of": "open_opportunity"}}])
    decision = r.route(snapshot.leads[0], Match("L1", "A", "domain", 1.0))
    assert decision.owner_id == "U1"  # O2 is newer but Cy is inactive; O3 is closed


def test_duplicate_of_an_open_lead_can_keep_its_owner() -> None:
    leads = (
        lead("OLD", 0, Email="sam@y.example", OwnerId="U2"),
        lead("NEW", 1, Email="SAM@y.example"),
    )
    snapshot = CrmSnapshot(USERS, QUEUES, leads=leads)
    rules = [
        {
            "name": "dupe",
            "when": {"fact": "duplicate_owner_id", "is_set": True},
            "assign": {"by": "duplicate_owner_id", "map": {"U2": {"user": "bob@x.example"}}},
        },
        {"name": "rest", "assign": {"pool": "p"}},
    ]
    decision = router(snapshot, rules).route(snapshot.leads[1])
    assert (decision.rule, decision.owner_id) == ("dupe", "U2")


def test_owner_routed_assignments_count_toward_load_and_caps() -> None:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1"), lead("L2", 1), lead("L3", 2)))
    rules = [
        {
            "name": "first",
            "when": {"fact": "lead.Status", "equals": "Open"},
            "assign": {"first_of": [{"pool": "p"}, {"user": "fb@x.example"}]},
        }
    ]
    pools = [{"name": "p", "cap": 1, "members": ["ann@x.example"]}]
    r = router(snapshot, rules, pools=pools)
    owners = [d.owner_id for d in route_all(r, snapshot.leads)]
    assert owners == ["U1", "U9", "U9"]


def test_an_overflow_into_another_pool_keeps_that_pools_slot_in_the_trace() -> None:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1"),))
    pools = [
        {"name": "full", "cap": 1, "members": ["ann@x.example"], "overflow": {"pool": "spare"}},
        {"name": "spare", "members": ["fb@x.example"]},
    ]
    r = router(snapshot, [{"name": "all", "assign": {"pool": "full"}}], pools=pools)
    r.state.commit(Pick("full", "U1", 0, None, None))  # Ann is now at her cap of 1
    decision = r.route(snapshot.leads[0])
    detail = decision.trace["rules"][0]["pool"]
    assert (decision.owner_id, decision.pool) == ("U9", "spare")
    assert (detail["pool"], detail["slot"]) == ("spare", 0)
    assert detail["overflowed_from"]["pool"] == "full"


def test_a_pick_that_keeps_losing_the_race_is_an_error_not_a_fallback() -> None:
    from routing.engine import StateContention

    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1"),))
    r = router(snapshot, [{"name": "all", "assign": {"pool": "p"}},
                          {"name": "rest", "assign": {"user": "fb@x.example"}}])  # fmt: skip
    r.state.commit = lambda _pick: False  # type: ignore[method-assign]
    with pytest.raises(StateContention, match="lost the race"):
        r.route(snapshot.leads[0])


def test_a_pick_that_loses_some_races_still_lands_in_the_pool() -> None:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(lead("L1"),))
    r = router(snapshot, [{"name": "all", "assign": {"pool": "p"}},
                          {"name": "rest", "assign": {"user": "fb@x.example"}}])  # fmt: skip
    real_commit, losses = r.state.commit, iter(range(50))

    def contended(pick: Pick) -> bool:
        return next(losses, None) is None and real_commit(pick)

    r.state.commit = contended  # type: ignore[method-assign]
    decision = r.route(snapshot.leads[0])
    assert (decision.rule, decision.owner_id) == ("all", "U1")
