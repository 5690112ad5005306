"""The records routing reads and the decisions it makes.

Every record keeps `fields`: all of its values by the CRM's API name, already typed
(bool, int, float, datetime, str or None), so that a policy can read any field, custom
ones (`..__c`) included. The named attributes are the canonical values the engine needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FieldValue = str | int | float | bool | datetime | None
Fields = Mapping[str, FieldValue]

LEAD = "Lead"
CONTACT = "Contact"
ACCOUNT = "Account"
OPPORTUNITY = "Opportunity"


@dataclass(frozen=True, slots=True)
class Rep:
    """A CRM user who can own records."""

    id: str
    name: str
    email: str | None = None
    is_active: bool = True
    manager_id: str | None = None
    title: str | None = None
    fields: Fields = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Queue:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    website: str | None = None
    owner_id: str | None = None
    type: str | None = None
    parent_id: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: float | None = None
    billing_country: str | None = None
    billing_state: str | None = None
    billing_city: str | None = None
    fields: Fields = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    account_id: str | None = None
    email: str | None = None
    owner_id: str | None = None
    fields: Fields = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Opportunity:
    id: str
    account_id: str | None = None
    owner_id: str | None = None
    is_closed: bool = False
    is_won: bool = False
    amount: float | None = None
    created_date: datetime | None = None
    close_date: datetime | None = None
    stage: str | None = None
    fields: Fields = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Lead:
    """A record to route: a Salesforce Lead, a HubSpot contact or HubSpot Leads object."""

    id: str
    object: str = LEAD
    email: str | None = None
    company: str | None = None
    website: str | None = None
    country: str | None = None
    state: str | None = None
    city: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: float | None = None
    lead_source: str | None = None
    title: str | None = None
    status: str | None = None
    owner_id: str | None = None
    is_converted: bool = False
    created_date: datetime | None = None
    fields: Fields = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DataIssue:
    """Something wrong in the input: what, where, and how to fix it."""

    where: str  # e.g. "Lead.csv line 12, column NumberOfEmployees" or "Account 001…"
    problem: str
    fix: str
    record_id: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.problem} — {self.fix}"


@dataclass(frozen=True, slots=True)
class CrmProfile:
    """What this CRM is and cannot do, so that compiling a policy written for another CRM
    names each thing to change instead of routing nothing.

    `unroutable`: a policy object (Lead, Contact) → (why it cannot be routed here, the fix).
    `queue_help`: what a `queue:` the CRM does not have should become (`{queue}` is its name,
    `{slug}` the name in lower case with dashes).
    `queue_objects`: the objects a queue may own; None: any (HubSpot's queue owners are
    owners). Salesforce's (and so the CSV CRM's, an export of it) is Lead among the objects
    LeadRelay writes: queues own Leads, Cases and custom objects, never Accounts, Contacts or
    Opportunities.
    `contacts_are_leads`: the CRM's routed records (`leads`) already hold its contacts
    (HubSpot); elsewhere a policy that routes Contact routes `contacts` (`routing.routed`).
    """

    name: str = ""
    unroutable: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    queue_help: str = ""
    queue_objects: frozenset[str] | None = frozenset({LEAD})
    contacts_are_leads: bool = False  # HubSpot: its routed records are its contacts


@dataclass(frozen=True, slots=True)
class CrmSnapshot:
    """Everything routing needs from one CRM, read at one moment."""

    users: Mapping[str, Rep] = field(default_factory=dict)
    queues: Mapping[str, Queue] = field(default_factory=dict)
    accounts: Mapping[str, Account] = field(default_factory=dict)
    contacts: tuple[Contact, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()
    leads: tuple[Lead, ...] = ()
    issues: tuple[DataIssue, ...] = ()
    profile: CrmProfile = field(default_factory=CrmProfile)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An account that was considered for a lead and lost, with why."""

    account_id: str
    method: str
    score: float
    why_lost: str

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "method": self.method,
            "score": round(self.score, 4),
            "why_lost": self.why_lost,
        }


@dataclass(frozen=True, slots=True)
class Match:
    """The account a lead belongs to (or none), how it was found, and the runners-up."""

    lead_id: str
    account_id: str | None
    method: str  # contact, domain, name, acronym, fuzzy, none
    confidence: float
    reason: str = ""
    candidates: tuple[Candidate, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "lead_id": self.lead_id,
            "account_id": self.account_id,
            "method": self.method,
            "confidence": round(self.confidence, 4),
            "reason": self.reason,
            "candidates": [c.to_json() for c in self.candidates],
        }


NO_MATCH_METHOD = "none"


@dataclass(frozen=True, slots=True)
class OwnerChange:
    """One owner write the CRM should make."""

    record_id: str
    object: str
    owner_id: str
    previous_owner_id: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    record_id: str
    object: str
    owner_id: str
    previous_owner_id: str | None
    account_id: str | None
    match_method: str
    rule: str
    score: int
    tier: str | None
    pool: str | None
    reason: str
    trace: Mapping[str, Any]
    policy_version: str | None = None  # the policy version that decided (set by the worker)

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "object": self.object,
            "owner_id": self.owner_id,
            "previous_owner_id": self.previous_owner_id,
            "account_id": self.account_id,
            "match_method": self.match_method,
            "rule": self.rule,
            "score": self.score,
            "tier": self.tier,
            "pool": self.pool,
            "reason": self.reason,
            "policy_version": self.policy_version,
            "trace": self.trace,
        }

    def owner_change(self) -> OwnerChange:
        return OwnerChange(self.record_id, self.object, self.owner_id, self.previous_owner_id)
