"""Compile the policy's `sla:` section: names become Ids, hours become calendars, and every
problem is reported with its path and its fix, like the rest of the policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.schema import CalendarModel, PolicyFile, SlaModel, SlaTargetModel
from routing.calendar import WEEKDAYS, BusinessCalendar, Deadline
from routing.policy import (
    CalendarChoice,
    EscalationLadder,
    FirstTouchRule,
    Rule,
    SlaPolicy,
    SlaTarget,
)
from routing.sla import ownership_rules


class Compiling(Protocol):
    """What the SLA compiler borrows from the policy compiler."""

    spec: PolicyFile
    users_by_key: dict[str, str]

    def problem(self, path: str, problem: str, fix: str) -> None: ...

    def resolve_user(self, key: str, path: str) -> str | None: ...


def compile_sla(compiler: Compiling, rules: Iterable[Rule]) -> SlaPolicy:
    spec = compiler.spec.sla
    if spec is None:
        return SlaPolicy()
    all_rules = tuple(rules)
    calendars = _calendars(compiler, spec)
    return SlaPolicy(
        targets=tuple(
            _target(compiler, t, f"sla.targets[{i}]", all_rules, spec)
            for i, t in enumerate(spec.targets)
        ),
        first_touch=first_touch_rule(spec),
        calendars=_calendar_choice(compiler, spec, calendars),
        ladder=EscalationLadder(
            spec.escalation.notify_manager, spec.escalation.reassign, spec.escalation.manager_after
        ),
        ownership_rules=ownership_rules(all_rules),
        team_of=_team_of(compiler),
    )


def first_touch_rule(spec: SlaModel | None) -> FirstTouchRule:
    """What counts as a first touch: from the policy file alone, no CRM needed."""
    if spec is None:
        return FirstTouchRule()
    return FirstTouchRule(
        status_leaves=frozenset(s.strip().casefold() for s in spec.first_touch.status_leaves),
        activity=spec.first_touch.activity,
        fields=tuple(spec.first_touch.fields),
        converted_counts=spec.first_touch.converted,
    )


def _target(
    compiler: Compiling,
    model: SlaTargetModel,
    path: str,
    rules: tuple[Rule, ...],
    spec: SlaModel,
) -> SlaTarget:
    _check_names(compiler, f"{path}.rules", model.rules, {r.name for r in rules}, "rule")
    pools = {p.name for p in compiler.spec.pools}
    _check_names(compiler, f"{path}.pools", model.pools, pools, "pool")
    scoring = compiler.spec.scoring
    tiers = {t.name for t in scoring.tiers} if scoring else set()
    _check_names(compiler, f"{path}.tiers", model.tiers, tiers, "tier")
    if model.business_hours is not None and not spec.calendars:
        compiler.problem(
            f"{path}.business_hours",
            "business hours need a business calendar",
            "add one under sla.calendars (time_zone, days, hours, holidays)",
        )
    due = Deadline(model.minutes, model.business_hours)
    return SlaTarget(model.name, due, _set(model.rules), _set(model.tiers), _set(model.pools))


def _check_names(
    compiler: Compiling, path: str, given: list[str] | None, known: set[str], kind: str
) -> None:
    for i, name in enumerate(given or ()):
        if name not in known:
            choices = ", ".join(sorted(known)) or "none"
            compiler.problem(f"{path}[{i}]", f"no {kind} named '{name}'", f"use one of: {choices}")


def _set(names: list[str] | None) -> frozenset[str] | None:
    return None if names is None else frozenset(names)


def _calendars(compiler: Compiling, spec: SlaModel) -> dict[str, BusinessCalendar]:
    calendars = {}
    for name, model in spec.calendars.items():
        calendar = _calendar(compiler, name, model, f"sla.calendars.{name}")
        if calendar is not None:
            calendars[name] = calendar
    return calendars


def _calendar(
    compiler: Compiling, name: str, model: CalendarModel, path: str
) -> BusinessCalendar | None:
    try:
        ZoneInfo(model.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        compiler.problem(
            f"{path}.time_zone",
            f"unknown time zone '{model.time_zone}'",
            "use an IANA name such as Europe/London or America/Chicago",
        )
        return None
    opens, closes = (time.fromisoformat(part) for part in model.hours.split("-"))
    try:
        return BusinessCalendar(
            name,
            model.time_zone,
            frozenset(WEEKDAYS.index(d) for d in model.days),
            opens,
            closes,
            frozenset(model.holidays),
        )
    except ValueError as exc:
        compiler.problem(f"{path}.hours", str(exc), "write the hours as 09:00-17:00")
        return None


def _calendar_choice(
    compiler: Compiling, spec: SlaModel, calendars: Mapping[str, BusinessCalendar]
) -> CalendarChoice:
    by_user: dict[str, str] = {}
    by_region: dict[str, str] = {}
    for name, model in spec.calendars.items():
        path = f"sla.calendars.{name}"
        for i, key in enumerate(model.users):
            user_id = compiler.resolve_user(key, f"{path}.users[{i}]")
            if user_id:
                by_user.setdefault(user_id, name)
        for i, pool_name in enumerate(model.pools):
            for user_id in _pool_members(compiler, pool_name, f"{path}.pools[{i}]"):
                by_user.setdefault(user_id, name)
        _check_regions(compiler, model.regions, path)
        for region in model.regions:
            by_region.setdefault(region.casefold(), name)
    default = spec.default_calendar
    if default is not None and default not in spec.calendars:
        compiler.problem(
            "sla.default_calendar",
            f"no calendar named '{default}'",
            f"use one of: {', '.join(spec.calendars) or 'none (add sla.calendars)'}",
        )
    return CalendarChoice(calendars, by_user, by_region, default)


def _check_regions(compiler: Compiling, regions: list[str], path: str) -> None:
    known = {t.name.casefold() for t in compiler.spec.territories}
    known |= {t.region.casefold() for t in compiler.spec.territories if t.region}
    for i, region in enumerate(regions):
        if region.casefold() not in known:
            compiler.problem(
                f"{path}.regions[{i}]",
                f"no territory or region named '{region}'",
                "use a territory's name or its region from `territories`",
            )


def _pool_members(compiler: Compiling, pool_name: str, path: str) -> list[str]:
    pool = next((p for p in compiler.spec.pools if p.name == pool_name), None)
    if pool is None:
        compiler.problem(path, f"no pool named '{pool_name}'", "check the name under pools")
        return []
    keys = [m if isinstance(m, str) else m.user for m in pool.members]
    return [u for u in (compiler.users_by_key.get(k.strip().casefold()) for k in keys) if u]


def _team_of(compiler: Compiling) -> dict[str, str]:
    """Each user's first team, for per-team reports; unknown names are reported elsewhere."""
    team_of: dict[str, str] = {}
    for name, team in compiler.spec.teams.items():
        keys = list(team.users)
        for pool_name in team.pools:
            pool = next((p for p in compiler.spec.pools if p.name == pool_name), None)
            keys += [m if isinstance(m, str) else m.user for m in (pool.members if pool else [])]
        for key in keys:
            user_id = compiler.users_by_key.get(key.strip().casefold())
            if user_id:
                team_of.setdefault(user_id, name)
    return team_of
