"""Salesforce records (REST JSON or Bulk API CSV) to routing records.

`fields` keeps every value by its API name, typed: REST JSON is already typed except for
dates; Bulk API CSV is all text, so booleans, dates and the standard numeric fields are typed
here (custom numeric fields stay text there: CSV does not say what a column holds).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from routing.model import (
    CONTACT,
    LEAD,
    Account,
    Contact,
    FieldValue,
    Lead,
    Opportunity,
    Queue,
    Rep,
)

Fields = dict[str, FieldValue]

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INTEGER_FIELDS = frozenset({"NumberOfEmployees"})
DECIMAL_FIELDS = frozenset({"AnnualRevenue", "Amount", "Probability"})

BASE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "User": ("Id", "Name", "Email", "Title", "IsActive", "ManagerId", "SystemModstamp"),
    "Group": ("Id", "Name", "Type", "SystemModstamp"),
    "Account": (
        "Id", "Name", "Website", "OwnerId", "Type", "ParentId", "Industry",
        "NumberOfEmployees", "AnnualRevenue", "BillingCountry", "BillingState",
        "BillingCity", "SystemModstamp",
    ),
    "Contact": ("Id", "AccountId", "FirstName", "LastName", "Email", "OwnerId", "SystemModstamp"),
    "Opportunity": (
        "Id", "AccountId", "OwnerId", "Name", "StageName", "IsClosed", "IsWon", "Amount",
        "CreatedDate", "CloseDate", "SystemModstamp",
    ),
    "Lead": (
        "Id", "FirstName", "LastName", "Email", "Company", "Website", "Title", "Country",
        "State", "City", "Industry", "NumberOfEmployees", "AnnualRevenue", "LeadSource",
        "Status", "OwnerId", "IsConverted", "CreatedDate", "SystemModstamp",
    ),
}  # fmt: skip


def parse_sf_datetime(text: str) -> datetime:
    """`2026-10-02T09:00:00.000+0000` (REST), `...Z` (Bulk) or a plain date."""
    if _DATE.match(text):
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    normalised = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", normalised):
        normalised = f"{normalised[:-2]}:{normalised[-2:]}"
    return datetime.fromisoformat(normalised).astimezone(UTC)


def format_soql_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def json_fields(record: Mapping[str, Any]) -> Fields:
    fields: Fields = {}
    for name, value in record.items():
        if name == "attributes":
            continue
        if isinstance(value, Mapping):
            for inner, inner_value in json_fields(value).items():
                fields[f"{name}.{inner}"] = inner_value
        else:
            fields[name] = _typed_json_value(name, value)
    return fields


def _typed_json_value(name: str, value: Any) -> FieldValue:
    if isinstance(value, str) and (_DATETIME.match(value) or _is_date_field(name, value)):
        return parse_sf_datetime(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def csv_fields(row: Mapping[str, str]) -> Fields:
    return {name: _typed_csv_value(name, text) for name, text in row.items()}


def _typed_csv_value(name: str, text: str) -> FieldValue:
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if _DATETIME.match(text) or _is_date_field(name, text):
        return parse_sf_datetime(text)
    if name in INTEGER_FIELDS:
        return int(float(text))
    if name in DECIMAL_FIELDS:
        return float(text)
    return text


def _is_date_field(name: str, text: str) -> bool:
    return bool(_DATE.match(text)) and (name.endswith("Date") or name.endswith("Date__c"))


def _text(fields: Fields, name: str) -> str | None:
    value = fields.get(name)
    return None if value is None else str(value)


def _int(fields: Fields, name: str) -> int | None:
    value = fields.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(fields: Fields, name: str) -> float | None:
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _datetime(fields: Fields, name: str) -> datetime | None:
    value = fields.get(name)
    return value if isinstance(value, datetime) else None


def _name(fields: Fields) -> str:
    given = " ".join(p for p in (_text(fields, "FirstName"), _text(fields, "LastName")) if p)
    return _text(fields, "Name") or given


def to_rep(fields: Fields) -> Rep:
    return Rep(
        id=str(fields["Id"]),
        name=_name(fields),
        email=_text(fields, "Email"),
        is_active=fields.get("IsActive") is not False,
        manager_id=_text(fields, "ManagerId"),
        title=_text(fields, "Title"),
        fields=fields,
    )


def to_queue(fields: Fields) -> Queue:
    return Queue(id=str(fields["Id"]), name=_name(fields))


def to_account(fields: Fields) -> Account:
    return Account(
        id=str(fields["Id"]),
        name=_name(fields),
        website=_text(fields, "Website"),
        owner_id=_text(fields, "OwnerId"),
        type=_text(fields, "Type"),
        parent_id=_text(fields, "ParentId"),
        industry=_text(fields, "Industry"),
        employees=_int(fields, "NumberOfEmployees"),
        annual_revenue=_float(fields, "AnnualRevenue"),
        billing_country=_text(fields, "BillingCountry"),
        billing_state=_text(fields, "BillingState"),
        billing_city=_text(fields, "BillingCity"),
        fields=fields,
    )


def to_contact(fields: Fields) -> Contact:
    return Contact(
        id=str(fields["Id"]),
        account_id=_text(fields, "AccountId"),
        email=_text(fields, "Email"),
        owner_id=_text(fields, "OwnerId"),
        fields=fields,
    )


def to_opportunity(fields: Fields) -> Opportunity:
    return Opportunity(
        id=str(fields["Id"]),
        account_id=_text(fields, "AccountId"),
        owner_id=_text(fields, "OwnerId"),
        is_closed=fields.get("IsClosed") is True,
        is_won=fields.get("IsWon") is True,
        amount=_float(fields, "Amount"),
        created_date=_datetime(fields, "CreatedDate"),
        close_date=_datetime(fields, "CloseDate"),
        stage=_text(fields, "StageName"),
        fields=fields,
    )


def to_lead(fields: Fields, object: str = LEAD) -> Lead:
    return Lead(
        id=str(fields["Id"]),
        object=object,
        email=_text(fields, "Email"),
        company=_text(fields, "Company"),
        website=_text(fields, "Website"),
        country=_text(fields, "Country") or _text(fields, "MailingCountry"),
        state=_text(fields, "State") or _text(fields, "MailingState"),
        city=_text(fields, "City") or _text(fields, "MailingCity"),
        industry=_text(fields, "Industry"),
        employees=_int(fields, "NumberOfEmployees"),
        annual_revenue=_float(fields, "AnnualRevenue"),
        lead_source=_text(fields, "LeadSource"),
        title=_text(fields, "Title"),
        status=_text(fields, "Status"),
        owner_id=_text(fields, "OwnerId"),
        is_converted=fields.get("IsConverted") is True,
        created_date=_datetime(fields, "CreatedDate"),
        fields=fields,
    )


def to_contact_as_lead(fields: Fields) -> Lead:
    return to_lead(fields, CONTACT)
