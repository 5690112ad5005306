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

from connectors.records import (
    Fields,
    to_account,
    to_contact,
    to_lead,
    to_opportunity,
    to_queue,
    to_rep,
)
from routing.model import CONTACT, FieldValue, Lead

__all__ = ["Fields", "to_account", "to_contact", "to_lead", "to_opportunity", "to_queue", "to_rep"]

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


def to_contact_as_lead(fields: Fields) -> Lead:
    return to_lead(fields, CONTACT)
