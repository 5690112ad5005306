"""Backfill planning on small hand-built CRMs: scopes, turns, guard rails, limits, order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.engine import open_lead_loads
from routing.model import Account, CrmSnapshot, Lead, Opportunity, Queue, Rep
from routing.replay.backfill import (
    ALL,
    INACTIVE_OWNERS,
    TERRITORY,
    BackfillPlanner,
    Guards,
    Held,
    LedgerState,
    Move,
    records_in_scope,
)
from routing.routed import account_as_record
from routing.world import World

NOW = datetime(2026, 11, 1, tzinfo=UTC)
USERS = {
    "U1": Rep("U1", "Ann", "ann@x.example"),
    "U2": Rep("U2", "Bob", "bob@x.example"),
    "U3": Rep("U3", "Cy", "cy@x.example", is_active=False),
    "U4": Rep("U4", "Dee", "dee@x.example"),
    "U9": Rep("U9", "Fallback", "fb@x.example"),
}
QUEUES = {"Q1": Queue("Q1", "Inbound"), "Q2": Queue("Q2", "Nurture")}
POLICY: dict[str, Any] = {
    "name": "t",
    "routable": {"owners": [{"queue": "Inbound"}]},
    "fallback": {"user": "fb@x.example"},
    "pools": [
        {"name": "west", "members": ["ann@x.example", "bob@x.example"]},
        {"name": "east", "members": ["dee@x.example"]},
    ],
    "rules": [
        {
            "name": "junk",
            "when": {"fact": "lead.Region__c", "equals": "Junk"},
            "assign": {"queue": "Nurture"},
        },
        {
            "name": "territory",
            "assign": {
                "by": "lead.Region__c",
                "map": {"West": {"pool": "west"}, "East": {"pool": "east"}},
            },
        },
    ],
}


def lead(lead_id: str, owner: str, region: str = "West", day: int = 1, **fields: Any) -> Lead:
    return Lead(
        lead_id,
        owner_id=owner,
        created_date=datetime(2026, 10, day, tzinfo=UTC),
        fields={"Status": "Open", "Region__c": region, **fields},
    )


def plan(
    leads: list[Lead],
    scope: str,
    *,
    accounts: dict[str, Account] | None = None,
    opportunities: tuple[Opportunity, ...] = (),
    object: str = "Lead",
    **guards: Any,
) -> tuple[list[Move], list[Held], bool]:
    snapshot = CrmSnapshot(
        USERS, QUEUES, accounts or {}, opportunities=opportunities, leads=tuple(leads)
    )
    policy = compile_policy(PolicyFile.model_validate(POLICY), snapshot)
    state = LedgerState(open_lead_loads(snapshot, policy))
    planner = BackfillPlanner(
        policy, World(snapshot), state, None, scope, Guards(now=NOW, **guards)
    )
    result = planner.plan(records_in_scope(snapshot, policy, object))
    return result.moves, result.held, result.over_limit


def test_a_deactivated_owner_loses_the_record_to_the_policy_pick() -> None:
    moves, _, _ = plan([lead("L1", "U3"), lead("L2", "U1")], INACTIVE_OWNERS)
    assert [(m.record_id, m.from_owner_id, m.to_owner_id) for m in moves] == [("L1", "U3", "U1")]
    assert moves[0].reason.startswith("Cy is deactivated.")


def test_an_owner_outside_the_pool_the_policy_picks_now_moves_with_territory() -> None:
    leads = [lead("L1", "U1", "East"), lead("L2", "U1", "West"), lead("L3", "U4", "East")]
    moves, _, _ = plan(leads, TERRITORY)
    assert [(m.record_id, m.to_owner_id) for m in moves] == [("L1", "U4")]
    assert "Ann is not a member of pool 'east'" in moves[0].reason


def test_records_that_stay_put_take_no_rotation_turn() -> None:
    # Ann and Bob keep theirs; the first record that moves gets the first turn: Ann.
    leads = [lead("L1", "U2", day=1), lead("L2", "U1", day=2), lead("L3", "U4", day=3)]
    moves, _, _ = plan(leads, TERRITORY)
    assert [(m.record_id, m.to_owner_id) for m in moves] == [("L3", "U1")]


def test_moves_take_turns_in_created_order_whatever_the_input_order() -> None:
    leads = [lead(f"L{n}", "U3", day=10 - n) for n in range(4)]
    moves, _, _ = plan(leads, ALL)
    assert [m.record_id for m in moves] == ["L3", "L2", "L1", "L0"]
    assert [m.to_owner_id for m in moves] == ["U1", "U2", "U1", "U2"]


def test_each_scope_moves_only_its_own_kind() -> None:
    leads = [lead("L1", "U3", "West"), lead("L2", "U1", "East")]
    assert [m.record_id for m in plan(leads, INACTIVE_OWNERS)[0]] == ["L1"]
    assert [m.record_id for m in plan(leads, TERRITORY)[0]] == ["L1", "L2"]  # Cy is in no pool
    assert [m.record_id for m in plan(leads, ALL)[0]] == ["L1", "L2"]


def test_a_queue_does_not_take_a_record_from_the_rep_who_works_it() -> None:
    assert plan([lead("L1", "U1", "Junk")], TERRITORY)[0] == []


def test_records_waiting_in_the_routing_queue_are_left_to_the_router() -> None:
    assert plan([lead("L1", "Q1", "East")], ALL)[0] == []


def test_an_unknown_owner_counts_as_gone() -> None:
    moves, _, _ = plan([lead("L1", "005DELETED")], INACTIVE_OWNERS)
    assert moves[0].to_owner_id == "U1"
    assert "not a user or queue" in moves[0].reason


def test_recent_activity_holds_a_record_unless_the_window_is_zero() -> None:
    recent = lead("L1", "U3", LastActivityDate=(NOW - timedelta(days=3)).date().isoformat())
    stale = lead("L2", "U3", LastActivityDate=NOW - timedelta(days=90))
    moves, held, _ = plan([recent, stale], ALL, exclude_active_days=30)
    assert [m.record_id for m in moves] == ["L2"]
    assert [h.record_id for h in held] == ["L1"]
    assert "within the last 30 days" in held[0].why_held
    assert [m.record_id for m in plan([recent, stale], ALL, exclude_active_days=0)[0]] == [
        "L1",
        "L2",
    ]


def test_open_opportunities_hold_an_account_unless_asked() -> None:
    accounts = {
        "A1": Account("A1", "Open Co", owner_id="U3", fields={"Region__c": "West"}),
        "A2": Account("A2", "Quiet Co", owner_id="U3", fields={"Region__c": "West"}),
    }
    opps = (Opportunity("O1", "A1", "U3"), Opportunity("O2", "A2", "U3", is_closed=True))
    moves, held, _ = plan([], INACTIVE_OWNERS, accounts=accounts, opportunities=opps,
                          object="Account")  # fmt: skip
    assert [m.record_id for m in moves] == ["A2"]
    assert held[0].record_id == "A1" and "1 open opportunity" in held[0].why_held
    asked = plan([], INACTIVE_OWNERS, accounts=accounts, opportunities=opps, object="Account",
                 move_open_opportunities=True)  # fmt: skip
    assert [m.record_id for m in asked[0]] == ["A1", "A2"]


def test_max_moves_stops_before_a_runaway_change() -> None:
    leads = [lead(f"L{n}", "U3", day=n + 1) for n in range(3)]
    assert plan(leads, ALL, max_moves=2)[2] is True
    assert plan(leads, ALL, max_moves=3)[2] is False


def test_held_records_take_no_turn_either() -> None:
    held = lead("L1", "U3", day=1, LastActivityDate=NOW - timedelta(days=1))
    moves, _, _ = plan([held, lead("L2", "U3", day=2)], ALL)
    assert [(m.record_id, m.to_owner_id) for m in moves] == [("L2", "U1")]


def test_an_account_is_evaluated_as_its_own_match() -> None:
    record = account_as_record(Account("A1", "Co", owner_id="U1", billing_country="US"))
    assert (record.object, record.owner_id, record.fields["Id"]) == ("Account", "U1", "A1")


def test_an_unknown_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown backfill scope"):
        plan([], "everything")
