"""The Acme export as a HubSpot portal, the way a HubSpot admin would hold it.

Users become owners (inactive = archived; away = `hs_availability_status` on the user);
accounts become companies (parents through company-to-company associations), contacts become
contacts of their company, opportunities become deals. Each lead becomes a contact with
`lifecyclestage: lead` and, on a portal with HubSpot's Leads object, also a Leads object whose
primary contact it is. HubSpot has no queues, so: leads of the Inbound Lead Queue have no owner,
the Nurture Queue is an owner of type QUEUE, and the Junk Queue is a person owner acting as a
queue (`hubspot.queues` in config/examples/acme-hubspot.yaml). Ids are numeric, allocated in
the order of the Salesforce Ids so that ties in routing order break the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hubspot_server import HubSpotState

from connectors.csvcrm.connector import CsvCrm
from connectors.hubspot._records import COMPANY_ALIASES, CONTACT_ALIASES, DEAL_ALIASES
from routing.model import FieldValue
from tests.conftest import ACME, ACME_POLICY

NURTURE, JUNK = "Nurture Queue", "Junk Queue"
JUNK_OWNER = "junk-queue@acme-analytics.example"
CONTACT_PROPERTIES = {**CONTACT_ALIASES, "Tech_Stack__c": "tech_stack"}
CONTACT_FIELDS_ENV = "Tech_Stack__c=tech_stack"  # HUBSPOT_CONTACT_FIELDS for the custom one
ACME_HUBSPOT = ACME_POLICY.with_name("acme-hubspot.yaml")


@dataclass
class AcmePortal:
    state: HubSpotState
    to_hubspot: dict[str, str] = field(default_factory=dict)  # Salesforce Id → HubSpot id
    lead_ids: dict[str, str] = field(default_factory=dict)  # Salesforce lead → routed record

    def to_salesforce(self, hubspot_id: str) -> str:
        return {v: k for k, v in self.to_hubspot.items()}[hubspot_id]


def hubspot_policy(portal: AcmePortal, directory: Path) -> Path:
    """acme-hubspot.yaml; on a portal with HubSpot's Leads object, routing those instead."""
    text = ACME_HUBSPOT.read_text(encoding="utf-8")
    if portal.state.leads_object:
        assert "\nobjects: [Contact]\n" in text
        text = text.replace("\nobjects: [Contact]\n", "\nobjects: [Lead]\n")
    path = directory / "acme-hubspot.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def text(value: FieldValue) -> str | None:
    """A value as HubSpot sends every property: text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return str(value)


def acme_portal(*, leads_object: bool) -> AcmePortal:
    snapshot = CsvCrm(ACME).snapshot()
    portal = AcmePortal(HubSpotState(leads_object=leads_object))
    _owners(portal, snapshot)
    _companies(portal, snapshot)
    for n, contact in enumerate(sorted(snapshot.contacts, key=lambda c: c.id)):
        props = _properties(portal, contact.fields, CONTACT_PROPERTIES)
        portal.state.add("contacts", f"{50000 + n}", lifecyclestage="salesqualifiedlead", **props)
        company = portal.to_hubspot[contact.account_id or ""]
        portal.state.associate("contacts", f"{50000 + n}", "companies", company, 1)
    for n, opp in enumerate(sorted(snapshot.opportunities, key=lambda o: o.id)):
        portal.state.add("deals", f"{70000 + n}", **_properties(portal, opp.fields, DEAL_ALIASES))
        portal.state.associate(
            "deals", f"{70000 + n}", "companies", portal.to_hubspot[opp.account_id or ""], 5
        )
    for n, lead in enumerate(sorted(snapshot.leads, key=lambda lead: lead.id)):
        _lead(portal, n, lead.id, lead.fields)
    return portal


def _owners(portal: AcmePortal, snapshot: Any) -> None:
    state = portal.state
    for n, user in enumerate(sorted(snapshot.users.values(), key=lambda u: u.id)):
        owner_id, user_id = f"{1000 + n}", 9000 + n
        first, _, last = user.name.partition(" ")
        state.add_owner(owner_id, user.email, archived=not user.is_active, user_id=user_id,
                        first_name=first, last_name=last)  # fmt: skip
        away = "away" if user.fields.get("Out_Of_Office__c") is True else "available"
        state.add(
            "users", str(n + 1), hs_internal_user_id=str(user_id), hs_availability_status=away
        )
        portal.to_hubspot[user.id] = owner_id
    queues = {q.name: q.id for q in snapshot.queues.values()}
    state.add_owner("2001", "", kind="QUEUE", first_name=NURTURE, last_name="")
    state.add_owner("2002", JUNK_OWNER, user_id=9999, first_name="Junk", last_name="Queue")
    portal.to_hubspot.update({queues[NURTURE]: "2001", queues[JUNK]: "2002"})


def _companies(portal: AcmePortal, snapshot: Any) -> None:
    accounts = sorted(snapshot.accounts.values(), key=lambda a: a.id)
    for n, account in enumerate(accounts):
        portal.to_hubspot[account.id] = f"{30000 + n}"
    for account in accounts:
        company = portal.to_hubspot[account.id]
        portal.state.add(
            "companies", company, **_properties(portal, account.fields, COMPANY_ALIASES)
        )
        if account.parent_id:
            parent = portal.to_hubspot[account.parent_id]
            portal.state.associate("companies", company, "companies", parent, 14)
            portal.state.associate("companies", parent, "companies", company, 13)


def _lead(portal: AcmePortal, n: int, lead_id: str, fields: Any) -> None:
    """A lead: a contact (`lifecyclestage: lead`) and, where the portal has them, a Leads object."""
    contact_id, props = f"{40000 + n}", _properties(portal, fields, CONTACT_PROPERTIES)
    portal.state.add("contacts", contact_id, lifecyclestage="lead", **props)
    portal.lead_ids[lead_id] = contact_id
    if not portal.state.leads_object:
        return
    name = " ".join(p for p in (fields.get("FirstName"), fields.get("LastName")) if p)
    portal.state.add("leads", f"{60000 + n}", hs_lead_name=name or None,
                     hubspot_owner_id=props.get("hubspot_owner_id"),
                     hs_pipeline_stage=props.get("hs_lead_status"),
                     hs_createdate=props.get("createdate"))  # fmt: skip
    portal.state.associate("leads", f"{60000 + n}", "contacts", contact_id, 578)
    portal.lead_ids[lead_id] = f"{60000 + n}"


def _properties(portal: AcmePortal, fields: Any, aliases: Any) -> dict[str, str | None]:
    props: dict[str, str | None] = {}
    for alias, name in aliases.items():
        value = fields.get(alias)
        if alias == "OwnerId":
            value = portal.to_hubspot.get(str(value)) if value else None  # Inbound: no owner
        if value is not None:
            props[name] = text(value)
    return props
