"""Everything a policy names, checked in one walk: each value a condition compares with a set
the policy defines (tiers, territories, regions, objects, title words) or the CRM defines
(picklist values), and each name it refers to (pools, steps, teams, country groups, rules).

`structure_problems` needs no CRM; `crm_value_findings` takes the CRM's picklists. A finding is
an error unless it is a warning (a value no record holds in a CRM that has no picklists).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from config.errors import PolicyProblem
from config.schema import (
    AllModel,
    AnyModel,
    ByFactTarget,
    CasesTarget,
    FirstOfTarget,
    NotModel,
    OwnerOfTarget,
    PolicyFile,
    PoolTarget,
    RuleModel,
    TestModel,
)
from connectors.schema import close_names
from routing.titles import FUNCTIONS, SENIORITIES

ACCOUNT_PREFIXES = ("account.", "customer.", "parent.")


@dataclass(frozen=True, slots=True)
class Compared:
    """One value the policy compares a fact with, and where it is written."""

    path: str
    fact: str
    value: Any
    objects: tuple[str, ...]  # what `lead.` reads here


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    problem: str
    fix: str
    warning: bool = False

    def as_problem(self) -> PolicyProblem:
        return PolicyProblem(self.path, self.problem, self.fix)


# --- the walk --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyNames:
    """Every value the policy compares and every name it refers to: one walk of the policy,
    which the structure check and the CRM's value check both read."""

    spec: PolicyFile
    compared: tuple[Compared, ...]
    refs: tuple[tuple[str, str, str], ...]  # (path, kind, name)


def policy_names(spec: PolicyFile) -> PolicyNames:
    walk = _Walk(spec).run()
    return PolicyNames(spec, tuple(walk.compared), tuple(walk.refs))


class _Walk:
    """Every compared value and every name reference, in policy order, in one pass."""

    def __init__(self, spec: PolicyFile) -> None:
        self.spec = spec
        self.routed = tuple(spec.objects)
        self.compared: list[Compared] = []
        self.refs: list[tuple[str, str, str]] = []  # (path, kind, name)

    def run(self) -> _Walk:
        spec = self.spec
        self.compile_condition(spec.routable.when, "routable.when")
        self.compile_condition(spec.open_lead, "open_lead")
        self.compile_condition(spec.customer_when, "customer_when")
        self._rules(spec.rules, "rules")
        for name, rules in spec.steps.items():
            self._rules(rules, f"steps.{name}")
        for i, pool in enumerate(spec.pools):
            if pool.overflow is not None:
                self._target(pool.overflow, f"pools[{i}].overflow")
        for i, territory in enumerate(spec.territories):
            for j, place in enumerate(territory.where):
                if place.group is not None:
                    self.refs.append((f"territories[{i}].where[{j}].group", "group", place.group))
        for name, team in spec.teams.items():
            for i, pool_name in enumerate(team.pools):
                self.refs.append((f"teams.{name}.pools[{i}]", "pool", pool_name))
        self._scoring()
        self._sla()
        if spec.hold is not None:
            for i, rule in enumerate(spec.hold.rules):
                self.compile_condition(rule.when, f"hold.rules[{i}].when", tuple(rule.objects))
        return self

    def compile_condition(
        self, model: Any, path: str, objects: tuple[str, ...] | None = None
    ) -> None:
        if isinstance(model, AllModel | AnyModel):
            key = "all" if isinstance(model, AllModel) else "any"
            for i, child in enumerate(getattr(model, key)):
                self.compile_condition(child, f"{path}.{key}[{i}]", objects)
        elif isinstance(model, NotModel):
            self.compile_condition(model.not_, f"{path}.not", objects)
        elif isinstance(model, TestModel):
            self._test(model, path, objects or self.routed)

    def _test(self, model: TestModel, path: str, objects: tuple[str, ...]) -> None:
        op, operand = model.operator()
        fact = model.fact.strip()
        if op == "in_group":
            self.refs.append((f"{path}.in_group", "group", str(operand)))
        elif op in ("equals", "not_equals"):
            self.compared.append(Compared(f"{path}.{op}", fact, operand, objects))
        elif op in ("in", "not_in"):
            for i, value in enumerate(operand or ()):
                self.compared.append(Compared(f"{path}.{op}[{i}]", fact, value, objects))

    def _rules(self, rules: list[RuleModel], path: str) -> None:
        for i, rule in enumerate(rules):
            self.compile_condition(rule.when, f"{path}[{i}].when")
            if rule.assign is not None:
                self._target(rule.assign, f"{path}[{i}].assign")
            if rule.step is not None:
                self.refs.append((f"{path}[{i}].step", "step", rule.step))

    def _target(self, model: Any, path: str) -> None:
        if isinstance(model, PoolTarget):
            self.refs.append((f"{path}.pool", "pool", model.pool))
        elif isinstance(model, OwnerOfTarget) and model.owner.team is not None:
            self.refs.append((f"{path}.owner.team", "team", model.owner.team))
        elif isinstance(model, ByFactTarget):
            for key, choice in model.map.items():
                where = f"{path}.map.{key}"
                self.compared.append(Compared(where, model.by.strip(), key, self.routed))
                self._target(choice, f"{path}.map.{key}")
            if model.default is not None:
                self._target(model.default, f"{path}.default")
        elif isinstance(model, CasesTarget):
            for i, case in enumerate(model.cases):
                self.compile_condition(case.when, f"{path}.cases[{i}].when")
                self._target(case.assign, f"{path}.cases[{i}].assign")
            if model.default is not None:
                self._target(model.default, f"{path}.default")
        elif isinstance(model, FirstOfTarget):
            for i, option in enumerate(model.first_of):
                self._target(option, f"{path}.first_of[{i}]")

    def _scoring(self) -> None:
        if self.spec.scoring is None:
            return
        for i, signal in enumerate(self.spec.scoring.signals):
            facts = [f"{s}.{signal.field.strip()}" for s in signal.from_ if s != "title"]
            for j, choice in enumerate(signal.values or ()):
                for k, value in enumerate(choice.in_):
                    where = f"scoring.signals[{i}].values[{j}].in[{k}]"
                    for fact in facts:
                        self.compared.append(Compared(where, fact, value, self.routed))

    def _sla(self) -> None:
        sla = self.spec.sla
        if sla is None:
            return
        for i, status in enumerate(sla.first_touch.status_leaves):
            path = f"sla.first_touch.status_leaves[{i}]"
            self.compared.append(Compared(path, "lead.Status", status, self.routed))
        for i, target in enumerate(sla.targets):
            for kind, names in (("rule", target.rules), ("tier", target.tiers)):
                for j, name in enumerate(names or ()):
                    self.refs.append((f"sla.targets[{i}].{kind}s[{j}]", kind, name))
            for j, name in enumerate(target.pools or ()):
                self.refs.append((f"sla.targets[{i}].pools[{j}]", "pool", name))
        for name, calendar in sla.calendars.items():
            for j, pool_name in enumerate(calendar.pools):
                self.refs.append((f"sla.calendars.{name}.pools[{j}]", "pool", pool_name))
            for j, region in enumerate(calendar.regions):
                self.refs.append((f"sla.calendars.{name}.regions[{j}]", "place", region))
        if sla.default_calendar is not None:
            self.refs.append(("sla.default_calendar", "calendar", sla.default_calendar))


# --- what the policy defines -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Defined:
    """A closed set: its names, what a name is called, and where to define one."""

    names: tuple[str, ...]
    what: str
    where: str


def _defined(spec: PolicyFile) -> dict[str, _Defined]:
    tiers = tuple(t.name for t in spec.scoring.tiers) if spec.scoring else ()
    territories = tuple(t.name for t in spec.territories)
    regions = tuple(dict.fromkeys(t.region for t in spec.territories if t.region))
    rules = [r.name for r in spec.rules] + [r.name for s in spec.steps.values() for r in s]
    sla = spec.sla
    return {
        "tier": _Defined(tiers, "tier", "scoring.tiers"),
        "territory": _Defined(territories, "territory", "territories"),
        "region": _Defined(regions, "region", "territories[].region"),
        "object": _Defined(tuple(spec.objects), "object the policy routes", "objects"),
        "location_source": _Defined(("account", "lead"), "address source", "—"),
        "title_seniority": _Defined(SENIORITIES, "title seniority", "—"),
        "title_function": _Defined(FUNCTIONS, "title function", "—"),
        "group": _Defined(tuple(spec.country_groups), "country group", "country_groups"),
        "pool": _Defined(tuple(p.name for p in spec.pools), "pool", "pools"),
        "step": _Defined(tuple(spec.steps), "step", "steps"),
        "team": _Defined(tuple(spec.teams), "team", "teams"),
        "rule": _Defined(tuple(rules), "rule", "rules or steps"),
        "place": _Defined(territories + regions, "territory or region", "territories"),
        "calendar": _Defined(tuple(sla.calendars) if sla else (), "calendar", "sla.calendars"),
    }


def structure_problems(names: PolicyNames) -> list[Finding]:
    """What the policy itself says cannot match: a value no tier, territory, region… has,
    and a name no pool, step, team, group, rule or calendar has. Needs no CRM."""
    defined = _defined(names.spec)
    findings = [f for c in names.compared if (f := _closed_value(c, defined))]
    for path, kind, name in names.refs:
        found = _unknown_name(path, name, defined[kind])
        if found is not None:
            findings.append(found)
    return findings


def _closed_value(compared: Compared, defined: Mapping[str, _Defined]) -> Finding | None:
    closed = defined.get(compared.fact)
    if closed is None or not isinstance(compared.value, str):
        return None
    if compared.value.strip().casefold() in {n.casefold() for n in closed.names}:
        return None
    if not closed.names:
        return Finding(
            compared.path,
            f"'{compared.value}' is compared with {compared.fact}, but the policy defines no "
            f"{closed.what} (no {closed.where}), so it never matches",
            f"define {closed.where}, or remove this comparison",
        )
    return Finding(
        compared.path,
        f"no {closed.what} is named '{compared.value}', so {compared.fact} never equals it",
        f"{_did_you_mean(compared.value, closed.names)}use one of: {', '.join(closed.names)}",
    )


def _unknown_name(path: str, name: str, closed: _Defined) -> Finding | None:
    if name in closed.names or (closed.what == "territory or region" and _folded_in(name, closed)):
        return None
    choices = ", ".join(closed.names) or f"none (add {closed.where})"
    return Finding(
        path,
        f"no {closed.what} named '{name}'",
        f"{_did_you_mean(name, closed.names)}define it under {closed.where}, or use one of: "
        f"{choices}",
    )


def _folded_in(name: str, closed: _Defined) -> bool:
    return name.casefold() in {n.casefold() for n in closed.names}


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = close_names(name.strip(), tuple(known))
    return f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""


# --- what the CRM defines --------------------------------------------------------------------

# (object, field) → the values the CRM allows, or None when it does not say
ValuesOf = Callable[[str, str], frozenset[str] | None]


def crm_value_findings(names: PolicyNames, values_of: ValuesOf, *, source: str) -> list[Finding]:
    """Each value compared with CRM fields whose values the CRM lists (a Salesforce picklist,
    a HubSpot enumeration property) that no such list has: a value one of the fields read
    there allows (a scoring signal's account or lead field, a Lead or a Contact) can match.
    `source` names the lists ("picklist"); "values seen…" (a CRM without picklists, judged by
    its records) only warns."""
    warning = source != "picklist"
    by_path: dict[str, list[Compared]] = {}
    for compared in names.compared:
        if isinstance(compared.value, str) and compared.value.strip():
            by_path.setdefault(compared.path, []).append(compared)
    findings = []
    for same_place in by_path.values():
        value = same_place[0].value
        lists = [
            (object, field, values_of(object, field))
            for compared in same_place
            for object, field in _fields_of(compared)
        ]
        if not lists or any(allowed is None or _allowed(value, allowed) for *_, allowed in lists):
            continue
        object, field, allowed = lists[0]
        assert allowed is not None
        findings.append(_not_a_value(same_place[0], object, field, allowed, source, warning))
    return findings


def _fields_of(compared: Compared) -> Iterator[tuple[str, str]]:
    prefix, dot, field = compared.fact.partition(".")
    if not dot or not field:
        return
    if f"{prefix}." in ACCOUNT_PREFIXES:
        yield "Account", field
    elif prefix == "lead":
        for object in compared.objects:
            yield object, field


def _allowed(value: str, allowed: frozenset[str]) -> bool:
    folded = value.strip().casefold()
    return any(a.casefold() == folded for a in allowed)


def _not_a_value(
    compared: Compared,
    object: str,
    field: str,
    allowed: frozenset[str],
    source: str,
    warning: bool,
) -> Finding:
    shown = sorted(allowed)
    listed = ", ".join(shown[:12]) + (f", … ({len(shown)} in all)" if len(shown) > 12 else "")
    if warning:
        problem = f"no {object} in the CRM has {field} '{compared.value}' ({source})"
    else:
        problem = f"{object}.{field} has no {source} value '{compared.value}', so it never matches"
    return Finding(
        compared.path,
        problem,
        f"{_did_you_mean(compared.value, shown)}use one of: {listed}",
        warning,
    )


# --- rule names in paths ---------------------------------------------------------------------

_RULE_PATH = re.compile(r"^(rules|steps\.[^\[]+)\[(\d+)\](?! \()")  # not named yet

RuleNames = Mapping[str, Sequence[object]]  # "rules" / "steps.NAME" → each rule's name


def named_path(spec: PolicyFile, path: str) -> str:
    """`rules[8].when` → `rules[8] (tier1-enterprise).when`: the rule an admin knows."""
    names = {"rules": [r.name for r in spec.rules]}
    names |= {f"steps.{step}": [r.name for r in rules] for step, rules in spec.steps.items()}
    return name_rule_in_path(path, names)


def raw_rule_names(raw: Mapping[str, Any]) -> RuleNames:
    """The same names from the YAML as read, for a file the schema refused."""

    def names(rules: object) -> list[object]:
        listed = rules if isinstance(rules, list) else []
        return [rule.get("name") if isinstance(rule, dict) else None for rule in listed]

    steps = raw.get("steps")
    found = {"rules": names(raw.get("rules"))}
    if isinstance(steps, dict):
        found |= {f"steps.{step}": names(rules) for step, rules in steps.items()}
    return found


def name_rule_in_path(path: str, names: RuleNames) -> str:
    found = _RULE_PATH.match(path)
    if found is None:
        return path
    section, index = found.group(1), int(found.group(2))
    rules = names.get(section)
    if rules is None or index >= len(rules) or not isinstance(rules[index], str):
        return path
    return f"{found.group(0)} ({rules[index]}){path[found.end() :]}"
