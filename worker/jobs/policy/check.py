"""`leadrelay policy check`: every problem of a policy at once, offline or against a CRM.

Offline: the schema, and what the policy itself defines (tiers, territories, pools…). With a
CRM: besides, every field it reads, every user, queue and owner it names (and whether that
owner may own the objects it routes), and every value it compares with a CRM picklist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from config.check import (
    Finding,
    PolicyNames,
    ValuesOf,
    crm_value_findings,
    named_path,
    policy_names,
    structure_problems,
)
from config.errors import PolicyError, PolicyProblem
from config.policy import compile_policy, policy_warnings, read_policy_file
from connectors.base import Connector, ConnectorError, PicklistSource
from routing.model import CrmSnapshot
from routing.policy import RoutingPolicy
from worker.jobs.policy.fields import read_fields_of


@dataclass
class CheckReport:
    source: str
    errors: list[PolicyProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    compiled: RoutingPolicy | None = None

    def raise_errors(self) -> None:
        if self.errors:
            raise PolicyError(self.source, self.errors)


def check_policy(file: Path, connector: Connector | None) -> CheckReport:
    """A schema error stops here (nothing else can be read); every other problem is listed."""
    spec = read_policy_file(file)
    report = CheckReport(str(file))
    names = policy_names(spec)  # the one walk of the policy
    findings = structure_problems(names)
    fields: list[PolicyProblem] = []
    others: list[PolicyProblem] = []
    if connector is not None:
        fields, others, findings = _against_the_crm(file, names, connector, report, findings)
    others += [f.as_problem() for f in findings if not f.warning]

    def named(problems: list[PolicyProblem]) -> list[PolicyProblem]:
        return [PolicyProblem(named_path(spec, p.path), p.problem, p.fix) for p in problems]

    report.errors = _by_path(named(fields), named(others))  # compiled ones come named
    report.warnings += [
        f"{named_path(spec, f.path)}: {f.problem} — {f.fix}" for f in findings if f.warning
    ]
    return report


def _against_the_crm(
    file: Path,
    names: PolicyNames,
    connector: Connector,
    report: CheckReport,
    findings: list[Finding],
) -> tuple[list[PolicyProblem], list[PolicyProblem], list[Finding]]:
    """(the fields it cannot read, what compiling finds, every finding)."""
    fields: list[PolicyProblem] = []
    others: list[PolicyProblem] = []
    try:
        read_fields_of(connector, (file, names.spec))
    except PolicyError as unreadable:
        fields += unreadable.problems
    try:
        snapshot = connector.snapshot()
    except ConnectorError:
        if fields:  # the CRM cannot be read without the fields: say what is missing
            raise PolicyError(str(file), fields) from None
        raise
    try:
        report.compiled = compile_policy(names.spec, snapshot, source=str(file), names=names)
        report.warnings += policy_warnings(report.compiled, snapshot)
    except PolicyError as also:
        others += also.problems
    values_of, source = crm_values(connector, snapshot)
    return fields, others, findings + crm_value_findings(names, values_of, source=source)


def crm_values(connector: Connector, snapshot: CrmSnapshot) -> tuple[ValuesOf, str]:
    """The CRM's picklists when it has them; else (the CSV CRM) the values its records hold,
    which can only warn: a value no record holds yet may still come."""
    if isinstance(connector, PicklistSource):
        return connector.picklist_values, "picklist"
    return seen_values(snapshot), "values seen in its records"


def seen_values(snapshot: CrmSnapshot) -> ValuesOf:
    seen: dict[tuple[str, str], frozenset[str] | None] = {}

    def values_of(object: str, name: str) -> frozenset[str] | None:
        key = (object, name)
        if key not in seen:
            if object == "Account":
                records = (a.fields for a in snapshot.accounts.values())
            else:
                records = (r.fields for r in snapshot.leads if r.object == object)
            values = {v for fields in records if isinstance(v := fields.get(name), str) and v}
            seen[key] = frozenset(values) or None
        return seen[key]

    return values_of


def _by_path(fields: list[PolicyProblem], others: list[PolicyProblem]) -> list[PolicyProblem]:
    """Every field problem, then one problem per other path it does not name: the field
    check and the compiler may both see one slip (a field read as a fact), and the compiler
    and the structure check both see a name no pool has."""
    named = {p.path for p in fields}
    rest: dict[str, PolicyProblem] = {}
    for problem in others:
        if problem.path not in named:
            rest.setdefault(problem.path or problem.problem, problem)
    return [*dict.fromkeys(fields), *rest.values()]
