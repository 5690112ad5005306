"""Explaining beyond the records a CRM has: a made-up lead routed after every routable one
(nothing written), and where a fresh decision differs from the one recorded."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.csvcrm import PARSERS, CellError, Kind, known_kind
from connectors.records import to_lead
from routing.model import LEAD, CrmSnapshot, Decision, FieldValue
from worker.jobs.session import RoutingSession, explain_record, session_for

__all__ = ["COMPARED", "MADE_UP_ID", "differences", "explain_made_up", "given_fields"]

MADE_UP_ID = "made-up-lead"
COMPARED = ("owner_id", "rule", "score", "tier", "pool")


def explain_made_up(
    snapshot: CrmSnapshot, policy: Path, fields: dict[str, Any], models_home: Path | None
) -> tuple[Decision, RoutingSession, bool]:
    """A lead that does not exist, routed after every routable lead of the snapshot; nothing
    is written (`explain --lead`, the console's "try a lead")."""
    probe = session_for(snapshot, policy)  # for the routable owners a new lead starts with
    made_up = to_lead(made_up_fields(fields, sorted(probe.policy.routable_owner_ids)), LEAD)
    with_it = dataclasses.replace(snapshot, leads=(*snapshot.leads, made_up))
    session = session_for(with_it, policy, models_home=models_home)
    decision, routable = explain_record(session, made_up.id)
    assert decision is not None
    return decision, session, routable


def made_up_fields(fields: dict[str, Any], routable_owners: list[str]) -> dict[str, FieldValue]:
    """Given values typed as the CSV CRM types its columns (NumberOfEmployees a number,
    CreatedDate a time). A lead with no owner is given the first routable owner (the intake
    queue), as a new lead would have; it is created now."""
    typed = {name: _typed(name, value) for name, value in fields.items()}
    typed.setdefault("Id", MADE_UP_ID)
    typed.setdefault("CreatedDate", datetime.now(UTC))
    typed.setdefault("IsConverted", False)
    if not typed.get("OwnerId") and routable_owners:
        typed["OwnerId"] = routable_owners[0]
    return typed


def given_fields(given: list[str]) -> dict[str, Any]:
    """`--lead` values: JSON files and Field=value pairs."""
    fields: dict[str, Any] = {}
    for item in given:
        if "=" in item and not item.endswith(".json"):
            name, _, value = item.partition("=")
            fields[name.strip()] = value
        else:
            loaded = json.loads(Path(item).read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError(f"{item}: a JSON object of field → value, as the CRM names them")
            fields.update(loaded)
    return fields


def _typed(name: str, value: Any) -> FieldValue:
    kind = known_kind(name)
    if not isinstance(value, str) or kind is None or kind is Kind.TEXT:
        return value  # type: ignore[no-any-return]
    try:
        return PARSERS[kind](value)
    except CellError as error:
        raise ValueError(f"{name}={value!r}: {error}") from None


def differences(fresh: Decision, recorded: Decision) -> list[str]:
    return [name for name in COMPARED if getattr(fresh, name) != getattr(recorded, name)]
