"""Each routing package's front door: the names callers outside it import, pinned here.

A name leaving a package's `__all__` breaks callers in config/, connectors/, worker/ or another
routing package; a name joining it widens what the package promises. Either is a decision, so
the lists are written out (as httpx's tests/test_exported_members.py does).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import routing

SURFACE = {
    "routing.matching": [
        "AccountFacts",
        "AccountMatcher",
        "MatchSettings",
        "as_policy_yaml",
        "suggest_aliases",
    ],
    "routing.titles": [
        "DEFAULT_TITLE_SETTINGS",
        "FUNCTIONS",
        "SENIORITIES",
        "TitleClassifier",
        "TitleRole",
        "TitleSettings",
        "classify_title",
        "fold_keyword",
    ],
    "routing.bestfit": [
        "ClosedDeal",
        "EvalSettings",
        "FitRequest",
        "SkillModel",
        "SkillSettings",
        "closed_deals",
        "evaluate",
        "lead_segment",
        "parse_segment_field",
        "train",
    ],
    "routing.policy": [
        "ACCOUNT",
        "AT_CAP_HOLD",
        "AT_CAP_NEXT_RULE",
        "AT_CAP_OVERFLOW",
        "AccountChange",
        "AvailabilityPolicy",
        "AUTO",
        "Assignment",
        "BACKFILL",
        "BEST_FIT",
        "Band",
        "Batch",
        "BestFit",
        "ByFact",
        "CUSTOMER",
        "CalendarChoice",
        "Case",
        "Cases",
        "Choice",
        "EMAIL",
        "EscalationLadder",
        "FACTS",
        "FIELD_PREFIXES",
        "FirstOf",
        "FirstTouchRule",
        "HoldPolicy",
        "HoldRule",
        "HoldVerdict",
        "LOAD_BALANCED",
        "MANAGER",
        "MEMBER_SCOPE",
        "Member",
        "NOTIFY",
        "NO_CHANNEL",
        "NotificationPolicy",
        "OPEN_OPPORTUNITY",
        "OFF_SHIFT_OVERFLOW",
        "OFF_SHIFT_WAIT",
        "OwnerFilter",
        "POOL_SCOPE",
        "Pool",
        "Queued",
        "REASSIGN",
        "REASSIGNED",
        "ROUND_ROBIN",
        "ROUTED",
        "RecordFacts",
        "RoutingPolicy",
        "Rule",
        "SLACK",
        "ScoringModel",
        "Signal",
        "SlaPolicy",
        "Schedule",
        "Shift",
        "SlaTarget",
        "Status",
        "StickyPolicy",
        "Target",
        "Templates",
        "Tier",
        "ToOwnerOf",
        "ToPool",
        "ToQueue",
        "ToUser",
        "UNOWNED",
        "WindowCap",
        "assignment_values",
        "due_batches",
        "judge_hold",
        "known_fact",
        "parse_shifts",
        "prerender",
        "retry_at",
        "schedule_of",
        "unknown_placeholders",
    ],
    "routing.engine": [
        "Availability",
        "DATA_ERRORS",
        "DistributionState",
        "FALLBACK_RULE",
        "Handover",
        "LiveCrm",
        "Matcher",
        "MemoryState",
        "Pick",
        "Reading",
        "Record",
        "Router",
        "StateContention",
        "choose",
        "is_open",
        "open_lead_loads",
        "route_all",
        "wall_clock",
    ],
    "routing.replay": [
        "ALL",
        "BackfillPlan",
        "BackfillPlanner",
        "Guards",
        "Held",
        "LedgerState",
        "MemberShare",
        "Move",
        "OBJECTS",
        "PolicySide",
        "PoolStats",
        "SCOPES",
        "Side",
        "SimulationReport",
        "fair_shares",
        "followers",
        "gini",
        "iter_chunks",
        "records_in_scope",
        "simulate",
    ],
}


def routing_packages() -> list[str]:
    found = pkgutil.walk_packages(routing.__path__, prefix="routing.")
    return sorted(info.name for info in found if info.ispkg)


def test_every_routing_package_has_its_front_door_pinned() -> None:
    assert routing_packages() == sorted(SURFACE)


@pytest.mark.parametrize("package", sorted(SURFACE))
def test_the_front_door_exports_what_is_pinned(package: str) -> None:
    exported = importlib.import_module(package).__all__
    assert sorted(exported) == sorted(SURFACE[package])
    assert len(set(exported)) == len(exported), f"{package}.__all__ names a member twice"


@pytest.mark.parametrize("package", sorted(SURFACE))
def test_every_exported_name_resolves_to_the_package_own_code(package: str) -> None:
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == [], f"{package}.__all__ names what it does not define: {missing}"
    borrowed = [
        f"{name} (from {member.__module__})"
        for name in module.__all__
        if (inspect.isclass(member := getattr(module, name)) or inspect.isfunction(member))
        and not member.__module__.startswith(f"{package}.")
    ]
    assert borrowed == [], f"{package} re-exports another package's members: {borrowed}"
