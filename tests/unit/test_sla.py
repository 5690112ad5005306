from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from routing.calendar import BusinessCalendar, Deadline
from routing.engine import MemoryState
from routing.model import Decision, Rep
from routing.policy import (
    MANAGER,
    NOTIFY,
    REASSIGN,
    CalendarChoice,
    EscalationLadder,
    FirstOf,
    FirstTouchRule,
    Member,
    Pool,
    RoutingPolicy,
    Rule,
    SlaPolicy,
    SlaTarget,
    ToOwnerOf,
    ToPool,
    ToQueue,
    ToUser,
)
from routing.sla import (
    BREACHED,
    GONE,
    MET,
    PENDING,
    REOWNED,
    Clock,
    RecordNow,
    Team,
    escalate,
    judge,
    ownership_rules,
    start_clock,
)

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
BOSS, AE1, AE2, AE3, AE4, SDR_BOSS = "boss", "ae1", "ae2", "ae3", "ae4", "sdr-boss"

USERS = {
    BOSS: Rep(BOSS, "Dana Boss"),
    SDR_BOSS: Rep(SDR_BOSS, "Priya Triage"),
    AE1: Rep(AE1, "Alice", manager_id=BOSS),
    AE2: Rep(AE2, "Ben", manager_id=BOSS),
    AE3: Rep(AE3, "Cleo", manager_id=BOSS),
    AE4: Rep(AE4, "Dev", manager_id=BOSS),
}
RULES = (
    Rule("opportunity", target=ToOwnerOf("open_opportunity")),
    Rule("named", target=FirstOf((ToOwnerOf("ultimate_parent"), ToOwnerOf("account")))),
    Rule("healthcare", target=ToUser(AE4)),
    Rule("enterprise", target=ToPool("enterprise")),
    Rule("nurture", target=ToQueue("queue-1")),
)
SLA = SlaPolicy(
    targets=(
        SlaTarget("tier 1", Deadline(minutes=5), tiers=frozenset({"Tier 1"})),
        SlaTarget("pool", Deadline(minutes=60), pools=frozenset({"enterprise"})),
        SlaTarget("business", Deadline(business_hours=8), rules=frozenset({"healthcare"})),
    ),
    first_touch=FirstTouchRule(
        status_leaves=frozenset({"open - not contacted"}), fields=("First_Call__c",)
    ),
    calendars=CalendarChoice(
        {
            "NA": BusinessCalendar("NA", "America/New_York"),
            "APAC": BusinessCalendar("APAC", "Asia/Tokyo"),
        },
        by_region={"apac": "APAC"},
        default="NA",
    ),
    ladder=EscalationLadder(manager_after=2),
    ownership_rules=ownership_rules(RULES),
)
POOL = Pool("enterprise", tuple(Member(u) for u in (AE1, AE2, AE3)), cap=3)
POLICY = RoutingPolicy(
    "test", RULES, fallback_owner_id=SDR_BOSS, pools={"enterprise": POOL}, sla=SLA
)


def decision(
    rule: str = "enterprise",
    owner: str = AE1,
    tier: str | None = "Tier 2",
    pool: str | None = "enterprise",
    region: str | None = None,
) -> Decision:
    trace: Mapping[str, Any] = {"territory": {"name": None, "region": region}} if region else {}
    return Decision("00Q1", "Lead", owner, "queue-0", None, "none", rule, 70, tier, pool, "", trace)


def clock(**changes: Any) -> Clock:
    started = start_clock(decision(), POLICY, USERS, T0)
    assert started is not None
    return replace(started, **changes)


def team(users: Mapping[str, Rep] = USERS, away: frozenset[str] = frozenset()) -> Team:
    def unavailable(user_id: str) -> str | None:
        user = users.get(user_id)
        if user is None:
            return "not a user"
        if not user.is_active:
            return "inactive"
        return "away" if user_id in away else None

    return Team(users, unavailable, SDR_BOSS)


# --- starting ----------------------------------------------------------------------------


def test_the_first_target_that_selects_the_decision_sets_the_deadline() -> None:
    tier1 = start_clock(decision(tier="Tier 1"), POLICY, USERS, T0)
    pooled = start_clock(decision(), POLICY, USERS, T0)
    assert tier1 is not None and tier1.due_at == T0 + timedelta(minutes=5)
    assert tier1.target == "tier 1"
    assert pooled is not None and pooled.due_at == T0 + timedelta(hours=1)


def test_no_clock_for_a_queue_owner_or_without_a_target() -> None:
    assert start_clock(decision("nurture", owner="queue-1", pool=None), POLICY, USERS, T0) is None
    assert start_clock(decision("named", tier="Tier 3", pool=None), POLICY, USERS, T0) is None


def test_business_hours_use_the_calendar_of_the_leads_region() -> None:
    na = start_clock(decision("healthcare", AE4, "Tier 2", None), POLICY, USERS, T0)
    apac = start_clock(decision("healthcare", AE4, "Tier 2", None, "APAC"), POLICY, USERS, T0)
    assert na is not None and na.calendar == "NA"
    assert na.due_at == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday 10:00 EST
    assert apac is not None and apac.calendar == "APAC"
    assert apac.due_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 17:00 JST


def test_ownership_rules_are_those_whose_every_target_is_owner_of() -> None:
    assert SLA.ownership_rules == {"opportunity", "named"}
    owned = start_clock(decision("opportunity", tier="Tier 1", pool=None), POLICY, USERS, T0)
    assert owned is not None and owned.ownership


# --- first touch -------------------------------------------------------------------------


def now(**changes: Any) -> RecordNow:
    return replace(RecordNow("00Q1", AE1, "Open - Not Contacted"), **changes)


def at_due(c: Clock) -> datetime:
    return c.due_at + timedelta(seconds=30)


def test_status_leaving_the_untouched_value_is_met() -> None:
    c = clock()
    assert judge(c, now(status="Working - Contacted"), SLA.first_touch, at_due(c)).outcome == MET


def test_untouched_at_the_deadline_is_breached_and_before_it_pending() -> None:
    c = clock()
    assert judge(c, now(), SLA.first_touch, at_due(c)).outcome == BREACHED
    assert judge(c, now(), SLA.first_touch, c.due_at - timedelta(minutes=1)).outcome == PENDING
    assert judge(c, now(), SLA.first_touch, at_due(c)).escalates


def test_an_activity_counts_only_after_the_clock_started_and_late_is_a_breach() -> None:
    c = clock()
    rule = SLA.first_touch
    early = judge(c, now(first_activity_at=T0 + timedelta(minutes=9)), rule, at_due(c))
    before = judge(c, now(first_activity_at=T0 - timedelta(days=1)), rule, at_due(c))
    late = judge(c, now(first_activity_at=c.due_at + timedelta(minutes=1)), rule, at_due(c))
    assert (early.outcome, early.touched_at) == (MET, T0 + timedelta(minutes=9))
    assert before.outcome == BREACHED and before.escalates
    assert late.outcome == BREACHED and not late.escalates  # worked, but late: no escalation


def test_a_configured_field_or_a_conversion_is_a_touch() -> None:
    c = clock()
    called = now(fields={"First_Call__c": T0 + timedelta(minutes=3)})
    assert judge(c, called, SLA.first_touch, at_due(c)).outcome == MET
    assert judge(c, now(is_converted=True), SLA.first_touch, at_due(c)).outcome == MET


def test_reowned_by_a_person_or_deleted_ends_the_clock_without_escalation() -> None:
    c = clock()
    assert judge(c, now(owner_id=AE2), SLA.first_touch, at_due(c)).outcome == REOWNED
    assert judge(c, None, SLA.first_touch, at_due(c)).outcome == GONE


# --- escalation --------------------------------------------------------------------------


def test_a_first_breach_notifies_the_manager_and_reassigns_to_the_next_in_the_pool() -> None:
    state = MemoryState()
    state._cursors["enterprise"] = 0  # AE1 (slot 0) took the lead
    c = clock()
    done = escalate(c, at_due(c), POLICY, team(), state)
    assert (done.action, done.from_owner_id, done.to_owner_id) == (REASSIGN, AE1, AE2)
    assert done.notify_ids == (BOSS,) and done.breaches == 1
    assert done.next_clock is not None and done.next_clock.owner_id == AE2
    assert done.next_clock.breached_owner_ids == (AE1,)
    assert done.next_clock.due_at == at_due(c) + timedelta(hours=1)
    assert state.cursor("enterprise") == 1 and state.load(AE2) == 1


def test_never_back_to_a_rep_who_breached_and_skips_away_or_capped() -> None:
    state = MemoryState({AE3: 3})  # at cap
    state._cursors["enterprise"] = 1
    c = clock(owner_id=AE2, breaches=0, breached_owner_ids=())
    away_ae1 = escalate(c, at_due(c), POLICY, team(away=frozenset({AE1})), state)
    assert away_ae1.action == MANAGER and away_ae1.to_owner_id == BOSS
    assert "nobody else" in away_ae1.why

    state = MemoryState()
    state._cursors["enterprise"] = 1
    ladder = replace(SLA.ladder, manager_after=3)
    policy = replace(POLICY, sla=replace(SLA, ladder=ladder))
    second = clock(owner_id=AE2, breaches=1, breached_owner_ids=(AE3,))
    done = escalate(second, at_due(second), policy, team(), state)
    assert (done.action, done.to_owner_id) == (REASSIGN, AE1)  # AE3 breached before: skipped


def test_the_second_breach_goes_to_the_manager_and_ends_the_chain() -> None:
    c = clock(owner_id=AE2, breaches=1, breached_owner_ids=(AE1,))
    done = escalate(c, at_due(c), POLICY, team(), MemoryState())
    assert (done.action, done.to_owner_id, done.breaches) == (MANAGER, BOSS, 2)
    assert done.next_clock is None


def test_ownership_routed_escalates_to_the_manager_and_keeps_its_owner() -> None:
    c = clock(ownership=True, pool=None, rule="opportunity")
    done = escalate(c, at_due(c), POLICY, team(), MemoryState())
    assert (done.action, done.to_owner_id, done.notify_ids) == (NOTIFY, AE1, (BOSS,))
    assert done.next_clock is None


def test_a_missing_manager_falls_back_to_the_fallback_owner_or_keeps_the_owner() -> None:
    orphan = {**USERS, AE1: replace(USERS[AE1], manager_id=None)}
    c = clock(breaches=1, breached_owner_ids=(AE2,))
    done = escalate(c, at_due(c), POLICY, team(orphan), MemoryState())
    assert (done.action, done.to_owner_id) == (MANAGER, SDR_BOSS)
    assert "has no manager" in done.why

    no_fallback = Team(orphan, team(orphan).unavailable, None)
    kept = escalate(c, at_due(c), POLICY, no_fallback, MemoryState())
    assert (kept.action, kept.to_owner_id, kept.notify_ids) == (NOTIFY, AE1, ())


def test_a_deactivated_owner_is_reassigned_or_replaced_by_the_manager() -> None:
    gone = {**USERS, AE1: replace(USERS[AE1], is_active=False)}
    c = clock()
    pooled = escalate(c, at_due(c), POLICY, team(gone), MemoryState())
    assert (pooled.action, pooled.to_owner_id) == (REASSIGN, AE2)
    owned = clock(ownership=True, pool=None, rule="opportunity")
    done = escalate(owned, at_due(owned), POLICY, team(gone), MemoryState())
    assert (done.action, done.to_owner_id) == (MANAGER, BOSS)


def test_without_a_pool_the_owner_keeps_it_until_the_manager_takes_it() -> None:
    c = start_clock(decision("healthcare", AE4, "Tier 2", None), POLICY, USERS, T0)
    assert c is not None
    first = escalate(c, at_due(c), POLICY, team(), MemoryState())
    assert (first.action, first.to_owner_id) == (NOTIFY, AE4)
    assert first.next_clock is not None and first.next_clock.breaches == 1
    second = escalate(first.next_clock, at_due(first.next_clock), POLICY, team(), MemoryState())
    assert (second.action, second.to_owner_id) == (MANAGER, BOSS)


@pytest.mark.parametrize("breaches", [0, 1])
def test_the_escalation_line_has_the_fields_the_cli_prints(breaches: int) -> None:
    c = clock(breaches=breaches, breached_owner_ids=(AE3,) * breaches)
    line = escalate(c, at_due(c), POLICY, team(), MemoryState()).to_json()
    assert {"record_id", "from_owner_id", "to_owner_id", "action", "breaches"} <= set(line)
    assert line["breaches"] == breaches + 1
