"""One CRM held in memory between batches and kept current record by record.

Building a session indexes every account (names, domains, contacts) and walks every lead and
opportunity; on a large org that costs seconds to a minute, far more than a poll's interval.
`LiveCrm` builds those indexes once and then applies changed records to them: the matcher's
index (upsert/remove), the world's open opportunities and families, the tie-breaker facts and
the owners of open leads by email. It answers exactly what a session built cold from the same
records answers (`tests/unit/test_live.py` compares them after a sequence of changes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar, cast

from routing.bulk import collector_paused
from routing.engine.router import is_open
from routing.matching import AccountFacts, AccountMatcher
from routing.model import (
    ACCOUNT,
    CONTACT,
    OPPORTUNITY,
    Account,
    Contact,
    CrmProfile,
    CrmSnapshot,
    DataIssue,
    Lead,
    Opportunity,
    Queue,
    Rep,
)
from routing.policy import UNOWNED, RoutingPolicy
from routing.routed import (
    DERIVED_OBJECTS,
    account_as_record,
    contact_as_record,
    opportunity_as_record,
)
from routing.world import World, open_opportunities_by_account, routing_order

Record = Lead | Contact | Account | Opportunity | Rep
_R = TypeVar("_R", Lead, Contact, Opportunity)
_TIE_BREAKER_DATES = ("LastActivityDate", "CreatedDate")  # AccountFacts.from_snapshot's

__all__ = ["Handover", "LiveCrm", "OpenLeadOwners"]


class OpenLeadOwners(Mapping[str, str]):
    """Email → owner of the newest open lead with that email held by a person (not a routing
    owner): what `Router` reads to keep a duplicate with its owner. Kept per lead."""

    def __init__(self, policy: RoutingPolicy, leads: Iterable[Lead] = ()) -> None:
        self._policy = policy
        self._by_email: dict[str, dict[str, tuple[tuple[datetime, str], str]]] = {}
        self._email_of: dict[str, str] = {}
        for lead in leads:
            self.upsert(lead)

    def upsert(self, lead: Lead) -> None:
        self.remove(lead.id)
        email = (lead.email or "").strip().casefold()
        owner = lead.owner_id
        policy = self._policy
        if email and owner and owner not in policy.routable_owner_ids and is_open(lead, policy):
            self._by_email.setdefault(email, {})[lead.id] = (routing_order(lead), owner)
            self._email_of[lead.id] = email

    def remove(self, lead_id: str) -> None:
        email = self._email_of.pop(lead_id, None)
        if email is None:
            return
        held = self._by_email[email]
        del held[lead_id]
        if not held:
            del self._by_email[email]

    def __getitem__(self, email: str) -> str:
        return max(self._by_email[email].values())[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_email)

    def __len__(self) -> int:
        return len(self._by_email)


@dataclass(frozen=True, slots=True)
class Handover:
    """An account whose owner changed while held: by a person, or by routing it."""

    account_id: str
    from_owner_id: str | None
    to_owner_id: str


class LiveCrm:
    """The records of one CRM, the matcher index and the world over them, kept current."""

    def __init__(self, snapshot: CrmSnapshot, policy: RoutingPolicy) -> None:
        self.policy = policy
        self.users: dict[str, Rep] = dict(snapshot.users)
        self.queues: dict[str, Queue] = dict(snapshot.queues)
        self.accounts: dict[str, Account] = dict(snapshot.accounts)
        self.contacts: dict[str, Contact] = {c.id: c for c in snapshot.contacts}
        self.opportunities: dict[str, Opportunity] = {o.id: o for o in snapshot.opportunities}
        self.leads: dict[str, Lead] = {lead.id: lead for lead in snapshot.leads}
        self.others = _OtherRouted(policy, self.accounts, snapshot.profile)
        self.handovers: list[Handover] = []  # accounts that changed hands since last taken
        self.issues: tuple[DataIssue, ...] = snapshot.issues
        self.profile: CrmProfile = snapshot.profile  # HubSpot's queue owners may own contacts
        self.users_version = 0  # moves whenever a user or queue changes
        self._view: CrmSnapshot | None = None
        self._tuples: dict[str, tuple[Record, ...]] = {}  # by object, until one of it changes
        with collector_paused():
            self._open_opps = _OpenOpportunities(self.opportunities.values())
            self._dates = {
                name: _dates(self.accounts.values(), name) for name in _TIE_BREAKER_DATES
            }
            self.facts = AccountFacts(
                with_open_opportunity=self._open_opps.accounts,
                last_activity=self._dates["LastActivityDate"],
                created=self._dates["CreatedDate"],
            )
            self.matcher = AccountMatcher(
                self.accounts.values(), self.contacts.values(), policy.matching, facts=self.facts
            )
            self.world = World(self.snapshot())
            self.open_lead_owners = OpenLeadOwners(policy, self.leads.values())
            self.others.derive_all(
                self.contacts.values(), self.accounts.values(), self.opportunities.values()
            )

    # --- reading -------------------------------------------------------------------------

    def routed(self) -> Iterator[Lead]:
        """Every record the policy routes: the leads (and routed contacts), and the accounts
        and open opportunities when it routes those."""
        yield from self.leads.values()
        yield from self.others.records.values()

    def routed_record(self, record_id: str) -> Lead | None:
        return self.leads.get(record_id) or self.others.records.get(record_id)

    def take_handovers(self) -> list[Handover]:
        handovers, self.handovers = self.handovers, []
        return handovers

    def snapshot(self) -> CrmSnapshot:
        """The records as one snapshot; the mappings are the live ones, shared, not copied."""
        if self._view is None:
            self._view = CrmSnapshot(
                users=self.users,
                queues=self.queues,
                accounts=self.accounts,
                contacts=self._tuple("Contact", self.contacts),
                opportunities=self._tuple("Opportunity", self.opportunities),
                leads=self._tuple("Lead", self.leads),
                issues=self.issues,
                profile=self.profile,
            )
        return self._view

    def _tuple(self, object: str, records: Mapping[str, _R]) -> tuple[_R, ...]:
        held = self._tuples.get(object)
        if held is None:
            held = self._tuples[object] = tuple(records.values())
        return cast(tuple[_R, ...], held)

    def _changed(self, object: str | None = None) -> None:
        """The snapshot view is built again when next asked for; of its record tuples, only
        the changed object's (a million contacts are not copied because a lead changed)."""
        self._view = None
        if object is not None:
            self._tuples.pop(object, None)

    # --- applying changes ------------------------------------------------------------------

    def apply(self, records: Iterable[Record]) -> int:
        """Upsert each record (a lead, contact, account, opportunity or user); the number that
        differed from what was held."""
        changed = 0
        for record in records:
            changed += self._apply_one(record)
        return changed

    def remove(self, object: str, ids: Iterable[str]) -> int:
        removed = 0
        for record_id in ids:
            removed += self._remove_one(object, record_id)
        return removed

    def replace_all(self, snapshot: CrmSnapshot) -> int:
        """A full read: every difference from what is held, applied; the number of records
        added, changed or removed."""
        changed = self._replace_users(snapshot)
        changed += self._sync("Account", self.accounts, snapshot.accounts)
        changed += self._sync("Contact", self.contacts, {c.id: c for c in snapshot.contacts})
        opportunities = {o.id: o for o in snapshot.opportunities}
        changed += self._sync("Opportunity", self.opportunities, opportunities)
        changed += self._sync("Lead", self.leads, {lead.id: lead for lead in snapshot.leads})
        if (snapshot.issues, snapshot.profile) != (self.issues, self.profile):
            self.issues, self.profile = snapshot.issues, snapshot.profile
            self._changed()
        return changed

    def _replace_users(self, snapshot: CrmSnapshot) -> int:
        if dict(snapshot.users) == self.users and dict(snapshot.queues) == self.queues:
            return 0
        self.users.clear()
        self.users.update(snapshot.users)
        self.queues.clear()
        self.queues.update(snapshot.queues)
        self.users_version += 1
        self._changed()
        return 1

    def _sync(self, object: str, held: Mapping[str, Record], new: Mapping[str, Record]) -> int:
        changed = [
            record
            for record_id, record in new.items()
            if (before := held.get(record_id)) is not record and before != record
        ]
        gone = [] if not changed and len(new) == len(held) else held.keys() - new.keys()
        return self.apply(changed) + self.remove(object, list(gone))

    def _apply_one(self, record: Record) -> int:
        if isinstance(record, Lead) and self.others.derives(record):
            return self._owner_written(record)
        if isinstance(record, Lead):
            return self._lead(record)
        if isinstance(record, Contact):
            return self._contact(record)
        if isinstance(record, Account):
            return self._account(record)
        if isinstance(record, Opportunity):
            return self._opportunity(record)
        return self._user(record)

    def _lead(self, lead: Lead) -> int:
        if self.leads.get(lead.id) == lead:
            return 0
        self.leads[lead.id] = lead
        self.open_lead_owners.upsert(lead)
        self._changed("Lead")
        return 1

    def _owner_written(self, record: Lead) -> int:
        """A contact, account or opportunity as routed, its new owner laid over the record
        itself."""
        if record.object == CONTACT:
            contact = self.contacts.get(record.id)
            return self._contact(replace(contact, owner_id=record.owner_id)) if contact else 0
        if record.object == OPPORTUNITY:
            held = self.opportunities.get(record.id)
            return self._opportunity(replace(held, owner_id=record.owner_id)) if held else 0
        account = self.accounts.get(record.id)
        return self._account(replace(account, owner_id=record.owner_id)) if account else 0

    def _contact(self, contact: Contact) -> int:
        if self.contacts.get(contact.id) == contact:
            return 0
        self.contacts[contact.id] = contact
        self.matcher.upsert_contact(contact)
        self.others.contact(contact)
        self._changed("Contact")
        return 1

    def _account(self, account: Account) -> int:
        before = self.accounts.get(account.id)
        if before == account:
            return 0
        if before is not None and account.owner_id and before.owner_id != account.owner_id:
            self.handovers.append(Handover(account.id, before.owner_id, account.owner_id))
        self.accounts[account.id] = account
        self.matcher.upsert_account(account)
        for name, dates in self._dates.items():
            _set_date(dates, account, name)
        self.world.forget_families()
        self.others.account(account)
        self._changed()
        return 1

    def _opportunity(self, opportunity: Opportunity) -> int:
        before = self.opportunities.get(opportunity.id)
        if before == opportunity:
            return 0
        self.opportunities[opportunity.id] = opportunity
        self._open_opps.put(before, opportunity)
        self._refresh_open(before, opportunity)
        self.others.opportunity(opportunity)
        self._changed("Opportunity")
        return 1

    def _user(self, user: Rep) -> int:
        if self.users.get(user.id) == user:
            return 0
        self.users[user.id] = user
        self.users_version += 1
        self._changed()
        return 1

    def _remove_one(self, object: str, record_id: str) -> int:
        if object == "Lead" and self.leads.pop(record_id, None) is not None:
            self.open_lead_owners.remove(record_id)
            self._changed("Lead")
            return 1
        if object == "Contact" and self.contacts.pop(record_id, None) is not None:
            self.matcher.remove_contact(record_id)
            self.others.remove(CONTACT, record_id)
            self._changed("Contact")
            return 1
        if object == "Account" and self.accounts.pop(record_id, None) is not None:
            self.matcher.remove_account(record_id)
            self.others.remove(ACCOUNT, record_id)
            for dates in self._dates.values():
                dates.pop(record_id, None)
            self.world.forget_families()
            self._changed()
            return 1
        if object == "Opportunity" and (before := self.opportunities.pop(record_id, None)):
            self._open_opps.put(before, None)
            self._refresh_open(before, None)
            self.others.remove(OPPORTUNITY, record_id)
            self._changed("Opportunity")
            return 1
        if object == "User" and self.users.pop(record_id, None) is not None:
            self.users_version += 1
            self._changed()
            return 1
        return 0

    def _refresh_open(self, before: Opportunity | None, after: Opportunity | None) -> None:
        """The world's newest-first open opportunities of the accounts the change touched."""
        accounts = {o.account_id for o in (before, after) if o is not None and o.account_id}
        for account_id in accounts:
            opps = tuple(self._open_opps.of(account_id))
            if opps:
                self.world.open_opportunities[account_id] = open_opportunities_by_account(opps)[
                    account_id
                ]
            else:
                self.world.open_opportunities.pop(account_id, None)


class _OtherRouted:
    """The contacts (where they are not the CRM's leads already), accounts and open
    opportunities a policy routes that a routing owner holds, as routed records, kept beside
    the leads (never among them: they are no one's open leads). `touched`: the ids derived
    anew since the last `take_touched`, which a poll routes."""

    def __init__(
        self, policy: RoutingPolicy, accounts: Mapping[str, Account], profile: CrmProfile
    ) -> None:
        routes = frozenset(policy.objects) & DERIVED_OBJECTS
        self.routes = routes - {CONTACT} if profile.contacts_are_leads else routes
        self.records: dict[str, Lead] = {}
        self.touched: set[str] = set()
        self._accounts = accounts
        self._routing_owners = policy.routable_owner_ids  # only theirs can be routed

    def derives(self, record: Lead) -> bool:
        """A routed record of an object this keeps (its owner goes onto the record itself)."""
        return record.object in self.routes

    def derive_all(
        self,
        contacts: Iterable[Contact],
        accounts: Iterable[Account],
        opportunities: Iterable[Opportunity],
    ) -> None:
        if CONTACT in self.routes:
            for contact in contacts:
                self.contact(contact)
        if ACCOUNT in self.routes:
            for account in accounts:
                self.account(account)
        if OPPORTUNITY in self.routes:
            for opportunity in opportunities:
                self.opportunity(opportunity)
        self.touched.clear()

    def contact(self, contact: Contact) -> None:
        if self._kept(CONTACT, contact.id, contact.owner_id):
            self._put(contact_as_record(contact))

    def account(self, account: Account) -> None:
        if self._kept(ACCOUNT, account.id, account.owner_id):
            self._put(account_as_record(account))

    def opportunity(self, opportunity: Opportunity) -> None:
        if self._kept(OPPORTUNITY, opportunity.id, opportunity.owner_id, opportunity.is_closed):
            account = self._accounts.get(opportunity.account_id or "")
            self._put(opportunity_as_record(opportunity, account))

    def _kept(
        self, object: str, record_id: str, owner_id: str | None, closed: bool = False
    ) -> bool:
        """Only records a routing owner holds are kept: a million accounts its reps own are
        never copied as records (one handed back is kept again when it is read)."""
        if object not in self.routes:
            return False
        if closed or (owner_id or UNOWNED) not in self._routing_owners:
            self.remove(object, record_id)
            return False
        return True

    def remove(self, object: str, record_id: str) -> None:
        held = self.records.get(record_id)
        if held is not None and held.object == object:
            del self.records[record_id]
            self.touched.discard(record_id)

    def take_touched(self) -> list[str]:
        touched, self.touched = sorted(self.touched), set()
        return touched

    def _put(self, record: Lead) -> None:
        if self.records.get(record.id) != record:
            self.records[record.id] = record
            self.touched.add(record.id)


class _OpenOpportunities:
    """Account id → its open opportunities, by id; `accounts` is the live key view."""

    def __init__(self, opportunities: Iterable[Opportunity]) -> None:
        self._by_account: dict[str, dict[str, Opportunity]] = {}
        for opportunity in opportunities:
            self.put(None, opportunity)

    @property
    def accounts(self) -> Mapping[str, object]:
        return self._by_account

    def of(self, account_id: str) -> Iterable[Opportunity]:
        return self._by_account.get(account_id, {}).values()

    def put(self, before: Opportunity | None, after: Opportunity | None) -> None:
        if before is not None and before.account_id:
            held = self._by_account.get(before.account_id, {})
            held.pop(before.id, None)
            if not held:
                self._by_account.pop(before.account_id, None)
        if after is not None and after.account_id and not after.is_closed:
            self._by_account.setdefault(after.account_id, {})[after.id] = after


def _dates(accounts: Iterable[Account], name: str) -> dict[str, datetime]:
    return {a.id: value for a in accounts if isinstance(value := a.fields.get(name), datetime)}


def _set_date(dates: dict[str, datetime], account: Account, name: str) -> None:
    value = account.fields.get(name)
    if isinstance(value, datetime):
        dates[account.id] = value
    else:
        dates.pop(account.id, None)
