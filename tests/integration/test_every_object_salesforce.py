"""Accounts and opportunities routed as they arrive, on the fake org's REST API with real Redis
and SQL, through the worker's own jobs (`sweep_crm` at start-up, then `poll_crm` on the change
feed): a new account goes to the account managers of its territory, a new opportunity to the
AE pool of its account's segment, each owner written onto its own object; a closed
opportunity and a record a person owns are left alone; nothing is routed twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from salesforce_org import NOW, FakeOrg, fake_org, session_connector, sf_time

from tests.integration.context_support import crm_context
from worker.jobs.context import CrmContext
from worker.jobs.loop import poll_crm, sweep_crm

INTEGRATION = "005000000000099AAA"
ANN, BOB, CAT, DAN, EVE = (f"00500000000000{n}AAA" for n in range(1, 6))
POLICY = {
    "name": "every object",
    "objects": ["Lead", "Account", "Opportunity"],
    "routable": {"owners": [{"user": "integration@acme.example"}]},
    "fallback": {"user": "eve@acme.example"},
    "pools": [
        {"name": "emea account managers", "members": ["ann@acme.example"]},
        {"name": "na account managers", "members": ["bob@acme.example"]},
        {"name": "enterprise aes", "members": ["cat@acme.example"]},
        {"name": "commercial aes", "members": ["dan@acme.example"]},
    ],
    "rules": [
        {"name": "emea-accounts",
         "when": {"all": [{"fact": "object", "equals": "Account"},
                          {"fact": "country", "in": ["DE", "FR", "GB"]}]},
         "assign": {"pool": "emea account managers"}},
        {"name": "accounts", "when": {"fact": "object", "equals": "Account"},
         "assign": {"pool": "na account managers"}},
        {"name": "enterprise-opportunities",
         "when": {"all": [{"fact": "object", "equals": "Opportunity"},
                          {"fact": "account.NumberOfEmployees", "gte": 1000}]},
         "assign": {"pool": "enterprise aes"}},
        {"name": "opportunities", "when": {"fact": "object", "equals": "Opportunity"},
         "assign": {"pool": "commercial aes"}},
    ],
}  # fmt: skip


FOLLOWING = {
    "name": "follow the account",
    "objects": ["Lead", "Contact", "Opportunity"],
    "routable": {"owners": [{"user": "integration@acme.example"}]},
    "fallback": {"user": "eve@acme.example"},
    "account_change": {"follow": ["contacts", "leads", "opportunities"]},
    "rules": [{"name": "account-owner", "when": {"fact": "matched", "equals": True},
               "assign": {"owner_of": "account"}}],
}  # fmt: skip


def stamp() -> str:
    """Now, as the feed's window sees it: a record changed after the worker's first read."""
    return sf_time(datetime.now(UTC))


def add_account(org: FakeOrg, n: int, country: str, employees: int, owner: str) -> str:
    account_id = f"001000000000{n:03d}AAA"
    org.add("Account", account_id, Name=f"Company {n}", OwnerId=owner, BillingCountry=country,
            NumberOfEmployees=employees, CreatedDate=sf_time(NOW),
            SystemModstamp=stamp())  # fmt: skip
    return account_id


def add_opportunity(org: FakeOrg, n: int, account_id: str, *, closed: bool = False) -> str:
    opportunity_id = f"006000000000{n:03d}AAA"
    org.add("Opportunity", opportunity_id, AccountId=account_id, OwnerId=INTEGRATION,
            Name=f"Deal {n}", StageName="Closed Lost" if closed else "Prospecting",
            IsClosed=closed, IsWon=False, CreatedDate=sf_time(NOW),
            SystemModstamp=stamp())  # fmt: skip
    return opportunity_id


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    with fake_org(FakeOrg()) as org:
        org.add("User", INTEGRATION, Name="Integration", Email="integration@acme.example",
                IsActive=True)  # fmt: skip
        for user_id, name in zip(
            (ANN, BOB, CAT, DAN, EVE), ("ann", "bob", "cat", "dan", "eve"), strict=True
        ):
            org.add("User", user_id, Name=name.title(), Email=f"{name}@acme.example", IsActive=True)
        yield org


@pytest.fixture
def policy() -> dict[str, Any]:
    return POLICY


@pytest.fixture
def context(
    org: FakeOrg,
    policy: dict[str, Any],
    tmp_path: Path,
    redis_url: str,
    redis_namespace: str,
    database_url: str,
) -> Iterator[CrmContext]:
    with crm_context("salesforce:", session_connector(), policy, tmp_path, redis_url,
                     redis_namespace, database_url) as context:  # fmt: skip
        yield context


def owner(org: FakeOrg, object: str, record_id: str) -> str:
    return str(org.get(object, record_id)["OwnerId"])


def test_accounts_and_opportunities_are_routed_as_they_arrive(
    org: FakeOrg, context: CrmContext
) -> None:
    waiting = add_account(org, 1, "Germany", 5000, INTEGRATION)  # there before the worker
    worked = add_account(org, 2, "United States", 50, ANN)  # a person's: not routed
    sweep_crm(context, "start")
    assert owner(org, "Account", waiting) == ANN
    assert owner(org, "Account", worked) == ANN

    new_account = add_account(org, 3, "United States", 20, INTEGRATION)
    big_deal = add_opportunity(org, 1, waiting)
    small_deal = add_opportunity(org, 2, worked)
    lost_deal = add_opportunity(org, 3, worked, closed=True)
    outcome = poll_crm(context, "poll-1")

    assert outcome.routed == outcome.written == 3
    assert owner(org, "Account", new_account) == BOB
    assert owner(org, "Opportunity", big_deal) == CAT  # its account has 5,000 people
    assert owner(org, "Opportunity", small_deal) == DAN
    assert owner(org, "Opportunity", lost_deal) == INTEGRATION  # history, not work
    [decision] = context.store.decisions_for(big_deal, context.key)
    assert (decision.decision.object, decision.decision.account_id) == ("Opportunity", waiting)
    assert decision.decision.match_method == "record"
    assert decision.decision.rule == "enterprise-opportunities"

    assert poll_crm(context, "poll-2").routed == 0  # our own writes, read back
    assert len(context.store.decisions_for(new_account, context.key)) == 1


@pytest.mark.parametrize("policy", [FOLLOWING])
def test_what_an_account_holds_follows_it_when_a_person_hands_it_over(
    org: FakeOrg, context: CrmContext
) -> None:
    account = add_account(org, 1, "Germany", 900, ANN)
    org.get("Account", account)["Website"] = "company1.example"
    org.add("Contact", "003000000000001AAA", AccountId=account, OwnerId=ANN,
            Email="a@company1.example", SystemModstamp=stamp())  # fmt: skip
    org.add("Contact", "003000000000002AAA", AccountId=account, OwnerId=BOB,
            Email="b@company1.example", SystemModstamp=stamp())  # fmt: skip
    open_deal = add_opportunity(org, 1, account)
    closed_deal = add_opportunity(org, 2, account, closed=True)
    for deal in (open_deal, closed_deal):
        org.get("Opportunity", deal)["OwnerId"] = ANN
    org.add("Lead", "00Q000000000001AAA", Email="c@company1.example", Company="Company 1",
            OwnerId=ANN, IsConverted=False, Status="Working", CreatedDate=sf_time(NOW),
            SystemModstamp=stamp())  # fmt: skip
    sweep_crm(context, "start")

    org.get("Account", account).update(OwnerId=CAT, SystemModstamp=stamp())  # by hand
    outcome = poll_crm(context, "poll-1")

    assert outcome.followed == 3
    assert owner(org, "Contact", "003000000000001AAA") == CAT
    assert owner(org, "Contact", "003000000000002AAA") == BOB  # Bob works this one
    assert owner(org, "Opportunity", open_deal) == CAT
    assert owner(org, "Opportunity", closed_deal) == ANN  # history
    assert owner(org, "Lead", "00Q000000000001AAA") == CAT
    moves = {m.record_id: m for m in context.store.moves_for(crm=context.key)}
    assert set(moves) == {"003000000000001AAA", open_deal, "00Q000000000001AAA"}
    assert moves[open_deal].reason == "Follows its account Company 1 from Ann to Cat."
    assert poll_crm(context, "poll-2").followed == 0
