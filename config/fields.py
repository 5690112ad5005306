"""Every CRM field a policy reads, per CRM-neutral object, and where in the policy it is read.

Connectors fetch these fields (the policy decides what is read, not a setting) and check them
against the CRM's schema before routing. This works on the parsed policy, before it is compiled:
compiling needs a snapshot, and the snapshot must already hold these fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from string import Template
from typing import Any

from config.schema import (
    AllModel,
    AnyModel,
    AvailabilityModel,
    BestFitModel,
    ByFactTarget,
    CasesTarget,
    FirstOfTarget,
    NotModel,
    PolicyFile,
    RuleModel,
    TestModel,
)
from routing.policy import Templates

ACCOUNT, USER, OPPORTUNITY = "Account", "User", "Opportunity"
TITLE_FACTS = frozenset({"title_seniority", "title_rank", "title_function", "title_functions"})
# Facts read off the matched account, the family's customer, or the family's top.
ACCOUNT_PREFIXES = ("account.", "customer.", "parent.")
# Account fields a lead has a copy of (a best-fit segment falls back to it when no account).
LEAD_COPY = {"BillingCountry": "Country", "BillingState": "State", "BillingCity": "City",
             "Industry": "Industry", "NumberOfEmployees": "NumberOfEmployees",
             "AnnualRevenue": "AnnualRevenue"}  # fmt: skip
PLACEHOLDER_FIELDS = {"name": ("FirstName", "LastName"), "email": ("Email",)}
TIE_BREAKER_FIELDS = {"recent_activity": "LastActivityDate", "oldest": "CreatedDate"}


@dataclass(frozen=True, slots=True)
class FieldUse:
    object: str  # Lead, Contact, Account, Opportunity, User
    field: str  # API name
    where: str  # path in the policy, e.g. scoring.signals[3].field


@dataclass(frozen=True, slots=True)
class PolicyFields:
    uses: tuple[FieldUse, ...]

    @property
    def needs(self) -> dict[str, frozenset[str]]:
        """Object → fields: the shape connectors take (`connectors.base.FieldNeeds`)."""
        needs: dict[str, set[str]] = {}
        for use in self.uses:
            needs.setdefault(use.object, set()).add(use.field)
        return {name: frozenset(fields) for name, fields in needs.items()}

    def where(self, object: str, field: str) -> list[str]:
        """Where the policy reads this field, in policy order, each place once."""
        places = (u.where for u in self.uses if (u.object, u.field) == (object, field))
        return list(dict.fromkeys(places))


def policy_fields(spec: PolicyFile) -> PolicyFields:
    return PolicyFields(tuple(_Walk(spec).uses()))


class _Walk:
    def __init__(self, spec: PolicyFile) -> None:
        self.spec = spec
        self.routed = tuple(spec.objects)

    def uses(self) -> Iterator[FieldUse]:
        spec = self.spec
        for i, object in enumerate(self.routed):  # who owns it decides whether it is routable
            yield FieldUse(object, "OwnerId", f"objects[{i}]")
        yield from self.compile_condition(spec.routable.when, "routable.when")
        yield from self.compile_condition(spec.open_lead, "open_lead")
        yield from self.compile_condition(spec.customer_when, "customer_when")
        for i, field in enumerate(spec.availability.away_fields):
            yield FieldUse(USER, field.strip(), f"availability.away_fields[{i}]")
        yield from _availability_fields(spec.availability)
        yield from self._rules(spec.rules, "rules")
        for name, rules in spec.steps.items():
            yield from self._rules(rules, f"steps.{name}")
        for i, pool in enumerate(spec.pools):
            if pool.overflow is not None:
                yield from self._target(pool.overflow, f"pools[{i}].overflow")
            if pool.method == "best_fit":
                yield from self._segments(pool.best_fit, f"pools[{i}].best_fit.segments")
        yield from self._scoring()
        yield from self._matching()
        yield from self._sla()
        yield from self._hold()
        yield from self._notifications()

    # -- conditions and targets ------------------------------------------------------------

    def compile_condition(
        self, model: Any, path: str, objects: tuple[str, ...] | None = None
    ) -> Iterator[FieldUse]:
        if isinstance(model, AllModel | AnyModel):
            key = "all" if isinstance(model, AllModel) else "any"
            for i, child in enumerate(getattr(model, key)):
                yield from self.compile_condition(child, f"{path}.{key}[{i}]", objects)
        elif isinstance(model, NotModel):
            yield from self.compile_condition(model.not_, f"{path}.not", objects)
        elif isinstance(model, TestModel):
            yield from self._fact(model.fact, f"{path}.fact", objects)

    def _fact(
        self, fact: str, path: str, objects: tuple[str, ...] | None = None
    ) -> Iterator[FieldUse]:
        prefix, dot, field = fact.strip().partition(".")
        if dot and field and f"{prefix}." in ACCOUNT_PREFIXES:
            yield FieldUse(ACCOUNT, field, path)
        elif dot and field and prefix == "lead":
            yield from self._routed(field, path, objects)
        elif fact in TITLE_FACTS:
            yield from self._routed("Title", path, objects)

    def _routed(
        self, field: str, path: str, objects: tuple[str, ...] | None = None
    ) -> Iterator[FieldUse]:
        for object in objects or self.routed:
            yield FieldUse(object, field, path)

    def _rules(self, rules: list[RuleModel], path: str) -> Iterator[FieldUse]:
        for i, rule in enumerate(rules):
            yield from self.compile_condition(rule.when, f"{path}[{i}].when")
            if rule.assign is not None:
                yield from self._target(rule.assign, f"{path}[{i}].assign")

    def _target(self, model: Any, path: str) -> Iterator[FieldUse]:
        if isinstance(model, ByFactTarget):
            yield from self._fact(model.by, f"{path}.by")
            for key, choice in model.map.items():
                yield from self._target(choice, f"{path}.map.{key}")
            if model.default is not None:
                yield from self._target(model.default, f"{path}.default")
        elif isinstance(model, CasesTarget):
            for i, case in enumerate(model.cases):
                yield from self.compile_condition(case.when, f"{path}.cases[{i}].when")
                yield from self._target(case.assign, f"{path}.cases[{i}].assign")
            if model.default is not None:
                yield from self._target(model.default, f"{path}.default")
        elif isinstance(model, FirstOfTarget):
            for i, option in enumerate(model.first_of):
                yield from self._target(option, f"{path}.first_of[{i}]")

    # -- sections --------------------------------------------------------------------------

    def _segments(self, model: BestFitModel | None, path: str) -> Iterator[FieldUse]:
        segments = (model or BestFitModel.model_validate({})).segments
        for i, text in enumerate(segments):
            object, dot, field = text.strip().partition(".")
            if not dot or object not in (ACCOUNT, OPPORTUNITY):
                continue  # the compiler reports it
            where = f"{path}[{i}]"
            yield FieldUse(object, field, where)
            # a lead's segment reads the lead's copy: of an account field, when no account
            # matched; of a deal field, always (see routing/bestfit/_segments.lead_segment)
            copy = LEAD_COPY.get(field) if object == ACCOUNT else field
            if copy:
                yield from self._routed(copy, where)

    def _scoring(self) -> Iterator[FieldUse]:
        if self.spec.scoring is None:
            return
        for i, signal in enumerate(self.spec.scoring.signals):
            where = f"scoring.signals[{i}]"
            for source in signal.from_:
                if source == "account":
                    yield FieldUse(ACCOUNT, signal.field, f"{where}.field")
                elif source == "lead":
                    yield from self._routed(signal.field, f"{where}.field")
                else:
                    yield from self._routed("Title", f"{where}.from")

    def _matching(self) -> Iterator[FieldUse]:
        breakers = self.spec.matching.get("tie_breakers") or ()
        for i, breaker in enumerate(breakers if isinstance(breakers, list | tuple) else ()):
            field = TIE_BREAKER_FIELDS.get(str(breaker))
            if field:
                yield FieldUse(ACCOUNT, field, f"matching.tie_breakers[{i}]")

    def _sla(self) -> Iterator[FieldUse]:
        sla = self.spec.sla
        if sla is None:
            return
        if sla.first_touch.status_leaves:
            yield from self._routed("Status", "sla.first_touch.status_leaves")
        for i, field in enumerate(sla.first_touch.fields):
            yield from self._routed(field.strip(), f"sla.first_touch.fields[{i}]")

    def _hold(self) -> Iterator[FieldUse]:
        if self.spec.hold is None:
            return
        for i, rule in enumerate(self.spec.hold.rules):
            objects = tuple(rule.objects)
            for j, field in enumerate(rule.fields):
                yield from self._routed(field.strip(), f"hold.rules[{i}].fields[{j}]", objects)
            yield from self.compile_condition(rule.when, f"hold.rules[{i}].when", objects)

    def _notifications(self) -> Iterator[FieldUse]:
        spec = self.spec.notifications
        if spec is None:
            return
        if spec.preference_field:
            yield FieldUse(USER, spec.preference_field.strip(), "notifications.preference_field")
        defaults = Templates()
        for name in ("subject", "text", "digest_subject", "digest_line"):
            text = getattr(spec.templates, name) or getattr(defaults, name)
            where = f"notifications.templates.{name}"
            for placeholder in _placeholders(text):
                for field in PLACEHOLDER_FIELDS.get(placeholder, ()):
                    yield from self._routed(field, where)
                if placeholder == "company" and "Lead" in self.routed:
                    # a Salesforce Contact has no Company: the placeholder shows "—" there
                    yield FieldUse("Lead", "Company", where)


def _placeholders(text: str) -> Iterable[str]:
    try:
        return Template(text).get_identifiers()
    except ValueError:
        return ()  # the compiler reports the bad template


def _availability_fields(spec: AvailabilityModel) -> Iterator[FieldUse]:
    """The user fields shifts, time zones, absences and the on/off switch are read from."""
    where = "availability"
    timed = spec.working_hours or spec.user_hours or spec.hours_field or spec.out_of_office
    if timed or spec.calendar_holidays:
        yield FieldUse(USER, spec.time_zone_field, f"{where}.time_zone_field")
    for name, field in (("on_field", spec.on_field), ("hours_field", spec.hours_field)):
        if field:
            yield FieldUse(USER, field.strip(), f"{where}.{name}")
    if spec.out_of_office is not None:
        yield FieldUse(USER, spec.out_of_office.start, f"{where}.out_of_office.start")
        yield FieldUse(USER, spec.out_of_office.end, f"{where}.out_of_office.end")
