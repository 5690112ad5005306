"""Every object a policy routes, as the one record shape the engine routes.

The engine routes `Lead`s: a Salesforce Lead, a HubSpot contact or Leads object. A Contact
(Salesforce), an Account and an Opportunity are routed as the same shape, their fields kept
by API name, so that `lead.` facts read the record's own fields whatever its object. An
account and an opportunity know their account: they are matched to it, never by name
(`own_account`); an opportunity reads its place and size from its account, so territory
and segment rules route it to the AE pool of the account's segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime

from routing.model import (
    ACCOUNT,
    CONTACT,
    OPPORTUNITY,
    Account,
    Contact,
    CrmSnapshot,
    Lead,
    Opportunity,
)

OWN_ACCOUNT_FIELD = {CONTACT: "AccountId", ACCOUNT: "Id", OPPORTUNITY: "AccountId"}
OWN_ACCOUNT_OBJECTS = frozenset({ACCOUNT, OPPORTUNITY})  # matched to it, never by name
DERIVED_OBJECTS = frozenset({CONTACT, ACCOUNT, OPPORTUNITY})  # routed from their own records


def routed_records(snapshot: CrmSnapshot, objects: Iterable[str]) -> Iterator[Lead]:
    """Every record a policy routing `objects` routes: the snapshot's leads (with HubSpot's
    contacts), then its contacts (elsewhere), accounts and open opportunities if the policy
    routes those."""
    objects = frozenset(objects)
    yield from snapshot.leads
    if CONTACT in objects and not snapshot.profile.contacts_are_leads:
        yield from records_of(snapshot, CONTACT)
    for object in (ACCOUNT, OPPORTUNITY):
        if object in objects:
            yield from records_of(snapshot, object)


def records_of(snapshot: CrmSnapshot, object: str) -> Iterator[Lead]:
    """The snapshot's contacts, accounts or open opportunities as records to route."""
    if object == CONTACT:
        yield from (contact_as_record(c) for c in snapshot.contacts)
    elif object == ACCOUNT:
        yield from (account_as_record(a) for a in snapshot.accounts.values())
    elif object == OPPORTUNITY:
        accounts = snapshot.accounts
        for opportunity in snapshot.opportunities:
            if not opportunity.is_closed:
                yield opportunity_as_record(opportunity, accounts.get(opportunity.account_id or ""))


def own_account(record: Lead) -> str | None:
    """The account a contact, an account or an opportunity belongs to, by its own fields."""
    account_id = record.fields.get(OWN_ACCOUNT_FIELD.get(record.object, ""))
    return account_id if isinstance(account_id, str) and account_id else None


def contact_as_record(contact: Contact) -> Lead:
    fields = contact.fields
    return Lead(
        id=contact.id,
        object=CONTACT,
        email=contact.email,
        owner_id=contact.owner_id,
        country=_text(fields, "MailingCountry"),
        state=_text(fields, "MailingState"),
        city=_text(fields, "MailingCity"),
        title=_text(fields, "Title"),
        created_date=_datetime(fields, "CreatedDate"),
        fields={**fields, "AccountId": contact.account_id},
    )


def account_as_record(account: Account) -> Lead:
    return Lead(
        id=account.id,
        object=ACCOUNT,
        company=account.name,
        website=account.website,
        country=account.billing_country,
        state=account.billing_state,
        city=account.billing_city,
        industry=account.industry,
        employees=account.employees,
        annual_revenue=account.annual_revenue,
        owner_id=account.owner_id,
        created_date=_datetime(account.fields, "CreatedDate"),
        fields={**account.fields, "Id": account.id},
    )


def opportunity_as_record(opportunity: Opportunity, account: Account | None) -> Lead:
    """Its place, size and company are its account's (an opportunity has none of its own)."""
    return Lead(
        id=opportunity.id,
        object=OPPORTUNITY,
        company=account.name if account else None,
        website=account.website if account else None,
        country=account.billing_country if account else None,
        state=account.billing_state if account else None,
        city=account.billing_city if account else None,
        industry=account.industry if account else None,
        employees=account.employees if account else None,
        annual_revenue=account.annual_revenue if account else None,
        status=opportunity.stage,
        owner_id=opportunity.owner_id,
        is_converted=opportunity.is_closed,
        created_date=opportunity.created_date,
        fields={**opportunity.fields, "AccountId": opportunity.account_id},
    )


def _text(fields: Mapping[str, object], name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) and value else None


def _datetime(fields: Mapping[str, object], name: str) -> datetime | None:
    value = fields.get(name)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None
