"""Every object a team routes, through a real `leadrelay worker --beat` process polling the
HTTPS Salesforce stand-in: an account and an opportunity created while it runs are routed
(the account by its territory, the opportunity to the AE pool of its account's size) and their
owners written onto Account and Opportunity; when a person then hands the account over, its
contact follows it, recorded as a move."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.e2e.harness import Cluster, wait_for
from tests.e2e.salesforce_support import (
    ANN,
    BOB,
    FALLBACK,
    ROUTER_ID,
    now_stamp,
    owner_of,
    small_org,
    standin_for,
    start_worker,
)
from tests.standins.salesforce_http import SalesforceStandIn
from worker.store.records import Store

ACCOUNT, OPPORTUNITY, CONTACT = "001000000000501AAA", "006000000000501AAA", "003000000000501AAA"
POLICY = {
    "name": "accounts and opportunities",
    "objects": ["Contact", "Account", "Opportunity"],
    "routable": {"owners": [{"user": "router@acme.example"}]},
    "fallback": {"user": "fay@acme.example"},
    "account_change": {"follow": ["contacts"]},
    "pools": [
        {"name": "emea account managers", "members": ["ann@acme.example"]},
        {"name": "enterprise aes", "members": ["bob@acme.example"]},
    ],
    "rules": [
        {"name": "emea-accounts",
         "when": {"all": [{"fact": "object", "equals": "Account"},
                          {"fact": "country", "equals": "DE"}]},
         "assign": {"pool": "emea account managers"}},
        {"name": "enterprise-opportunities",
         "when": {"all": [{"fact": "object", "equals": "Opportunity"},
                          {"fact": "account.NumberOfEmployees", "gte": 1000}]},
         "assign": {"pool": "enterprise aes"}},
    ],
}  # fmt: skip


@pytest.fixture
def standin() -> Iterator[SalesforceStandIn]:
    yield from standin_for(small_org())


def test_a_worker_routes_new_accounts_and_opportunities_and_a_handover_moves_the_contact(
    cluster: Cluster, standin: SalesforceStandIn, store: Store, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(POLICY, sort_keys=False), encoding="utf-8")
    org = standin.org
    start_worker(cluster, standin, policy, LEADRELAY_POLL_SECONDS="1")

    with org.lock:
        org.add("Account", ACCOUNT, Name="Bauhaus GmbH", OwnerId=ROUTER_ID,
                BillingCountry="Germany", NumberOfEmployees=2500, CreatedDate=now_stamp(),
                SystemModstamp=now_stamp())  # fmt: skip
        org.add("Opportunity", OPPORTUNITY, AccountId=ACCOUNT, OwnerId=ROUTER_ID,
                Name="Bauhaus - Platform", StageName="Prospecting", IsClosed=False,
                IsWon=False, CreatedDate=now_stamp(), SystemModstamp=now_stamp())  # fmt: skip
        org.add("Contact", CONTACT, AccountId=ACCOUNT, OwnerId=ANN, Email="k@bauhaus.example",
                LastName="Klee", CreatedDate=now_stamp(), SystemModstamp=now_stamp())  # fmt: skip

    wait_for(lambda: owner_of(org, "Account", ACCOUNT) == ANN, 60, "the account routed")
    wait_for(lambda: owner_of(org, "Opportunity", OPPORTUNITY) == BOB, 60, "the deal routed")
    wait_for(lambda: store.decisions_for(OPPORTUNITY), 60, "the deal's decision recorded")
    [decision] = store.decisions_for(OPPORTUNITY)
    assert decision.decision.rule == "enterprise-opportunities"
    assert decision.decision.account_id == ACCOUNT

    with org.lock:  # a person hands the account to the fallback rep by hand
        org.get("Account", ACCOUNT).update(OwnerId=FALLBACK, SystemModstamp=now_stamp())
    wait_for(lambda: owner_of(org, "Contact", CONTACT) == FALLBACK, 60, "the contact to follow")
    wait_for(lambda: any(m.record_id == CONTACT for m in store.moves_for()), 60, "the move")
    [move] = [m for m in store.moves_for() if m.record_id == CONTACT]
    assert move.reason == "Follows its account Bauhaus GmbH from Ann to Fay."
    assert owner_of(org, "Opportunity", OPPORTUNITY) == BOB  # not asked to follow
