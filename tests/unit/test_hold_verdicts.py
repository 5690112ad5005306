"""The enrichment hold's verdicts: hold until the fields are filled or the timeout passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.conditions import Comparison, make_test
from routing.model import Lead
from routing.policy.hold import (
    ANY,
    FILLED,
    HELD,
    NOT_HELD,
    TIMED_OUT,
    HoldPolicy,
    HoldRule,
    is_filled,
    judge_hold,
)

SEEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULE = HoldRule("enrich", ("Industry", "NumberOfEmployees"), timedelta(minutes=30))
POLICY = HoldPolicy((RULE,))


def _lead(**fields: object) -> Lead:
    return Lead("00Q1", fields=fields)  # type: ignore[arg-type]


def test_a_record_missing_fields_is_held_until_the_timeout() -> None:
    verdict = judge_hold(POLICY, _lead(Industry="Retail"), SEEN, SEEN + timedelta(minutes=10))
    assert verdict.outcome == HELD and verdict.held
    assert verdict.missing == ("NumberOfEmployees",)
    assert verdict.until == SEEN + timedelta(minutes=30)
    assert verdict.why == "waiting for NumberOfEmployees (hold 'enrich') until 2026-03-02 09:30 UTC"


def test_filled_fields_release_it() -> None:
    lead = _lead(Industry="Retail", NumberOfEmployees=120)
    verdict = judge_hold(POLICY, lead, SEEN, SEEN + timedelta(minutes=12))
    assert verdict.outcome == FILLED and not verdict.held
    assert verdict.why == "Industry and NumberOfEmployees filled after 12 min (hold 'enrich')"


def test_the_timeout_releases_it_with_what_is_there() -> None:
    verdict = judge_hold(POLICY, _lead(Industry=" "), SEEN, SEEN + timedelta(minutes=30))
    assert verdict.outcome == TIMED_OUT
    assert verdict.missing == ("Industry", "NumberOfEmployees")
    assert "still empty after 30 min" in verdict.why
    assert verdict.to_json()["since"] == SEEN.isoformat()


def test_any_of_the_fields_is_enough_with_require_any() -> None:
    policy = HoldPolicy(
        (HoldRule("one", ("Industry", "Website"), timedelta(hours=2), require=ANY),)
    )
    assert judge_hold(policy, _lead(Website="x.io"), SEEN, SEEN).outcome == FILLED
    held = judge_hold(policy, _lead(), SEEN, SEEN)
    assert held.held and held.why.startswith("waiting for Industry and Website")


def test_only_records_the_rule_applies_to_are_held() -> None:
    web_only = HoldRule(
        "web",
        ("Industry",),
        timedelta(minutes=5),
        when=Comparison("lead.LeadSource", "equals", "Web", make_test("equals", "Web")),
    )
    policy = HoldPolicy((web_only,))
    assert judge_hold(policy, _lead(LeadSource="Event"), SEEN, SEEN).outcome == NOT_HELD
    assert judge_hold(policy, _lead(LeadSource="Web"), SEEN, SEEN).held
    contact = Lead("003X", object="Contact")
    assert judge_hold(POLICY, contact, SEEN, SEEN).outcome == NOT_HELD


def test_no_rules_hold_nothing() -> None:
    assert not HoldPolicy().enabled
    assert judge_hold(HoldPolicy(), _lead(), SEEN, SEEN).outcome == NOT_HELD


def test_what_counts_as_filled() -> None:
    assert not is_filled(None) and not is_filled("") and not is_filled("  ")
    assert is_filled(0) and is_filled(False) and is_filled("x")
