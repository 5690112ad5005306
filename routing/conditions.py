"""Conditions over facts, compiled once when a policy loads.

A condition never raises on odd data: a value it cannot compare makes it false, and its
explanation says so. Strings compare case-insensitively, as CRM picklists do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import re2

Value = Any
FactReader = Callable[["FactSource"], Value]


class FactSource(Protocol):
    def fact(self, name: str) -> Value: ...


class Condition(Protocol):
    def holds(self, facts: FactSource) -> bool: ...

    def why_not(self, facts: FactSource) -> str | None:
        """None when the condition holds, else why not — in one pass, for the trace."""
        ...

    def explain(self, facts: FactSource) -> str: ...


def _fold(value: Value) -> Value:
    return value.casefold() if isinstance(value, str) else value


def _number(value: Value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "").strip())
        except ValueError:
            return None
    return None


def _is_set(value: Value) -> bool:
    return value is not None and value != "" and value != ()


def _comparable(value: Value) -> Value:
    if isinstance(value, datetime):
        return value
    number = _number(value)
    return number if number is not None else value


def _equals(expected: Value) -> Callable[[Value], bool]:
    if isinstance(expected, bool):
        return lambda v: (
            v is expected or (isinstance(v, str) and v.casefold() == str(expected).lower())
        )
    if isinstance(expected, int | float):
        return lambda v: _number(v) == float(expected)
    folded = _fold(expected)

    def equals(v: Value) -> bool:
        if v == expected:
            return True
        if isinstance(v, str):
            return bool(v.casefold() == folded)
        return v is not None and str(v) == expected

    return equals


def _in(options: Iterable[Value]) -> Callable[[Value], bool]:
    folded = frozenset(_fold(o) for o in options)
    return lambda v: (
        _fold(v) in folded
        if not isinstance(v, list | tuple)
        else any(_fold(x) in folded for x in v)
    )


def _starts_with(prefix: str) -> Callable[[Value], bool]:
    folded = prefix.casefold()
    return lambda v: isinstance(v, str) and v.casefold().startswith(folded)


def _contains(part: str) -> Callable[[Value], bool]:
    folded = part.casefold()
    return lambda v: isinstance(v, str) and folded in v.casefold()


# A `matches:` value longer than this is not searched (the condition is false, and its
# explanation gives the length): RE2 is linear, but a web form's 1 MB field times every
# condition of every lead still adds up.
MATCH_LIMIT = 65_536


def _matches(pattern: str) -> Callable[[Value], bool]:
    """RE2, not `re`: a policy's pattern meets text from public web forms, and `re`
    backtracks — `(a+)+$` against a crafted Company hangs it for good. RE2 runs in time
    linear in the text whatever the pattern."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    regex = re2.compile(pattern, options)
    return lambda v: isinstance(v, str) and len(v) <= MATCH_LIMIT and regex.search(v) is not None


def _compare(op: str, bound: Value) -> Callable[[Value], bool]:
    target = _comparable(bound)

    def test(value: Value) -> bool:
        left = _comparable(value)
        try:
            if op == "gt":
                return bool(left > target)
            if op == "gte":
                return bool(left >= target)
            if op == "lt":
                return bool(left < target)
            return bool(left <= target)
        except TypeError:
            return False

    return test


OPERATORS: dict[str, str] = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "starts_with": "starts with",
    "contains": "contains",
    "matches": "matches",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "is_set": "is set",
}


def make_test(op: str, operand: Value) -> Callable[[Value], bool]:
    """The predicate for one operator; raises ValueError for an unusable operand."""
    if op == "equals":
        return _equals(operand)
    if op == "not_equals":
        test = _equals(operand)
        return lambda v: not test(v)
    if op == "in":
        return _in(operand)
    if op == "not_in":
        inside = _in(operand)
        return lambda v: not inside(v)
    if op == "starts_with":
        return _starts_with(str(operand))
    if op == "contains":
        return _contains(str(operand))
    if op == "matches":
        try:
            return _matches(str(operand))
        except re2.error as exc:
            why = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
            raise ValueError(
                f"'{operand}' is not a regular expression LeadRelay can run ({why}): patterns "
                "run on RE2, which guarantees linear time and so has no backreferences (\\1) "
                "or lookaround ((?=…), (?<!…)) — rewrite it without them"
            ) from exc
    if op in ("gt", "gte", "lt", "lte"):
        _require_orderable(op, operand)
        return _compare(op, operand)
    if op == "is_set":
        wanted = bool(operand)
        return lambda v: _is_set(v) is wanted
    raise ValueError(f"unknown operator '{op}'")


def _require_orderable(op: str, bound: Value) -> None:
    """`lt: forty` would compare text with text and quietly never hold for a score."""
    if _number(bound) is not None or isinstance(bound, datetime):
        return
    if isinstance(bound, str):
        try:
            datetime.fromisoformat(bound.strip().replace("Z", "+00:00"))
            return
        except ValueError:
            pass
    raise ValueError(
        f"{op}: {show(bound)} is neither a number nor a date, so nothing would ever compare "
        f"with it — write a number (e.g. {op}: 40) or an ISO date (e.g. {op}: 2026-01-31)"
    )


def show(value: Value) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple | frozenset | set):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, str) and len(value) > _SHOWN_CHARACTERS:
        return f"{value[:_SHOWN_CHARACTERS]!r}… ({len(value):,} characters)"
    return repr(value) if isinstance(value, str) else str(value)


_SHOWN_CHARACTERS = 80  # a trace quotes a value; a 1 MB field is not copied into every line


_MAX_ANSWERS = 512


class Comparison:
    """`fact` `op` `operand`, e.g. tier equals 'Tier 1'."""

    __slots__ = ("fact", "op", "operand", "test", "label", "_question", "_answers")

    def __init__(
        self,
        fact: str,
        op: str,
        operand: Value,
        test: Callable[[Value], bool],
        label: str | None = None,  # how to show the operand, e.g. "group EMEA"
    ) -> None:
        self.fact, self.op, self.operand, self.test, self.label = fact, op, operand, test, label
        self._answers: dict[
            tuple[type, Value], str
        ] = {}  # value seen → why not; values repeat a lot
        if op == "is_set":
            self._question = f"{fact} {'is set' if operand else 'is empty'}? "
        else:
            self._question = f"{fact} {OPERATORS[op]} {label or show(operand)}? "

    def holds(self, facts: FactSource) -> bool:
        return self.test(facts.fact(self.fact))

    def why_not(self, facts: FactSource) -> str | None:
        value = facts.fact(self.fact)
        key = (value.__class__, value)  # True, 1 and 1.0 hash alike but may compare apart
        try:
            known = self._answers.get(key)
        except TypeError:  # an unhashable value: decide it afresh
            return None if self.test(value) else f"{self._question}no ({show(value)})"
        if known is not None:
            return known or None
        answer = "" if self.test(value) else f"{self._question}no ({show(value)})"
        if len(self._answers) < _MAX_ANSWERS:
            self._answers[key] = answer
        return answer or None

    def explain(self, facts: FactSource) -> str:
        value = facts.fact(self.fact)
        return f"{self._question}{'yes' if self.test(value) else 'no'} ({show(value)})"


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]

    def holds(self, facts: FactSource) -> bool:
        return all(item.holds(facts) for item in self.items)

    def why_not(self, facts: FactSource) -> str | None:
        for item in self.items:
            why = item.why_not(facts)
            if why is not None:
                return why
        return None

    def explain(self, facts: FactSource) -> str:
        return self.why_not(facts) or " and ".join(item.explain(facts) for item in self.items)


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]

    def holds(self, facts: FactSource) -> bool:
        return any(item.holds(facts) for item in self.items)

    def why_not(self, facts: FactSource) -> str | None:
        whys = []
        for item in self.items:
            why = item.why_not(facts)
            if why is None:
                return None
            whys.append(why)
        return " and ".join(whys)

    def explain(self, facts: FactSource) -> str:
        for item in self.items:
            if item.holds(facts):
                return item.explain(facts)
        return " and ".join(item.explain(facts) for item in self.items)


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition

    def holds(self, facts: FactSource) -> bool:
        return not self.item.holds(facts)

    def why_not(self, facts: FactSource) -> str | None:
        return f"not ({self.item.explain(facts)})" if self.item.holds(facts) else None

    def explain(self, facts: FactSource) -> str:
        return f"not ({self.item.explain(facts)})"


@dataclass(frozen=True, slots=True)
class Always:
    def holds(self, facts: FactSource) -> bool:
        return True

    def why_not(self, facts: FactSource) -> str | None:
        return None

    def explain(self, facts: FactSource) -> str:
        return "no condition"


ALWAYS = Always()


@dataclass(frozen=True, slots=True)
class FieldFacts:
    """Facts read straight from one record's fields, for conditions like `customer_when`."""

    prefix: str
    fields: Any

    def fact(self, name: str) -> Value:
        return self.fields.get(name.removeprefix(self.prefix))
