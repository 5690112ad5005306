"""Title facts in a policy: conditions on title_rank and title_function route, the trace shows
the reading, and the policy's titles: section changes it — or is refused with its path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from config.errors import PolicyError
from config.policy import compile_policy
from config.schema import PolicyFile
from routing.engine import MemoryState, Router, open_lead_loads
from routing.model import CrmSnapshot, Lead, Queue, Rep
from routing.world import World

USERS = {
    "U1": Rep("U1", "Ann", "ann@x.example"),
    "U2": Rep("U2", "Bob", "bob@x.example"),
    "U9": Rep("U9", "Fallback", "fb@x.example"),
}
QUEUES = {"Q1": Queue("Q1", "Inbound")}

RULES = [
    {
        "name": "executives",
        "when": {"fact": "title_rank", "gte": 4},
        "assign": {"user": "ann@x.example"},
    },
    {
        "name": "data specialists",
        "when": {"fact": "title_functions", "in": ["data"]},
        "assign": {"user": "bob@x.example"},
    },
]


def lead(lead_id: str, title: str | None = None, **fields: Any) -> Lead:
    return Lead(
        lead_id,
        title=title,
        owner_id="Q1",
        created_date=datetime(2026, 1, 1, tzinfo=UTC),
        fields={"Status": "Open", **fields},
    )


def router(leads: tuple[Lead, ...], **extra: Any) -> Router:
    snapshot = CrmSnapshot(USERS, QUEUES, leads=leads)
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"user": "fb@x.example"},
            "rules": RULES,
            **extra,
        }
    )
    policy = compile_policy(spec, snapshot)
    return Router(policy, World(snapshot), MemoryState(open_lead_loads(snapshot, policy)))


@pytest.mark.parametrize(
    ("title", "owner", "rule"),
    [
        ("Sr. Dir, IT Ops", "U1", "executives"),
        ("Geschäftsführer", "U1", "executives"),
        ("Data Engineer", "U2", "data specialists"),
        ("Software Engineer, Data Platform", "U2", "data specialists"),
        ("Marketing Manager", "U9", "fallback"),
        (None, "U9", "fallback"),
    ],
)
def test_director_and_above_then_data_titles(title: str | None, owner: str, rule: str) -> None:
    record = lead("L1", title)
    decision = router((record,)).route(record)
    assert (decision.owner_id, decision.rule) == (owner, rule)


def test_the_title_field_is_read_when_the_title_attribute_is_empty() -> None:
    record = lead("L1", None, Title="VP Engineering & Data")
    decision = router((record,)).route(record)
    assert decision.rule == "executives"
    assert decision.trace["title"]["seniority"] == "vp"


def test_the_trace_shows_the_reading() -> None:
    record = lead("L1", "Sr. Dir, IT Ops")
    decision = router((record,)).route(record)
    assert decision.trace["title"] == {
        "seniority": "director",
        "rank": 4,
        "function": "it",
        "functions": ["it"],
        "evidence": ["Sr. Dir → director", "IT Ops → it"],
    }
    assert decision.trace["rules"][0] == {"rule": "executives", "applied": True, "why": "to Ann"}


def test_no_title_rule_no_title_in_the_trace() -> None:
    record = lead("L1", "CEO")
    spec_rules = [{"name": "all", "assign": {"user": "ann@x.example"}}]
    snapshot = CrmSnapshot(USERS, QUEUES, leads=(record,))
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"user": "fb@x.example"},
            "rules": spec_rules,
        }
    )
    policy = compile_policy(spec, snapshot)
    decision = Router(policy, World(snapshot), MemoryState({})).route(record)
    assert "title" not in decision.trace


def test_the_policy_titles_section_changes_the_reading() -> None:
    record = lead("L1", "Lakehouse Architect")
    plain = router((record,)).route(record)
    assert plain.rule == "fallback"
    tuned = router(
        (record,),
        titles={
            "keywords": {"data": ["lakehouse"]},
            "overrides": {"Chief Evangelist": {"seniority": "vp"}},
        },
    )
    assert tuned.route(record).rule == "data specialists"
    evangelist = lead("L2", "chief evangelist")
    assert tuned.route(evangelist).rule == "executives"


def test_a_bad_titles_section_is_refused_with_its_path() -> None:
    with pytest.raises(PolicyError) as caught:
        router(
            (lead("L1"),),
            titles={
                "keywords": {"wizardry": ["mage"]},
                "languages": {"nl": {"sales": ["verkoop", "de"]}},
                "overrides": {"Mage": {"seniority": "archmage"}, "Sage": {}},
            },
        )
    paths = {p.path for p in caught.value.problems}
    assert {
        "titles.keywords.wizardry",
        "titles.languages.nl.sales[1]",
        "titles.overrides.Mage.seniority",
        "titles.overrides.Sage",
    } <= paths


def test_the_icp_score_can_read_the_title() -> None:
    scoring = {
        "signals": [
            {"name": "seniority", "field": "seniority", "from": ["title"],
             "values": [{"in": ["c_level", "vp"], "points": 40},
                        {"in": ["director"], "points": 25}]},
            {"name": "data buyer", "field": "functions", "from": ["title"],
             "contains": [{"any": ["data"], "points": 20}]},
        ],
        "tiers": [{"name": "Tier 1", "min": 60}, {"name": "Tier 2", "min": 0}],
    }  # fmt: skip
    tier1 = {"fact": "tier", "equals": "Tier 1"}
    rules = [{"name": "t1", "when": tier1, "assign": {"user": "ann@x.example"}},
             {"name": "rest", "assign": {"user": "bob@x.example"}}]  # fmt: skip
    leads = (lead("L1", "VP Engineering & Data"), lead("L2", "Data Analyst"))
    r = router(leads, scoring=scoring, rules=rules)
    vp, analyst = (r.route(x) for x in leads)
    assert (vp.score, vp.rule) == (60, "t1")
    assert (analyst.score, analyst.rule) == (20, "rest")
    breakdown = {row["signal"]: row for row in vp.trace["score"]["breakdown"]}
    assert breakdown["seniority"]["source"] == "title" and breakdown["seniority"]["value"] == "vp"


def test_explain_shows_the_title_reading() -> None:
    from rich.console import Console

    from worker.reports import render

    record = lead("L1", "Sr. Dir, IT Ops")
    r = router((record,))
    console = Console(record=True, width=200)
    render.explain(console, r.route(record), r.world, routable=True)
    assert "Title: director (rank 4), it" in console.export_text()
