"""A run of rules starting with the same comparison is screened (the fact read once for the
run): the trace gives every rule's own reason, in order, and no fact is read that the rules
would not read."""

from __future__ import annotations

from typing import Any

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.engine import MemoryState, Router
from routing.engine.screen import screen
from routing.model import CrmSnapshot, Lead, Match, Queue, Rep
from routing.policy import RecordFacts
from routing.world import World

SNAPSHOT = CrmSnapshot(
    users={"U1": Rep("U1", "Ana", "ana@x.example"), "U9": Rep("U9", "Fb", "fb@x.example")},
    queues={"Q1": Queue("Q1", "Inbound")},
)
SOURCES = ["Webinar", "Web", "Event", "Partner"]


def _router(rules: list[dict[str, Any]]) -> Router:
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"user": "fb@x.example"},
            "rules": rules,
        }
    )
    return Router(compile_policy(spec, SNAPSHOT), World(SNAPSHOT), MemoryState())


def _by_source(then: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": f"from-{source.lower()}",
            "when": {"all": [{"fact": "lead.LeadSource", "equals": source}, then]},
            "assign": {"user": "ana@x.example"},
        }
        for source in SOURCES
    ]


def _lead(source: str | None, title: str = "VP Sales") -> Lead:
    return Lead("L1", owner_id="Q1", title=title, fields={"LeadSource": source, "Title": title})


def test_the_screened_trace_is_each_rules_own_reason_in_order() -> None:
    router = _router(_by_source({"fact": "title_seniority", "equals": "vp"}))
    assert list(screen(router.policy.rules)) == [0]

    for source, title in [("Event", "VP Sales"), ("Event", "Intern"), ("Other", "VP"), (None, "")]:
        decision = router.route(_lead(source, title))
        rules = decision.trace["rules"]
        whys = [r["why"] for r in rules if not r["applied"]]
        expected = []
        for rule in router.policy.rules:
            why = rule.when.why_not(router_facts(router, _lead(source, title)))
            if why is None:
                break
            expected.append(why)
        assert whys == expected
        assert [r["rule"] for r in rules][: len(expected)] == [
            f"from-{s.lower()}" for s in SOURCES
        ][: len(expected)]


def test_a_fact_only_later_rules_ask_for_is_not_read_when_an_earlier_rule_decides() -> None:
    first = {"name": "first", "assign": {"user": "ana@x.example"}}
    rules = [first, *_by_source({"fact": "title_seniority", "equals": "vp"})]
    router = _router(rules)

    decision = router.route(_lead("Event"))

    assert decision.rule == "first"
    assert "title" not in decision.trace  # the title was never read


def router_facts(router: Router, lead: Lead) -> RecordFacts:
    return RecordFacts(lead, Match(lead.id, None, "none", 0.0), router.world, router.policy)
