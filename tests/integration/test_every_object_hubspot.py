"""Companies and deals routed as they arrive, against the local HubSpot server with real Redis
and SQL, through the worker's `sweep_crm` and `poll_crm`: an unowned company goes to the
account managers of its country, a new deal to the AE pool of its company's size, each owner
written with a batch update of its own object type (companies, deals); a closed deal and a
company a person owns stay as they are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hubspot_server import TOKEN, HubSpotState, hubspot_server

from connectors.hubspot.connector import HubSpotConnector
from tests.integration.context_support import crm_context
from worker.jobs.context import CrmContext
from worker.jobs.loop import poll_crm, sweep_crm

ANN, BOB, CAT, DAN = "101", "102", "103", "104"
DEAL_TO_COMPANY = 5  # HubSpot's primary deal-to-company association type
POLICY: dict[str, Any] = {
    "name": "companies and deals",
    "objects": ["Account", "Opportunity"],
    "hubspot": {"queues": {"New": "unowned"}},
    "routable": {"owners": [{"queue": "New"}]},
    "fallback": {"user": "dan@acme.example"},
    "pools": [
        {"name": "emea account managers", "members": ["ann@acme.example"]},
        {"name": "na account managers", "members": ["bob@acme.example"]},
        {"name": "enterprise aes", "members": ["cat@acme.example"]},
        {"name": "commercial aes", "members": ["dan@acme.example"]},
    ],
    "rules": [
        {"name": "emea-companies",
         "when": {"all": [{"fact": "object", "equals": "Account"},
                          {"fact": "country", "in": ["DE", "FR", "GB"]}]},
         "assign": {"pool": "emea account managers"}},
        {"name": "companies", "when": {"fact": "object", "equals": "Account"},
         "assign": {"pool": "na account managers"}},
        {"name": "enterprise-deals",
         "when": {"all": [{"fact": "object", "equals": "Opportunity"},
                          {"fact": "account.NumberOfEmployees", "gte": 1000}]},
         "assign": {"pool": "enterprise aes"}},
        {"name": "deals", "assign": {"pool": "commercial aes"}},
    ],
}  # fmt: skip


def now() -> str:
    """A change the search after the worker's first read finds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add_company(state: HubSpotState, n: int, country: str, size: int, owner: str = "") -> str:
    company = str(700 + n)
    state.add("companies", company, name=f"Company {n}", country=country,
              numberofemployees=str(size), hubspot_owner_id=owner or None,
              hs_lastmodifieddate=now())  # fmt: skip
    return company


def add_deal(state: HubSpotState, n: int, company: str, *, closed: bool = False) -> str:
    deal = str(900 + n)
    state.add("deals", deal, dealname=f"Deal {n}", hs_is_closed=str(closed).lower(),
              hs_is_closed_won="false", hubspot_owner_id=None,
              hs_lastmodifieddate=now())  # fmt: skip
    state.associate("deals", deal, "companies", company, DEAL_TO_COMPANY)
    return deal


def portal() -> HubSpotState:
    state = HubSpotState()
    for n, (owner, name) in enumerate(
        zip((ANN, BOB, CAT, DAN), ("ann", "bob", "cat", "dan"), strict=True)
    ):
        state.add_owner(owner, f"{name}@acme.example", user_id=9001 + n)
    return state


@pytest.fixture
def hubspot() -> Iterator[tuple[str, HubSpotState]]:
    with hubspot_server(portal()) as running:
        yield running


@pytest.fixture
def context(
    hubspot: tuple[str, HubSpotState],
    tmp_path: Path,
    redis_url: str,
    redis_namespace: str,
    database_url: str,
) -> Iterator[CrmContext]:
    connector = HubSpotConnector.from_env(
        {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": hubspot[0]}
    )
    with crm_context("hubspot:", connector, POLICY, tmp_path, redis_url, redis_namespace,
                     database_url) as context:  # fmt: skip
        yield context


def owner(state: HubSpotState, object_type: str, record_id: str) -> str | None:
    return state.objects[object_type][record_id].get("hubspot_owner_id")


def test_companies_and_deals_are_routed_as_they_arrive(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    state = hubspot[1]
    waiting = add_company(state, 1, "Germany", 4000)
    worked = add_company(state, 2, "United States", 30, owner=ANN)
    sweep_crm(context, "start")
    assert (owner(state, "companies", waiting), owner(state, "companies", worked)) == (ANN, ANN)

    new_company = add_company(state, 3, "United States", 25)
    big, small = add_deal(state, 1, waiting), add_deal(state, 2, worked)
    lost = add_deal(state, 3, worked, closed=True)
    outcome = poll_crm(context, "poll-1")

    assert outcome.routed == outcome.written == 3
    assert owner(state, "companies", new_company) == BOB
    assert (owner(state, "deals", big), owner(state, "deals", small)) == (CAT, DAN)
    assert owner(state, "deals", lost) is None
    [decision] = context.store.decisions_for(big, context.key)
    assert (decision.decision.object, decision.decision.account_id) == ("Opportunity", waiting)
    assert poll_crm(context, "poll-2").routed == 0
