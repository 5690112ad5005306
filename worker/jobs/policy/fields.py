"""The policy decides what a connector reads: every field it reads is fetched, and checked
against the CRM's schema before anything is routed, so a CRM is never routed with a quietly
different policy (a field that never arrives reads as empty and changes owners and scores)."""

from __future__ import annotations

from pathlib import Path

from config.errors import PolicyError, PolicyProblem
from config.fields import PolicyFields, policy_fields
from config.policy import read_policy_file
from config.schema import PolicyFile
from connectors.base import Connector, FieldNeeds, FieldReader, SchemaCheck, UnreadableField

__all__ = ["field_problems", "read_fields_of", "read_policy_fields", "unreadable_summary"]


def read_policy_fields(connector: Connector, *policy_paths: Path) -> PolicyFields:
    """Tell `connector` what the policies read (a simulation reads two); a field it cannot
    read is a PolicyError naming the object, the field, where the policy reads it and the fix.
    The CRM's schema is read once per connector, so calling this before every session costs no
    API call after the first."""
    return read_fields_of(connector, *((path, read_policy_file(path)) for path in policy_paths))


def read_fields_of(connector: Connector, *policies: tuple[Path, PolicyFile]) -> PolicyFields:
    """`read_policy_fields` for policies already read (`policy check` reads the file once)."""
    read = [(path, policy_fields(spec)) for path, spec in policies]
    every = PolicyFields(tuple(use for _, fields in read for use in fields.uses))
    if isinstance(connector, FieldReader):
        connector.need_fields(every.needs)
    if isinstance(connector, SchemaCheck):
        unreadable = connector.unreadable_fields(every.needs)
        if unreadable and isinstance(connector, FieldReader):
            # what can be read still is, so `policy check` can go on to report the rest
            connector.need_fields(_without(every.needs, unreadable))
        for path, fields in read:
            problems = field_problems(connector.unreadable_fields(fields.needs), fields)
            if problems:
                raise PolicyError(str(path), problems)
    return every


def _without(needs: FieldNeeds, unreadable: list[UnreadableField]) -> dict[str, frozenset[str]]:
    gone = {(u.object, u.field) for u in unreadable}
    return {o: frozenset(f for f in fields if (o, f) not in gone) for o, fields in needs.items()}


def field_problems(unreadable: list[UnreadableField], fields: PolicyFields) -> list[PolicyProblem]:
    problems = []
    for found in unreadable:
        places = fields.where(found.object, found.field) or [""]
        also = f" (also read at {', '.join(places[1:])})" if len(places) > 1 else ""
        problem = f"{found.object}.{found.field}: {found.problem}{also}"
        problems.append(PolicyProblem(places[0], problem, found.fix))
    return problems


def unreadable_summary(error: PolicyError) -> str:
    """One line for `leadrelay status`: which fields, where, and what to run for the fix."""
    named = [f"{p.problem.partition(':')[0]} ({p.path})" for p in error.problems]
    return (
        f"not routed: the policy reads {', '.join(named)}, which this CRM lacks or hides; "
        f"`leadrelay policy check {error.source} --crm …` says how to fix it"
    )
