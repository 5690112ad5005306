"""Load a policy file and compile it against a CRM: names become Ids, conditions become
predicates, and every problem is reported at once with its path and its fix."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config.availability import compile_availability
from config.caps import compile_caps, with_member_caps
from config.check import (
    PolicyNames,
    name_rule_in_path,
    named_path,
    policy_names,
    raw_rule_names,
    structure_problems,
)
from config.errors import PolicyError, PolicyProblem, problems_from_validation
from config.insights import compile_hold, compile_notifications
from config.schema import (
    AccountChangeModel,
    AllModel,
    AnyModel,
    BestFitModel,
    ByFactTarget,
    CasesTarget,
    FirstOfTarget,
    NotModel,
    OwnerOfTarget,
    PolicyFile,
    PoolModel,
    PoolTarget,
    QueueTarget,
    RuleModel,
    ScoringModelSpec,
    SignalModel,
    StickyModel,
    TerritoryModel,
    TestModel,
    TitlesModel,
    UserTarget,
)
from config.sla import compile_sla
from config.titles import compile_titles
from config.yaml_strict import make_strict
from routing.bestfit import parse_segment_field
from routing.conditions import ALWAYS, AllOf, AnyOf, Comparison, Condition, Not, make_test
from routing.matching import MatchSettings
from routing.model import ACCOUNT, OPPORTUNITY, CrmSnapshot
from routing.ownership import queue_refusal
from routing.policy import (
    BEST_FIT,
    FACTS,
    FIELD_PREFIXES,
    LOAD_BALANCED,
    ROUND_ROBIN,
    UNOWNED,
    AccountChange,
    AvailabilityPolicy,
    Band,
    BestFit,
    ByFact,
    Case,
    Cases,
    Choice,
    FirstOf,
    Member,
    OwnerFilter,
    Pool,
    RoutingPolicy,
    Rule,
    ScoringModel,
    Signal,
    StickyPolicy,
    Target,
    Tier,
    ToOwnerOf,
    ToPool,
    ToQueue,
    ToUser,
    known_fact,
    schedule_of,
)
from routing.record_ids import resolve
from routing.territory import Place, Territory, TerritoryMap, country_code, state_code
from routing.titles import TitleSettings

__all__ = ["PolicyError", "PolicyProblem", "load_policy", "compile_policy", "policy_json_schema"]


def policy_json_schema() -> dict[str, Any]:
    return PolicyFile.model_json_schema(by_alias=True)


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PolicyLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """YAML 1.2 booleans: only true/false. YAML 1.1 also reads yes/no/on/off as booleans,
    which turns Norway (NO) and Ontario (ON) into false and true in a territory list.
    libyaml's parser when PyYAML has it (the worker reads the policy before every batch: a
    50-rule, 200-pool policy parses in 20 ms rather than 200 ms); resolving stays PyYAML's."""


_PolicyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PolicyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
make_strict(_PolicyLoader)  # a key written twice, an impossible date: errors, not silence


def read_policy_file(path: Path) -> PolicyFile:
    source = str(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_PolicyLoader)  # noqa: S506
    except FileNotFoundError:
        raise PolicyError(
            source, [PolicyProblem("", "the file does not exist", "check the path")]
        ) from None
    except OSError as exc:  # a folder, no permission
        raise PolicyError(
            source,
            [PolicyProblem("", f"cannot be read ({exc.strerror})", "give the policy YAML file")],
        ) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError(
            source, [PolicyProblem("", f"not valid YAML: {yaml_problem(exc)}", "fix the syntax")]
        ) from None
    if raw is None:
        raise PolicyError(
            source,
            [PolicyProblem("", "the policy is empty", "start from config/examples/acme.yaml")],
        )
    if not isinstance(raw, dict):
        raise PolicyError(
            source,
            [
                PolicyProblem(
                    "",
                    "the policy must be a mapping of sections",
                    "start from config/examples/acme.yaml",
                )
            ],
        )
    try:
        return PolicyFile.model_validate(raw)
    except ValidationError as exc:
        names = raw_rule_names(raw)
        problems = [
            dataclasses.replace(p, path=name_rule_in_path(p.path, names))
            for p in problems_from_validation(exc)
        ]
        raise PolicyError(source, problems) from None


def yaml_problem(error: Exception) -> str:
    """PyYAML's message without its `in "<unicode string>"` (the file is named before it)."""
    if not isinstance(error, yaml.MarkedYAMLError) or error.problem_mark is None:
        return str(error)
    mark = error.problem_mark
    context = f" ({error.context})" if error.context else ""
    return f"line {mark.line + 1}, column {mark.column + 1}: {error.problem}{context}"


def load_policy(path: Path, snapshot: CrmSnapshot, *, as_they_arrive: bool = True) -> RoutingPolicy:
    return compile_policy(
        read_policy_file(path), snapshot, source=str(path), as_they_arrive=as_they_arrive
    )


def compile_policy(
    spec: PolicyFile,
    snapshot: CrmSnapshot,
    source: str = "policy",
    *,
    as_they_arrive: bool = True,
    names: PolicyNames | None = None,
) -> RoutingPolicy:
    """`as_they_arrive=False` (backfill): the objects the CRM says it does not route as they
    arrive (`CrmProfile.unroutable`) are no problem, since they are reassigned in bulk.
    `names`: the policy's names already walked (`policy check` walks it once)."""
    if not snapshot.users and not snapshot.queues:
        empty = PolicyProblem(
            "",
            "the CRM has no users and no queues, so no owner in the policy can be found",
            "check --crm: a csv: folder needs User.csv and Group.csv; a CRM needs its users",
        )
        raise PolicyError(source, [empty])
    compiler = _Compiler(spec, snapshot, as_they_arrive=as_they_arrive)
    policy = compiler.compile()
    problems = _with_structure(names or policy_names(spec), compiler.problems)
    if problems and not snapshot.users:
        no_users = PolicyProblem(
            "",
            "the CRM has no users at all, so no user the policy names can be found",
            "check --crm: a csv: folder needs User.csv (the User export); a CRM needs its users",
        )
        problems = [no_users, *problems]
    if problems:
        named = [dataclasses.replace(p, path=named_path(spec, p.path)) for p in problems]
        raise PolicyError(source, named)
    return policy


def _with_structure(names: PolicyNames, problems: list[PolicyProblem]) -> list[PolicyProblem]:
    """The compiler's problems and what the policy's own sets say cannot match (a tier no
    tier has); where both see a slip, the structure check's (it says what was meant)."""
    structure = [f.as_problem() for f in structure_problems(names) if not f.warning]
    named = {p.path for p in structure}
    return [*(p for p in problems if p.path not in named), *structure]


def policy_warnings(policy: RoutingPolicy, snapshot: CrmSnapshot) -> list[str]:
    """What is legal but will surprise: pools nobody in which can take a lead."""
    warnings = []
    for pool in policy.pools.values():
        members = [snapshot.users[m.user_id] for m in pool.members if m.user_id in snapshot.users]
        if members and not any(u.is_active for u in members):
            warnings.append(
                f"pool '{pool.name}': every member is inactive, so it will always "
                "overflow or fall through — add an active member"
            )
    if not snapshot.users:
        warnings.append("the CRM has no users: every record will go to queues or the fallback")
    return warnings + _schedule_warnings(policy, snapshot) + _object_warnings(policy, snapshot)


def _schedule_warnings(policy: RoutingPolicy, snapshot: CrmSnapshot) -> list[str]:
    """Pool members whose hours, time zone or absence cannot be read: never always on."""
    if policy.availability == AvailabilityPolicy():
        return []
    members = {m.user_id for pool in policy.pools.values() for m in pool.members}
    return [
        f"user {user.name} ({user.id}): {problem} — they take no leads until it is fixed"
        for user_id in sorted(members)
        if (user := snapshot.users.get(user_id)) is not None
        and (problem := schedule_of(user, policy.availability).problem) is not None
    ]


def _object_warnings(policy: RoutingPolicy, snapshot: CrmSnapshot) -> list[str]:
    """A policy object with no record at all, beside records of another: likely the wrong one."""
    counts = Counter(lead.object for lead in snapshot.leads)
    others = ", ".join(
        f"{n} {name}" for name, n in sorted(counts.items()) if name not in policy.objects
    )
    warnings = [
        f"objects: the CRM has no {name} record to route, but it has {others}: "
        f"check `objects` (it routes {', '.join(policy.objects)})"
        for name in policy.objects
        if others and not counts[name] and name not in (ACCOUNT, OPPORTUNITY)
    ]
    if snapshot.profile.name.casefold() == "hubspot" and {"Lead", "Contact"} <= set(policy.objects):
        warnings.append(
            "objects: a HubSpot lead and its contact are one person, and routing both may give "
            "them two owners — route one of Lead (HubSpot's Leads object) or Contact"
        )
    return warnings


class _Compiler:
    def __init__(
        self, spec: PolicyFile, snapshot: CrmSnapshot, *, as_they_arrive: bool = True
    ) -> None:
        self.spec = spec
        self.snapshot = snapshot
        self.as_they_arrive = as_they_arrive
        self.problems: list[PolicyProblem] = []
        self.users_by_key = _users_by_key(snapshot)
        self.queues_by_key = {q.name.casefold(): q.id for q in snapshot.queues.values()}
        self.queues_by_key.update({q.id.casefold(): q.id for q in snapshot.queues.values()})
        self.groups: dict[str, frozenset[str]] = {}
        self.pool_names = {p.name for p in spec.pools}
        self.queue_owners = _queue_owners(spec, snapshot)
        self.lead_fields = _field_names(_routed_fields(snapshot, spec.objects))
        self.account_fields = _field_names(a.fields for a in snapshot.accounts.values())

    def problem(self, path: str, problem: str, fix: str) -> None:
        self.problems.append(PolicyProblem(path, problem, fix))

    def compile(self) -> RoutingPolicy:
        spec = self.spec
        self.groups = self._country_groups()
        self._check_objects()
        steps = {name: self._rules(rules, f"steps.{name}") for name, rules in spec.steps.items()}
        rules = self._rules(spec.rules, "rules")
        self._check_names_and_steps()
        pools = {p.name: self._pool(p, f"pools[{i}]") for i, p in enumerate(spec.pools)}
        self._check_pool_overflow_cycles()
        return RoutingPolicy(
            name=spec.name,
            objects=tuple(spec.objects),
            rules=rules,
            steps=steps,
            pools=pools,
            fallback_owner_id=self._assigned(spec.fallback, "fallback") or "",
            routable_owner_ids=frozenset(
                owner
                for i, o in enumerate(spec.routable.owners)
                if (owner := self._owner(o, f"routable.owners[{i}]", routable=True)) is not None
            ),
            routable_when=self.compile_condition(
                spec.routable.when, "routable.when", lead_only=True
            ),
            open_lead_when=self.compile_condition(spec.open_lead, "open_lead", lead_only=True),
            customer_when=self.compile_condition(
                spec.customer_when, "customer_when", account_only=True
            ),
            away_fields=tuple(spec.availability.away_fields),
            availability=compile_availability(self),
            scoring=self._scoring(spec.scoring) if spec.scoring else None,
            territories=self._territories(spec.territories) if spec.territories else None,
            country_groups=self.groups,
            competitor_domains=frozenset(d.strip().casefold() for d in spec.competitor_domains),
            matching=self._matching(spec.matching, spec.aliases),
            titles=self._titles(spec.titles),
            sla=compile_sla(self, (*rules, *(r for s in steps.values() for r in s))),
            hold=compile_hold(self),
            notifications=compile_notifications(self),
            sticky=_sticky(spec.sticky),
            account_change=_account_change(spec.account_change),
        )

    # --- references ----------------------------------------------------------------------

    def resolve_user(self, key: str, path: str) -> str | None:
        user_id = self.users_by_key.get(key.strip().casefold()) or resolve(key, self.snapshot.users)
        if user_id is None:
            self.problem(
                path,
                f"no user with email or Id '{key}' in the CRM",
                "check the spelling, or use the user's Id",
            )
        return user_id

    def _queue(self, key: str, path: str, *, routable: bool = False) -> str | None:
        queue_id = self.queues_by_key.get(key.strip().casefold())
        queue_id = queue_id or resolve(key, self.snapshot.queues)
        if queue_id is not None:
            return queue_id
        mapped = self.queue_owners.get(key.strip().casefold())
        if mapped is not None:
            return self._mapped_queue(key, mapped, path, routable)
        known = ", ".join(sorted(q.name for q in self.snapshot.queues.values())) or "none"
        help_text = self.snapshot.profile.queue_help.replace("{queue}", key)
        help_text = help_text.replace("{slug}", _slug(key))
        if help_text:
            crm = self.snapshot.profile.name
            self.problem(path, f"{crm} has no queue named '{key}'", help_text)
        else:
            self.problem(path, f"no queue named '{key}' in the CRM", f"use one of: {known}")
        return None

    def _mapped_queue(self, key: str, owner: str, path: str, routable: bool) -> str | None:
        """A queue the CRM lacks, stood for by an owner (`hubspot.queues`), or by no owner."""
        if owner.strip().casefold() != "unowned":
            return self.resolve_user(owner, f"hubspot.queues.{key}")
        if routable:
            return UNOWNED
        self.problem(
            path,
            f"'{key}' stands for records with no owner (hubspot.queues), and a record "
            "cannot be assigned to no owner",
            f"map '{key}' to the HubSpot owner acting as that queue, e.g. "
            f"`{key}: {_slug(key)}@yourcompany.example`",
        )
        return None

    def _owner(
        self, target: UserTarget | QueueTarget, path: str, *, routable: bool = False
    ) -> str | None:
        if isinstance(target, UserTarget):
            return self.resolve_user(target.user, f"{path}.user")
        return self._queue(target.queue, f"{path}.queue", routable=routable)

    def _assigned(self, target: UserTarget | QueueTarget, path: str) -> str | None:
        """An owner the policy writes: a queue must be one that may own every routed object."""
        owner_id = self._owner(target, path)
        if isinstance(target, QueueTarget) and owner_id in self.snapshot.queues:
            self._check_queue_owns(target.queue, f"{path}.queue")
        return owner_id

    def _check_queue_owns(self, queue: str, path: str) -> None:
        for object in self.spec.objects:
            why = queue_refusal(self.snapshot.profile, object, queue)
            if why is not None:
                others = [o for o in self.spec.objects if o != object]
                self.problem(
                    path,
                    f"{why}, and the policy routes {object}",
                    f"assign a user here; or route {object} with a policy of its own that "
                    f"assigns users"
                    + (f", and keep objects: [{', '.join(others)}] here" if others else ""),
                )

    def _check_objects(self) -> None:
        """A policy object this CRM cannot route would route nothing: say so, and the fix."""
        explicit = "objects" in self.spec.model_fields_set
        for i, name in enumerate(self.spec.objects):
            reason = self.snapshot.profile.unroutable.get(name) if self.as_they_arrive else None
            if reason is None:
                continue
            problem, fix = reason
            if not explicit:
                problem += " (`objects` was not given, and defaults to [Lead])"
            self.problem(f"objects[{i}]" if explicit else "objects", problem, fix)

    # --- conditions ----------------------------------------------------------------------

    def compile_condition(
        self, model: Any, path: str, *, lead_only: bool = False, account_only: bool = False
    ) -> Condition:
        if model is None:
            return ALWAYS
        if isinstance(model, AllModel):
            return AllOf(
                tuple(
                    self.compile_condition(
                        c, f"{path}.all[{i}]", lead_only=lead_only, account_only=account_only
                    )
                    for i, c in enumerate(model.all)
                )
            )
        if isinstance(model, AnyModel):
            return AnyOf(
                tuple(
                    self.compile_condition(
                        c, f"{path}.any[{i}]", lead_only=lead_only, account_only=account_only
                    )
                    for i, c in enumerate(model.any)
                )
            )
        if isinstance(model, NotModel):
            return Not(
                self.compile_condition(
                    model.not_, f"{path}.not", lead_only=lead_only, account_only=account_only
                )
            )
        assert isinstance(model, TestModel)
        self._check_fact(model.fact, f"{path}.fact", lead_only, account_only)
        return self._test(model, path)

    def _test(self, model: TestModel, path: str) -> Condition:
        op, operand = model.operator()
        label = None
        if op == "in_group":
            members = self.groups.get(operand)
            if members is None:
                self.problem(
                    f"{path}.in_group",
                    f"no country group '{operand}'",
                    "define it under country_groups, or use one of: "
                    + (", ".join(self.groups) or "none"),
                )
                return ALWAYS
            op, operand, label = "in", sorted(members), f"group {model.in_group}"
        try:
            return Comparison(model.fact, op, operand, make_test(op, operand), label)
        except ValueError as exc:
            self.problem(f"{path}.{op}", str(exc), "fix the value")
            return ALWAYS

    def _check_fact(self, fact: str, path: str, lead_only: bool, account_only: bool) -> None:
        if account_only and not fact.startswith("account."):
            self.problem(
                path, f"'{fact}' cannot be read here", "use account.<Field>, e.g. account.Type"
            )
            return
        if lead_only and not fact.startswith("lead."):
            self.problem(
                path, f"'{fact}' cannot be read here", "use lead.<Field>, e.g. lead.Status"
            )
            return
        if not known_fact(fact):
            self.problem(
                path,
                f"unknown fact '{fact}'",
                f"use one of {', '.join(FACTS)} or a field as "
                + ", ".join(p + "<Field>" for p in FIELD_PREFIXES),
            )
            return
        prefix, _, name = fact.partition(".")
        known = self.lead_fields if prefix == "lead" else self.account_fields if name else None
        if name and known and name not in known:
            close = [f for f in known if f.casefold() == name.casefold()]
            hint = (
                f"did you mean {prefix}.{close[0]}? Field names are case-sensitive"
                if close
                else "check the field's API name in the CRM"
            )
            self.problem(path, f"no {prefix} in the CRM has a field '{name}'", hint)

    # --- targets -------------------------------------------------------------------------

    def _target(self, model: Any, path: str) -> Target | None:
        if isinstance(model, UserTarget):
            user_id = self.resolve_user(model.user, f"{path}.user")
            return ToUser(user_id, model.when_available) if user_id else None
        if isinstance(model, QueueTarget):
            queue_id = self._assigned(model, path)
            return ToQueue(queue_id) if queue_id else None
        if isinstance(model, PoolTarget):
            if model.pool not in self.pool_names:
                self.problem(
                    f"{path}.pool",
                    f"no pool named '{model.pool}'",
                    f"use one of: {', '.join(sorted(self.pool_names)) or 'none (add `pools`)'}",
                )
                return None
            return ToPool(model.pool)
        if isinstance(model, OwnerOfTarget):
            return ToOwnerOf(model.owner_of, self._owner_filter(model, path))
        if isinstance(model, ByFactTarget):
            self._check_fact(model.by, f"{path}.by", False, False)
            choices = {
                k.casefold(): self._target(v, f"{path}.map.{k}") for k, v in model.map.items()
            }
            default = self._target(model.default, f"{path}.default") if model.default else None
            return ByFact(model.by, {k: v for k, v in choices.items() if v is not None}, default)
        if isinstance(model, CasesTarget):
            cases = tuple(
                Case(
                    self.compile_condition(c.when, f"{path}.cases[{i}].when"),
                    self._target(c.assign, f"{path}.cases[{i}].assign") or ToUser(""),
                )
                for i, c in enumerate(model.cases)
            )
            default = self._target(model.default, f"{path}.default") if model.default else None
            return Cases(cases, default)
        assert isinstance(model, FirstOfTarget)
        options = [self._target(t, f"{path}.first_of[{i}]") for i, t in enumerate(model.first_of)]
        return FirstOf(tuple(t for t in options if t is not None))

    def _owner_filter(self, model: OwnerOfTarget, path: str) -> OwnerFilter:
        rule = model.owner
        excluded = frozenset(
            filter(
                None,
                (
                    self.resolve_user(u, f"{path}.owner.exclude[{i}]")
                    for i, u in enumerate(rule.exclude)
                ),
            )
        )
        team = None
        if rule.team is not None:
            team = self._team(rule.team, f"{path}.owner.team")
        return OwnerFilter(rule.active, rule.available, excluded, team, rule.team)

    def _team(self, name: str, path: str) -> frozenset[str] | None:
        team = self.spec.teams.get(name)
        if team is None:
            self.problem(
                path,
                f"no team named '{name}'",
                f"define it under teams, or use one of: {', '.join(self.spec.teams) or 'none'}",
            )
            return None
        members = {
            self.resolve_user(u, f"teams.{name}.users[{i}]") for i, u in enumerate(team.users)
        }
        for i, pool_name in enumerate(team.pools):
            pool = next((p for p in self.spec.pools if p.name == pool_name), None)
            if pool is None:
                self.problem(
                    f"teams.{name}.pools[{i}]", f"no pool named '{pool_name}'", "check the name"
                )
                continue
            members.update(self.users_by_key.get(_member_key(m).casefold()) for m in pool.members)
        members.update(self._hubspot_team_members(team.hubspot_teams))
        return frozenset(m for m in members if m)

    def _hubspot_team_members(self, names: list[str]) -> set[str]:
        """Owners in these HubSpot teams (the connector keeps them in `Teams`, `;`-separated)."""
        if not names or self.snapshot.profile.name.casefold() != "hubspot":
            return set()
        wanted = {n.strip().casefold() for n in names}
        return {
            user.id
            for user in self.snapshot.users.values()
            if wanted
            & {t.strip().casefold() for t in str(user.fields.get("Teams") or "").split(";")}
        }

    # --- rules and pools -------------------------------------------------------------------

    def _rules(self, models: list[RuleModel], path: str) -> tuple[Rule, ...]:
        rules = []
        for i, model in enumerate(models):
            where = f"{path}[{i}]"
            target = self._target(model.assign, f"{where}.assign") if model.assign else None
            if model.step is not None and model.step not in self.spec.steps:
                self.problem(
                    f"{where}.step",
                    f"no step named '{model.step}'",
                    f"define it under steps, or use one of: {', '.join(self.spec.steps) or 'none'}",
                )
            rules.append(
                Rule(
                    model.name,
                    self.compile_condition(model.when, f"{where}.when"),
                    target,
                    model.step,
                    model.score,
                    model.description,
                )
            )
        return tuple(rules)

    def _check_names_and_steps(self) -> None:
        seen: dict[str, str] = {}
        everything = [("rules", self.spec.rules)] + [
            (f"steps.{n}", r) for n, r in self.spec.steps.items()
        ]
        for path, rules in everything:
            for i, rule in enumerate(rules):
                if rule.name in seen:
                    self.problem(
                        f"{path}[{i}].name",
                        f"rule name '{rule.name}' is also used at {seen[rule.name]}",
                        "give every rule its own name: decisions report it",
                    )
                seen.setdefault(rule.name, f"{path}[{i}]")
        edges = {name: {r.step for r in rules if r.step} for name, rules in self.spec.steps.items()}
        cycle = _find_cycle(edges)
        if cycle:
            self.problem(
                "steps",
                f"steps hand over to each other in a circle: {' → '.join(cycle)}",
                "break the circle: a step must not lead back to itself",
            )

    def _pool(self, model: PoolModel, path: str) -> Pool:
        members = []
        for i, entry in enumerate(model.members):
            user_id = self.resolve_user(_member_key(entry), f"{path}.members[{i}]")
            weight = entry.weight if not isinstance(entry, str) else 1
            if user_id:
                members.append(
                    Member(user_id, weight if model.method == "weighted_round_robin" else 1)
                )
        duplicates = {
            m.user_id for m in members if sum(n.user_id == m.user_id for n in members) > 1
        }
        if duplicates:
            self.problem(
                f"{path}.members",
                "a member is listed twice",
                "list each member once; for more turns use method weighted_round_robin "
                "and `weight`",
            )
        overflow = self._target(model.overflow, f"{path}.overflow") if model.overflow else None
        method = {"load_balanced": LOAD_BALANCED, "best_fit": BEST_FIT}.get(model.method)
        best_fit = self._best_fit(model, path)
        caps = compile_caps(self, model, path)
        return Pool(
            model.name,
            tuple(with_member_caps(members, model, caps)) or (Member("", 1),),
            method or ROUND_ROBIN,
            model.cap,
            overflow,
            best_fit=best_fit,
            caps=caps,
            time_zone=model.time_zone,
            at_cap=model.at_cap,
            off_shift=model.off_shift,
        )

    def _best_fit(self, model: PoolModel, path: str) -> BestFit | None:
        if model.method != "best_fit":
            if model.best_fit is not None:
                self.problem(
                    f"{path}.best_fit",
                    f"best_fit settings on a {model.method} pool",
                    "set `method: best_fit`, or remove `best_fit`",
                )
            return None
        spec = model.best_fit or BestFitModel.model_validate({})
        for i, text in enumerate(spec.segments):
            try:
                parse_segment_field(text)
            except ValueError as exc:
                self.problem(f"{path}.best_fit.segments[{i}]", str(exc), "fix the field name")
        self._check_one_model(model, spec)
        return BestFit(
            spec.mode,
            spec.objective,
            tuple(s.strip() for s in spec.segments),
            spec.fairness_band,
            spec.window,
            spec.exploration,
            spec.fallback_method,
            spec.half_life_days,
            spec.min_deals,
            spec.approval,
        )

    def _check_one_model(self, model: PoolModel, spec: BestFitModel) -> None:
        earlier = [p for p in self.spec.pools if p.method == "best_fit"]
        first = earlier[0] if earlier else model
        segments = (first.best_fit or BestFitModel.model_validate({})).segments
        if first is not model and segments != spec.segments:
            self.problem(
                f"pools[{self.spec.pools.index(model)}].best_fit.segments",
                f"pool '{first.name}' learns from segments {segments}: one skill model serves "
                "every best_fit pool",
                "give every best_fit pool the same segments",
            )

    def _check_pool_overflow_cycles(self) -> None:
        edges = {p.name: set(_pools_in(p.overflow)) for p in self.spec.pools if p.overflow}
        cycle = _find_cycle(edges)
        if cycle:
            self.problem(
                "pools",
                f"pools overflow into each other in a circle: {' → '.join(cycle)}",
                "end the chain with a user or a queue",
            )

    # --- territories, scoring, matching ------------------------------------------------------

    def _country_groups(self) -> dict[str, frozenset[str]]:
        groups = {}
        for name, countries in self.spec.country_groups.items():
            codes = [
                self._country(c, f"country_groups.{name}[{i}]") for i, c in enumerate(countries)
            ]
            groups[name] = frozenset(c for c in codes if c)
        return groups

    def _country(self, text: str, path: str) -> str | None:
        code = country_code(text)
        if code is None:
            self.problem(
                path,
                f"'{text}' is not a country",
                "write an ISO code such as DE, or a country name",
            )
        return code

    def _territories(self, models: list[TerritoryModel]) -> TerritoryMap | None:
        territories = [
            Territory(t.name, t.region, tuple(self._places(t, f"territories[{i}]")))
            for i, t in enumerate(models)
        ]
        try:
            return TerritoryMap(territories)
        except ValueError as exc:
            self.problem(
                "territories", str(exc), "claim each country or state in one territory only"
            )
            return None

    def _places(self, model: TerritoryModel, path: str) -> Iterable[Place]:
        for i, place in enumerate(model.where):
            where = f"{path}.where[{i}]"
            if place.group is not None:
                if place.group not in self.groups:
                    self.problem(
                        f"{where}.group",
                        f"no country group '{place.group}'",
                        "define it under country_groups",
                    )
                yield from (Place(c) for c in sorted(self.groups.get(place.group, ())))
            elif place.countries is not None:
                codes = (
                    self._country(c, f"{where}.countries[{j}]")
                    for j, c in enumerate(place.countries)
                )
                yield from (Place(c) for c in codes if c)
            else:
                assert place.country is not None
                country = self._country(place.country, f"{where}.country")
                if country:
                    yield Place(country, self._states(country, place.states, where))

    def _states(self, country: str, states: list[str] | None, path: str) -> frozenset[str] | None:
        if states is None:
            return None
        codes = set()
        for j, state in enumerate(states):
            code = state_code(country, state)
            if code is None:
                self.problem(
                    f"{path}.states[{j}]",
                    f"'{state}' is not a state of {country}",
                    "write its code (e.g. CA) or its name",
                )
            else:
                codes.add(code)
        return frozenset(codes)

    def _scoring(self, model: ScoringModelSpec) -> ScoringModel:
        signals = tuple(_signal(s) for s in model.signals)
        tiers = tuple(Tier(t.name, t.min) for t in model.tiers)
        return ScoringModel(signals, tiers, model.cap)

    def _matching(self, settings: Mapping[str, Any], aliases: Mapping[str, str]) -> MatchSettings:
        fields = {f.name: f for f in dataclasses.fields(MatchSettings) if f.name != "aliases"}
        values: dict[str, Any] = {"aliases": tuple(aliases.items())}
        for key, value in settings.items():
            if key not in fields:
                self.problem(
                    f"matching.{key}",
                    f"unknown matching setting '{key}'",
                    f"use one of: {', '.join(fields)}",
                )
                continue
            default = getattr(MatchSettings(), key)
            values[key] = _like(default, value)
        try:
            return MatchSettings(**values)
        except (TypeError, ValueError) as exc:
            self.problem("matching", str(exc), "fix the matching settings")
            return MatchSettings()

    def _titles(self, model: TitlesModel) -> TitleSettings:
        settings, problems = compile_titles(model)
        self.problems.extend(problems)
        return settings


def _signal(model: SignalModel) -> Signal:
    kind = (
        "bands" if model.bands is not None else "values" if model.values is not None else "contains"
    )
    bands = tuple(Band(b.min, b.points) for b in model.bands or ())
    if model.values is not None:
        choices = tuple(
            Choice(frozenset(v.casefold() for v in c.in_), c.points) for c in model.values
        )
    else:
        choices = tuple(
            Choice(frozenset(v.casefold() for v in c.any), c.points) for c in model.contains or ()
        )
    return Signal(
        model.name,
        model.field,
        tuple(model.from_),
        kind,
        bands,
        choices,
        model.otherwise,
        model.unknown,
        model.zero_is_unknown,
        model.separator,
    )


def _like(default: Any, value: Any) -> Any:
    if isinstance(default, frozenset):
        return frozenset(value)
    if isinstance(default, tuple):
        return tuple(value)
    if isinstance(default, float) and isinstance(value, int | float):
        return float(value)
    return value


def _member_key(entry: Any) -> str:
    return entry if isinstance(entry, str) else str(entry.user)


def _pools_in(model: Any) -> Iterable[str]:
    if isinstance(model, PoolTarget):
        yield model.pool
    for child in _children(model):
        yield from _pools_in(child)


def _children(model: Any) -> list[Any]:
    if isinstance(model, ByFactTarget):
        return [*model.map.values(), model.default]
    if isinstance(model, CasesTarget):
        return [*(c.assign for c in model.cases), model.default]
    if isinstance(model, FirstOfTarget):
        return list(model.first_of)
    return []


def _find_cycle(edges: Mapping[str, set[str]]) -> list[str] | None:
    def visit(node: str, trail: list[str]) -> list[str] | None:
        if node in trail:
            return [*trail[trail.index(node) :], node]
        for nxt in sorted(edges.get(node, ())):
            found = visit(nxt, [*trail, node])
            if found:
                return found
        return None

    for start in sorted(edges):
        found = visit(start, [])
        if found:
            return found
    return None


def _slug(name: str) -> str:
    return "-".join(name.casefold().split())


def _queue_owners(spec: PolicyFile, snapshot: CrmSnapshot) -> dict[str, str]:
    """`hubspot.queues`, by queue name, when the CRM is HubSpot (other CRMs have queues)."""
    if spec.hubspot is None or snapshot.profile.name.casefold() != "hubspot":
        return {}
    return {name.strip().casefold(): owner for name, owner in spec.hubspot.queues.items()}


def _users_by_key(snapshot: CrmSnapshot) -> dict[str, str]:
    keys: dict[str, str] = {}
    for user in snapshot.users.values():
        keys[user.id.casefold()] = user.id
        if user.email:
            keys[user.email.casefold()] = user.id
    return keys


def _routed_fields(snapshot: CrmSnapshot, objects: Iterable[str]) -> Iterator[Mapping[str, Any]]:
    """The fields `lead.` reads: of the leads, and of the accounts and opportunities when the
    policy routes them (as `routing.routed` makes them records)."""
    yield from (lead.fields for lead in snapshot.leads)
    if ACCOUNT in objects:
        yield from (account.fields for account in snapshot.accounts.values())
    if OPPORTUNITY in objects:
        yield from (opportunity.fields for opportunity in snapshot.opportunities)


def _field_names(records: Iterable[Mapping[str, Any]]) -> set[str]:
    names: set[str] = set()
    for fields in records:
        names.update(fields)
    return names


def dump_schema() -> str:
    return json.dumps(policy_json_schema(), indent=2)


def _sticky(spec: StickyModel | None) -> StickyPolicy | None:
    if spec is None:
        return None
    return StickyPolicy(window_s=spec.window_days * 86400.0, by=tuple(dict.fromkeys(spec.by)))


def _account_change(spec: AccountChangeModel | None) -> AccountChange | None:
    if spec is None:
        return None
    return AccountChange(tuple(dict.fromkeys(spec.follow)), spec.only_owned_by_previous)
