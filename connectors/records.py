"""Routing records from Salesforce-style field maps (API name → typed value).

Salesforce gives these names; HubSpot's properties are aliased onto them, so one set of
builders serves both CRMs.
"""

from __future__ import annotations

from datetime import datetime

from routing.model import (
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
