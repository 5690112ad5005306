from __future__ import annotations

from typing import Any

import pytest

from routing.conditions import MATCH_LIMIT, AllOf, AnyOf, Comparison, Not, make_test


class Facts:
    def __init__(self, **values: Any) -> None:
        self.values = values

    def fact(self, name: str) -> Any:
        return self.values.get(name)


def cond(fact: str, op: str, operand: Any) -> Comparison:
    return Comparison(fact, op, operand, make_test(op, operand))


def test_strings_compare_case_insensitively() -> None:
    assert cond("tier", "equals", "Tier 1").holds(Facts(tier="TIER 1"))
    assert cond("s", "starts_with", "Closed").holds(Facts(s="closed - converted"))
    assert cond("c", "in", ["US", "CA"]).holds(Facts(c="ca"))


def test_numbers_compare_as_numbers_even_when_typed_as_text() -> None:
    assert cond("score", "lt", 40).holds(Facts(score=35))
    assert not cond("score", "lt", 40).holds(Facts(score="1,200"))
    assert cond("score", "gte", 80).holds(Facts(score="85"))


def test_garbage_is_false_not_an_exception() -> None:
    assert not cond("score", "lt", 40).holds(Facts(score="abc"))
    assert not cond("score", "lt", 40).holds(Facts(score=None))
    assert not cond("s", "starts_with", "x").holds(Facts(s=12))


def test_booleans_accept_typed_and_text_values() -> None:
    assert cond("b", "equals", False).holds(Facts(b=False))
    assert cond("b", "equals", False).holds(Facts(b="false"))
    assert not cond("b", "equals", False).holds(Facts(b=None))


def test_is_set_treats_blank_as_missing() -> None:
    assert cond("t", "is_set", False).holds(Facts(t=""))
    assert cond("t", "is_set", True).holds(Facts(t="NA East"))


def test_explanations_say_what_was_seen() -> None:
    facts = Facts(tier="Tier 2", territory=None)
    both = AllOf((cond("tier", "equals", "Tier 1"), cond("territory", "is_set", True)))
    assert not both.holds(facts)
    assert both.explain(facts) == "tier is 'Tier 1'? no ('Tier 2')"
    assert Not(cond("territory", "is_set", True)).holds(facts)
    assert (
        AnyOf((cond("tier", "equals", "Tier 2"),)).explain(facts)
        == "tier is 'Tier 2'? yes ('Tier 2')"
    )


def test_a_bad_regular_expression_is_refused_when_the_policy_loads() -> None:
    with pytest.raises(ValueError, match="not a regular expression LeadRelay can run"):
        make_test("matches", "(")


def test_a_remembered_answer_is_never_given_for_a_look_alike_value() -> None:
    is_true = cond("flag", "equals", True)
    assert is_true.why_not(Facts(flag=True)) is None
    assert is_true.why_not(Facts(flag=1)) is not None  # 1 == True in Python, not in a CRM
    assert is_true.why_not(Facts(flag=True)) is None


def test_a_pattern_that_backtracks_in_re_runs_in_linear_time() -> None:
    nested = cond("company", "matches", "^(a+)+$")
    assert not nested.holds(Facts(company="a" * 40 + "!"))  # `re` would run for ever
    assert nested.holds(Facts(company="AAAA"))


def test_backreferences_and_lookaround_are_refused_with_the_fix() -> None:
    for pattern in (r"(\w)\1", "(?=x)y", "(?<!a)b"):
        with pytest.raises(ValueError, match="RE2.*rewrite it without them"):
            make_test("matches", pattern)


def test_a_value_past_the_match_limit_is_not_searched_and_says_how_long() -> None:
    huge = "acme" + "x" * MATCH_LIMIT
    condition = cond("company", "matches", "acme")
    assert not condition.holds(Facts(company=huge))
    why = condition.why_not(Facts(company=huge)) or ""
    assert f"({len(huge):,} characters)" in why and len(why) < 200
