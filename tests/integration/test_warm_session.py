"""A session kept warm across batches routes exactly as one built cold over the same records.

The Acme CRM is changed in the ways a live org changes between polls (accounts renamed,
re-sited, deleted and added, deals opened, closed and moved, contacts added and removed, leads
re-owned and re-addressed, a rep deactivated); the changes reach the warm session one by one
or as one full read. Every lead is then routed in order by both sessions, each with its own
fresh rotation state, and every decision must be the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.csvcrm.connector import CsvCrm
from routing.engine import MemoryState, Record, open_lead_loads, route_all
from routing.model import Account, Contact, CrmSnapshot, Lead, Opportunity
from tests.conftest import ACME, ACME_POLICY
from worker.jobs.session import RoutingSession, session_for
from worker.jobs.warm_session import WarmSession

Gone = dict[str, set[str]]
FAMILY_RULES = {"named-account", "no-territory", "tier1-enterprise", "tier2-midmarket", "tier3"}


def acme() -> CrmSnapshot:
    return CsvCrm(ACME).snapshot()


def changed_crm(base: CrmSnapshot) -> tuple[CrmSnapshot, list[Record], Gone]:
    """The CRM after a sequence of changes, and the changes as a feed would deliver them."""
    accounts = dict(base.accounts)
    contacts = {c.id: c for c in base.contacts}
    opps = {o.id: o for o in base.opportunities}
    leads = {lead.id: lead for lead in base.leads}
    users = dict(base.users)
    changes: list[Record] = []
    gone: Gone = {}

    def put(store: dict[str, Record], record: Record) -> None:
        store[record.id] = record
        changes.append(record)

    def drop(object: str, store: dict[str, Record], record_id: str) -> None:
        store.pop(record_id)
        gone.setdefault(object, set()).add(record_id)

    matched = matched_accounts(base)  # account id → leads matched to it, before the changes
    ids = sorted(matched, key=lambda account_id: (-len(matched[account_id]), account_id))
    resited, cloned, renamed_to, deleted, with_deal, customer = ids[:6]
    put(accounts, dataclasses.replace(accounts[resited], website="www.moved-elsewhere.example"))
    clone = dataclasses.replace(accounts[cloned], id="001999999999999AAA")  # a tie now
    put(accounts, with_fields(clone, Id=clone.id, CreatedDate=datetime(2020, 1, 1, tzinfo=UTC)))
    put(accounts, renamed(accounts[renamed_to], "Completely Different Holdings"))
    drop("Account", accounts, deleted)
    put(
        accounts,
        with_fields(dataclasses.replace(accounts[customer], type="Customer"), Type="Customer"),
    )
    rules = {d[0]: d[2] for d in decisions_of(session_for(base, ACME_POLICY))}
    child = accounts[  # its family now has a customer at the top
        next(i for i in ids[8:] if any(rules.get(lead) in FAMILY_RULES for lead in matched[i]))
    ]
    parent = next(a for a in accounts.values() if a.type == "Customer" and a.id != child.id)
    put(accounts, with_fields(dataclasses.replace(child, parent_id=parent.id), ParentId=parent.id))
    rep = next(u for u in users.values() if u.is_active and u.id != "005000000000099AAA")
    other = next(
        u for u in users.values() if u.is_active and u.id not in (rep.id, "005000000000099AAA")
    )
    deal = Opportunity("006999999999999AAA", with_deal, other.id, False, False, 1e5,
                       datetime(2026, 10, 1, tzinfo=UTC), None, "Proposal", {})  # fmt: skip
    put(opps, deal)
    for opp in list(opps.values())[:3]:
        put(opps, dataclasses.replace(opp, is_closed=not opp.is_closed))
    last = list(opps.values())[-2]
    put(opps, dataclasses.replace(last, account_id=ids[6], is_closed=False))
    lead_list = sorted(leads.values(), key=lambda lead: lead.id)
    put(contacts, Contact("003999999999999AAA", ids[7], lead_list[0].email, None, {}))
    drop("Contact", contacts, next(iter(contacts)))
    for lead in lead_list[1:6]:
        put(leads, owned(lead, other.id))
    put(leads, dataclasses.replace(lead_list[7], email=lead_list[2].email))
    drop("Lead", leads, lead_list[8].id)
    users[rep.id] = dataclasses.replace(rep, is_active=False)
    changes.append(users[rep.id])
    final = dataclasses.replace(
        base,
        users=users,
        accounts=accounts,
        contacts=tuple(contacts.values()),
        opportunities=tuple(opps.values()),
        leads=tuple(leads.values()),
    )
    return final, changes, gone


def matched_accounts(snapshot: CrmSnapshot) -> dict[str, list[str]]:
    session = session_for(snapshot, ACME_POLICY)
    matched: dict[str, list[str]] = {}
    for lead in snapshot.leads:
        account_id = session.matcher.match(lead).account_id
        if account_id:
            matched.setdefault(account_id, []).append(lead.id)
    return matched


def renamed(account: Account, name: str) -> Account:
    return with_fields(dataclasses.replace(account, name=name), Name=name)


def owned(lead: Lead, owner_id: str) -> Lead:
    return with_fields(dataclasses.replace(lead, owner_id=owner_id), OwnerId=owner_id)


def with_fields(record: Record, **values: object) -> Record:
    return dataclasses.replace(record, fields={**record.fields, **values})  # type: ignore[arg-type]


def decisions_of(session: RoutingSession) -> list[tuple[object, ...]]:
    return [
        (d.record_id, d.owner_id, d.rule, d.account_id, d.match_method, d.pool, d.reason)
        for d in route_all(session.router, session.snapshot.leads)
    ]


def matches_of(session: RoutingSession) -> list[tuple[object, ...]]:
    found = (session.matcher.match(lead) for lead in session.snapshot.leads)
    return sorted((m.lead_id, m.account_id, m.method, m.confidence, m.reason) for m in found)


def apply_one_by_one(
    warm: WarmSession, final: CrmSnapshot, changes: list[Record], gone: Gone
) -> None:
    for record in changes:
        warm.apply([record])
    warm.apply([], gone)


def apply_as_full_read(
    warm: WarmSession, final: CrmSnapshot, changes: list[Record], gone: Gone
) -> None:
    warm.replace_all(final)


@pytest.mark.parametrize("deliver", [apply_one_by_one, apply_as_full_read])
def test_a_warm_session_routes_exactly_as_a_cold_one_after_changes(
    deliver: Callable[[WarmSession, CrmSnapshot, list[Record], Gone], None],
) -> None:
    base = acme()
    warm = WarmSession.open(base, ACME_POLICY)
    decisions_of(warm.session(MemoryState()))  # routed once before the changes, as a worker
    final, changes, gone = changed_crm(base)
    deliver(warm, final, changes, gone)

    cold = session_for(final, ACME_POLICY)  # its rotation state: fresh, loads from `final`
    hot = warm.session(MemoryState(open_lead_loads(final, cold.policy)))
    assert sorted(lead.id for lead in hot.snapshot.leads) == sorted(x.id for x in final.leads)
    assert matches_of(hot) == matches_of(cold)
    warm_decisions, cold_decisions = decisions_of(hot), decisions_of(cold)
    assert warm_decisions == cold_decisions
    before = decisions_of(session_for(base, ACME_POLICY))
    assert {d[:3] for d in before} != {d[:3] for d in cold_decisions}  # the changes matter


def test_a_changed_policy_file_is_a_new_version(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(ACME_POLICY.read_text())
    warm = WarmSession.open(acme(), policy)
    assert WarmSession.open(acme(), policy).version == warm.version
    policy.write_text(
        ACME_POLICY.read_text().replace("tie_breakers: [country]", "tie_breakers: []")
    )
    reopened = WarmSession.open(acme(), policy)
    assert reopened.version != warm.version and reopened.policy.matching.tie_breakers == ()
    assert isinstance(next(iter(reopened.live.accounts.values())), Account)
    assert all(isinstance(o, Opportunity) for o in reopened.live.opportunities.values())
