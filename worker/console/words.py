"""A policy's conditions and targets in words, read from the policy file as written (names, not
CRM Ids), so the diagram needs no CRM and says what a person wrote."""

from __future__ import annotations

from typing import Any

from config.schema import (
    AllModel,
    AnyModel,
    ByFactTarget,
    CasesTarget,
    FirstOfTarget,
    NotModel,
    OwnerOfTarget,
    PoolTarget,
    QueueTarget,
    TestModel,
    UserTarget,
)

OPERATORS = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "in_group": "is in group",
    "starts_with": "starts with",
    "contains": "contains",
    "matches": "matches",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
}
OWNER_SOURCES = {
    "open_opportunity": "the open opportunity's owner",
    "customer": "the customer's owner",
    "account": "the account's owner",
    "ultimate_parent": "the ultimate parent account's owner",
}


def condition(model: Any) -> str:
    """`{fact: tier, equals: Tier 1}` → `tier is Tier 1`; all/any/not joined in words."""
    if model is None:
        return "always"
    if isinstance(model, AllModel):
        return " and ".join(_grouped(item) for item in model.all)
    if isinstance(model, AnyModel):
        return " or ".join(_grouped(item) for item in model.any)
    if isinstance(model, NotModel):
        return f"not ({condition(model.not_)})"
    assert isinstance(model, TestModel)
    key, operand = model.operator()
    if key == "is_set":
        return f"{model.fact} is {'set' if operand else 'not set'}"
    return f"{model.fact} {OPERATORS[key]} {value(operand)}"


def _grouped(model: Any) -> str:
    text = condition(model)
    return f"({text})" if isinstance(model, AllModel | AnyModel) else text


def value(operand: Any) -> str:
    if isinstance(operand, bool):
        return "true" if operand else "false"
    if isinstance(operand, list | tuple):
        return ", ".join(value(item) for item in operand)
    if isinstance(operand, float) and operand.is_integer():
        return str(int(operand))
    return str(operand)


def owner_of(target: OwnerOfTarget) -> str:
    accepts = target.owner
    notes = ["active" if accepts.active else "active or not"]
    if accepts.available:
        notes.append("available")
    if accepts.team:
        notes.append(f"in team {accepts.team}")
    if accepts.exclude:
        notes.append("not " + ", ".join(accepts.exclude))
    return f"{OWNER_SOURCES.get(target.owner_of, target.owner_of)}: {', '.join(notes)}"


def leaf(target: Any) -> tuple[str, str] | None:
    """(kind, name) of a target that names one owner or pool; None for a choice of targets."""
    if isinstance(target, UserTarget):
        return "user", target.user
    if isinstance(target, QueueTarget):
        return "queue", target.queue
    if isinstance(target, PoolTarget):
        return "pool", target.pool
    if isinstance(target, OwnerOfTarget):
        return "owner", owner_of(target)
    return None


def branches(target: Any) -> list[tuple[str, Any]]:
    """The labelled choices of a target that picks among others (by a fact, cases, first of)."""
    if isinstance(target, ByFactTarget):
        found = [(f"{target.by} = {key}", choice) for key, choice in target.map.items()]
        return found + ([(f"{target.by}: any other", target.default)] if target.default else [])
    if isinstance(target, CasesTarget):
        found = [(f"if {condition(case.when)}", case.assign) for case in target.cases]
        return found + ([("otherwise", target.default)] if target.default else [])
    if isinstance(target, FirstOfTarget):
        return [(_ordinal(n), choice) for n, choice in enumerate(target.first_of, 1)]
    return []


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th") + " choice"
