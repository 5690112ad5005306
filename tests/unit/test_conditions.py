from __future__ import annotations

from typing import Any

import pytest

from routing.conditions import AllOf, AnyOf, Comparison, Not, make_test


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
    with pytest.raises(ValueError, match="not a valid regular expression"):
        make_test("matches", "(")


def test_a_remembered_answer_is_never_given_for_a_look_alike_value() -> None:
    is_true = cond("flag", "equals", True)
    assert is_true.why_not(Facts(flag=True)) is None
    assert is_true.why_not(Facts(flag=1)) is not None  # 1 == True in Python, not in a CRM
    assert is_true.why_not(Facts(flag=True)) is None
