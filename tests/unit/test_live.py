"""The owners of open leads by email, kept per lead, agree with the engine's full scan after
any sequence of leads added, re-owned, re-addressed, closed and removed; the live CRM keeps
what its CRM is (the profile) as a cold snapshot has it."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from config.policy import load_policy
from connectors.csvcrm.connector import CsvCrm
from routing.engine.live import LiveCrm, OpenLeadOwners
from routing.engine.router import _open_lead_owners_by_email
from routing.model import CrmProfile, CrmSnapshot, Lead
from routing.routed import routed_records
from tests.conftest import ACME, ACME_POLICY


def test_the_live_crm_keeps_the_crms_profile_across_full_reads() -> None:
    """A HubSpot queue owner may own a contact; held as Salesforce's profile, every contact
    routed to one would be refused in the worker (never in a cold `route`)."""
    base = CsvCrm(ACME).snapshot()
    hubspot = CrmProfile("HubSpot", {"Lead": ("no Leads object", "route contacts")}, "", None)
    live = LiveCrm(dataclasses.replace(base, profile=hubspot), load_policy(ACME_POLICY, base))

    assert live.snapshot().profile == hubspot
    live.replace_all(dataclasses.replace(base, profile=CrmProfile("HubSpot", {}, "", None)))
    assert live.snapshot().profile == CrmProfile("HubSpot", {}, "", None)


def test_open_lead_owners_kept_per_lead_agree_with_a_full_scan() -> None:
    base = CsvCrm(ACME).snapshot()
    policy = load_policy(ACME_POLICY, base)
    leads = {lead.id: lead for lead in base.leads}
    live = OpenLeadOwners(policy, leads.values())
    people = sorted(u for u in base.users if u not in policy.routable_owner_ids)
    emails = sorted({lead.email for lead in base.leads if lead.email})[:12]  # collisions
    pick = random.Random(14)
    for step in range(600):
        lead = leads[pick.choice(sorted(leads))]
        change = pick.choice(("owner", "email", "status", "remove", "add"))
        if change == "remove" and len(leads) > 50:
            del leads[lead.id]
            live.remove(lead.id)
            continue
        if change == "add":
            lead = dataclasses.replace(lead, id=f"00Qnew{step:09d}")
        new = changed(lead, change, pick, people, emails)
        leads[new.id] = new
        live.upsert(new)
        expected = _open_lead_owners_by_email(CrmSnapshot(leads=tuple(leads.values())), policy)
        assert dict(live) == expected, f"after step {step} ({change})"


def changed(
    lead: Lead, change: str, pick: random.Random, people: list[str], emails: list[str]
) -> Lead:
    if change == "owner":
        owner = pick.choice(people)
        return dataclasses.replace(lead, owner_id=owner, fields={**lead.fields, "OwnerId": owner})
    if change == "email":
        email = pick.choice(emails)
        return dataclasses.replace(lead, email=email, fields={**lead.fields, "Email": email})
    if change == "status":
        status = pick.choice(("Open - Not Contacted", "Closed - Converted", "Working"))
        return dataclasses.replace(lead, status=status, fields={**lead.fields, "Status": status})
    return lead


OBJECTS_POLICY = """\
name: accounts and deals
objects: [Account, Opportunity]
routable: {owners: [{user: integration@acme-analytics.example}]}
fallback: {user: priya.raman@acme-analytics.example}
rules: [{name: to-priya, assign: {user: priya.raman@acme-analytics.example}}]
"""


def test_the_accounts_and_deals_held_to_route_agree_with_a_cold_snapshot(tmp_path: Path) -> None:
    """A policy routing Account and Opportunity: after any sequence of accounts and deals
    re-owned (to a routing owner and back), closed, re-opened and removed, the live CRM holds
    as routed records exactly what a cold snapshot of the same records routes."""
    base = CsvCrm(ACME).snapshot()
    path = tmp_path / "objects.yaml"
    path.write_text(OBJECTS_POLICY, encoding="utf-8")
    policy = load_policy(path, base)
    live = LiveCrm(base, policy)
    accounts, deals = dict(base.accounts), {o.id: o for o in base.opportunities}
    owners = sorted(policy.routable_owner_ids - {""}) + sorted(base.users)[:5]
    pick = random.Random(18)
    for step in range(300):
        if pick.random() < 0.5 or not deals:
            account = accounts[pick.choice(sorted(accounts))]
            account = dataclasses.replace(account, owner_id=pick.choice(owners))
            accounts[account.id] = account
            live.apply([account])
        elif pick.random() < 0.9 or len(deals) < 3:
            deal = deals[pick.choice(sorted(deals))]
            deal = dataclasses.replace(
                deal, owner_id=pick.choice(owners), is_closed=pick.random() < 0.3
            )
            deals[deal.id] = deal
            live.apply([deal])
        else:
            gone = pick.choice(sorted(deals))
            del deals[gone]
            live.remove("Opportunity", [gone])
        cold = CrmSnapshot(accounts=accounts, opportunities=tuple(deals.values()))
        expected = {
            r.id: r
            for r in routed_records(cold, policy.objects)
            if (r.owner_id or "") in policy.routable_owner_ids
        }
        assert live.others.records == expected, f"after step {step}"
    assert live.others.records  # some were held to route at the end
