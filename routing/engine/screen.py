"""Rules screened by the comparison each starts with.

A policy often has a run of rules that all begin by comparing the same fact (`lead.LeadSource
is 'Webinar' and …`, one rule per source): for most records all but one or two of them fail
on that first comparison. A screen reads the fact once for the run and knows, per value, which
rules fail on it and why — the same words the rule itself would give — so the router only
evaluates the others. The fact is read where the run's first rule would read it anyway, so no
fact is read that the rules would not read, and the trace is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.conditions import AllOf, Comparison, Condition, FactSource, Value
from routing.policy import Rule

MIN_RUN = 3  # shorter runs save less than the screen costs
_MAX_VALUES = 512  # values remembered per run (like a comparison's answers)

Failed = tuple[tuple[str, str], ...]  # (rule name, why it fails on its first comparison)
Segments = tuple[tuple[Failed, Rule | None], ...]  # rules failed, then one to evaluate


@dataclass(slots=True)
class Run:
    fact: str
    rules: tuple[Rule, ...]
    firsts: tuple[Comparison, ...]
    _known: dict[tuple[type, Value], Segments] = field(default_factory=dict)

    def segments(self, facts: FactSource) -> Segments:
        """The run for this record's value: stretches of rules that fail on their first
        comparison (with why), each followed by a rule to evaluate whole (None at the end)."""
        value = facts.fact(self.fact)
        key = (value.__class__, value)
        try:
            known = self._known.get(key)
        except TypeError:  # an unhashable value: decide it afresh
            return self._segments(facts)
        if known is None:
            known = self._segments(facts)
            if len(self._known) < _MAX_VALUES:
                self._known[key] = known
        return known

    def _segments(self, facts: FactSource) -> Segments:
        found: list[tuple[Failed, Rule | None]] = []
        failed: list[tuple[str, str]] = []
        for rule, first in zip(self.rules, self.firsts, strict=True):
            why = first.why_not(facts)
            if why is not None:
                failed.append((rule.name, why))
                continue
            found.append((tuple(failed), rule))
            failed = []
        found.append((tuple(failed), None))
        return tuple(found)


def first_comparison(condition: Condition) -> Comparison | None:
    """The comparison a condition fails on first whenever that one fails."""
    if isinstance(condition, Comparison):
        return condition
    if (
        isinstance(condition, AllOf)
        and condition.items
        and isinstance(condition.items[0], Comparison)
    ):
        return condition.items[0]
    return None


def screen(rules: Sequence[Rule]) -> dict[int, Run]:
    """The runs of at least `MIN_RUN` rules starting with a comparison of one fact, by the
    position of their first rule."""
    runs: dict[int, Run] = {}
    firsts = [first_comparison(rule.when) for rule in rules]
    start = 0
    while start < len(rules):
        head = firsts[start]
        end = start + 1
        while head is not None and end < len(rules):
            other = firsts[end]
            if other is None or other.fact != head.fact:
                break
            end += 1
        if head is not None and end - start >= MIN_RUN:
            members = tuple(c for c in firsts[start:end] if c is not None)
            runs[start] = Run(head.fact, tuple(rules[start:end]), members)
        start = end
    return runs
