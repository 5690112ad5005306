"""HubSpot objects to routing records.

HubSpot sends every property as text. `fields` keeps them by property name, typed, and adds
the Salesforce-style aliases a policy is written against (Email, Company, Country, OwnerId…),
so one policy reads both CRMs. Which property stands behind an alias is configurable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.records import Fields, to_account, to_contact, to_opportunity
from connectors.records import to_lead as to_lead_record
from routing.model import CONTACT, LEAD, FieldValue, Lead, Queue, Rep

__all__ = ["Fields", "to_account", "to_contact", "to_lead", "to_opportunity", "to_rep"]
Properties = Mapping[str, str | None]

CONTACT_ALIASES: Mapping[str, str] = {
    "Email": "email", "FirstName": "firstname", "LastName": "lastname",
    "Company": "company", "Website": "website", "Title": "jobtitle",
    "Country": "country", "State": "state", "City": "city", "Industry": "industry",
    "NumberOfEmployees": "numemployees", "AnnualRevenue": "annualrevenue",
    "LeadSource": "hs_analytics_source", "Status": "hs_lead_status",
    "OwnerId": "hubspot_owner_id", "CreatedDate": "createdate",
    "LifecycleStage": "lifecyclestage",
}  # fmt: skip
COMPANY_ALIASES: Mapping[str, str] = {
    "Name": "name", "Website": "domain", "OwnerId": "hubspot_owner_id", "Type": "type",
    "Industry": "industry", "NumberOfEmployees": "numberofemployees",
    "AnnualRevenue": "annualrevenue", "BillingCountry": "country", "BillingState": "state",
    "BillingCity": "city",
}  # fmt: skip
DEAL_ALIASES: Mapping[str, str] = {
    "Name": "dealname", "Amount": "amount", "StageName": "dealstage",
    "CloseDate": "closedate", "CreatedDate": "createdate", "OwnerId": "hubspot_owner_id",
    "IsClosed": "hs_is_closed", "IsWon": "hs_is_closed_won",
}  # fmt: skip

LEAD_ALIASES: Mapping[str, str] = {
    "Name": "hs_lead_name", "OwnerId": "hubspot_owner_id", "Status": "hs_pipeline_stage",
    "CreatedDate": "hs_createdate", "LeadType": "hs_lead_type", "LeadLabel": "hs_lead_label",
}  # fmt: skip

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
NUMERIC = frozenset({"numemployees", "numberofemployees", "annualrevenue", "amount"})


def typed(name: str, text: str | None) -> FieldValue:
    if text is None or text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if name in NUMERIC and _DECIMAL.match(text):
        return int(text) if _INTEGER.match(text) else float(text)
    if _DATETIME.match(text) and not _INTEGER.match(text):
        return parse_hs_datetime(text)
    return text


def parse_hs_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def epoch_millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def fields_of(record_id: str, properties: Properties, aliases: Mapping[str, str]) -> Fields:
    fields: Fields = {name: typed(name, value) for name, value in properties.items()}
    for alias, name in aliases.items():
        fields[alias] = fields.get(name)
    fields["Id"] = record_id
    return fields


def to_lead(fields: Fields) -> Lead:
    """A HubSpot contact, routed as the policy object `Contact`."""
    return to_lead_record(fields, CONTACT)


def to_hs_lead(fields: Fields) -> Lead:
    """A HubSpot Leads object, its contact's properties beneath its own (see hubspot.py)."""
    return to_lead_record(fields, LEAD)


def is_queue(owner: Mapping[str, Any]) -> bool:
    return str(owner.get("type") or "PERSON").upper() == "QUEUE"


def to_queue(owner: Mapping[str, Any]) -> Queue:
    first, last = owner.get("first_name") or "", owner.get("last_name") or ""
    return Queue(id=str(owner["id"]), name=f"{first} {last}".strip() or str(owner["id"]))


def to_rep(
    owner: Mapping[str, Any],
    out_of_office: bool | None,
    time_zone: str | None = None,
    working_hours: str | None = None,
) -> Rep:
    first, last = owner.get("first_name") or "", owner.get("last_name") or ""
    name = f"{first} {last}".strip() or str(owner.get("email") or owner["id"])
    fields: Fields = {
        "Id": str(owner["id"]),
        "Name": name,
        "Email": owner.get("email"),
        "IsActive": not owner.get("archived", False),
        "UserId": owner.get("user_id"),
        "Out_Of_Office__c": out_of_office,
        # the user's time zone (HubSpot users' hs_standard_time_zone), read under both names
        "TimeZoneSidKey": time_zone,
        USER_TIME_ZONE: time_zone,
        USER_WORKING_HOURS: working_hours,  # HubSpot's JSON; `hours_field` reads it
        "Teams": ";".join(str(t.get("name")) for t in owner.get("teams") or []) or None,
    }
    return Rep(
        id=str(owner["id"]),
        name=name,
        email=owner.get("email"),
        is_active=not owner.get("archived", False),
        fields=fields,
    )


# --- the fields a policy reads, as HubSpot properties --------------------------------------

OBJECT_TYPES: Mapping[str, str] = {
    "Lead": "contacts", "Contact": "contacts", "Account": "companies", "Opportunity": "deals",
}  # fmt: skip
LINKS = frozenset({"Id", "AccountId", "ParentId"})  # set from ids and associations
OWNER_FIELDS = frozenset({"Id", "Name", "Email", "IsActive", "UserId"})  # what owners carry
USER_TIME_ZONE = "hs_standard_time_zone"  # on HubSpot users, not owners
USER_TIME_ZONE_FIELDS = frozenset({"TimeZoneSidKey", USER_TIME_ZONE})
USER_WORKING_HOURS = "hs_working_hours"  # on HubSpot users: [{days, startMinute, endMinute}]


def property_of(field: str, aliases: Mapping[str, str]) -> str:
    """The property behind an API name: its alias, else the name lowercased (HubSpot's
    internal property names are lower case: Tech_Stack__c is read as tech_stack__c)."""
    return aliases.get(field) or field.lower()


def needed_aliases(
    needs: Mapping[str, frozenset[str]], object_type: str, aliases: Mapping[str, str]
) -> dict[str, str]:
    """`aliases` plus an alias for every field the policy reads on this object type."""
    wanted = dict(aliases)
    for object, fields in needs.items():
        if OBJECT_TYPES.get(object) == object_type:
            wanted.update((f, property_of(f, aliases)) for f in fields if f not in LINKS)
    return wanted
