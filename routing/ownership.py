"""Whether a policy may write an owner onto a record: the one rule every writer asks.

A policy writes only the objects it was written for (`objects`), and only owners the CRM lets
own that object: a Salesforce queue can own a Lead, never an Account, Contact or Opportunity.
Route, backfill, SLA reassignment and retry all ask here before they write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from routing.model import CrmProfile, CrmSnapshot, OwnerChange, Queue
from routing.policy import NOTIFY
from routing.sla import Escalation

K = TypeVar("K")


def object_refusal(routed: Iterable[str], object: str) -> str | None:
    """Why a policy routing `routed` must not write owners onto `object`, or None."""
    routed = tuple(routed)
    if object in routed:
        return None
    return (
        f"the policy routes {', '.join(routed) or 'nothing'}, not {object}: it was not written "
        f"for {object} records, so none is reassigned"
    )


def object_fix(object: str) -> str:
    return (
        f"use a policy written for {object} (objects: [{object}], its rules and owners checked "
        f"for {object} records), or add {object} to this policy's `objects` if its rules fit"
    )


def queue_refusal(profile: CrmProfile, object: str, queue_name: str) -> str | None:
    """Why this CRM does not let a queue own `object`, or None."""
    allowed = profile.queue_objects
    if allowed is None or object in allowed:
        return None
    crm = profile.name or "Salesforce"
    return (
        f"{crm} does not let a queue own a{'n' if object[:1] in 'AEIOU' else ''} {object} "
        f"(queue '{queue_name}'; queues own only {', '.join(sorted(allowed))} records here)"
    )


@dataclass(frozen=True, slots=True)
class OwnerRule:
    """The rule for one policy on one CRM."""

    routed: tuple[str, ...]
    profile: CrmProfile
    queues: Mapping[str, Queue]

    @classmethod
    def of(cls, routed: Iterable[str], snapshot: CrmSnapshot) -> OwnerRule:
        return cls(tuple(routed), snapshot.profile, snapshot.queues)

    def refusal(self, object: str, owner_id: str) -> str | None:
        """Why this owner must not be written onto a record of `object`, or None."""
        why = object_refusal(self.routed, object)
        if why is not None:
            return f"{why} — {object_fix(object)}"
        queue = self.queues.get(owner_id)
        if queue is not None:
            return queue_refusal(self.profile, object, queue.name)
        return None

    def split(
        self, changes: Iterable[OwnerChange]
    ) -> tuple[list[OwnerChange], list[tuple[OwnerChange, str]]]:
        """(the changes that may be written, the refused ones with why)."""
        allowed: list[OwnerChange] = []
        refused: list[tuple[OwnerChange, str]] = []
        for change in changes:
            why = self.refusal(change.object, change.owner_id)
            if why is None:
                allowed.append(change)
            else:
                refused.append((change, why))
        return allowed, refused

    def escalations(self, pairs: Sequence[tuple[K, Escalation]]) -> list[tuple[K, Escalation]]:
        """SLA breaches: one that would reassign a record the policy may not write only
        notifies, the owner left as it is and the reason in its note."""
        kept = []
        for key, escalation in pairs:
            why = None
            if escalation.changes_owner:
                why = self.refusal(escalation.object, escalation.to_owner_id)
            if why is not None:
                escalation = replace(
                    escalation,
                    action=NOTIFY,
                    to_owner_id=escalation.from_owner_id,
                    why=f"{escalation.why}; not reassigned: {why}",
                    next_clock=None,
                    pick=None,
                )
            kept.append((key, escalation))
        return kept
