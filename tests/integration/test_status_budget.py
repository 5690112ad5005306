"""`leadrelay status` shows the org's API calls today against its allowance (as the CRM
reported them: Salesforce's Sforce-Limit-Info, HubSpot's daily-limit headers) and how many of
them LeadRelay made, counted across processes on the board."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis
from hubspot_server import TOKEN, HubSpotState, hubspot_server
from rich.console import Console
from salesforce_org import FakeOrg, fake_org, session_connector

from connectors._retry import RetryPolicy
from connectors.hubspot.connector import HubSpotConnector
from tests.conftest import ACME_POLICY
from worker.bootstrap import Runtime
from worker.reports import status
from worker.settings import Settings
from worker.state.board import ConfiguredCrm, CrmBoard, crm_key, meter_into
from worker.store.records import Store


@pytest.fixture
def urls(redis_namespace: str) -> tuple[str, str]:
    """CRM URLs of this test only: the board's keys are shared by every test on the server."""
    return f"salesforce:{redis_namespace}", f"hubspot:{redis_namespace}"


@pytest.fixture
def built(database_url: str, redis_url: str, urls: tuple[str, str]) -> Iterator[Runtime]:
    store = Store(database_url)
    store.migrate()
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    runtime = Runtime(Settings(), redis_url, store, client)
    yield runtime
    for url in urls:
        client.hdel("leadrelay:crms", crm_key(url))
        client.delete(*client.keys(f"leadrelay:crm:{crm_key(url)}:*") or ["-"])
    store.close()


def shown(built: Runtime) -> tuple[dict[str, dict[str, object]], str]:
    report = status.collect(built)
    console = Console(record=True, width=200)
    status.render(console, report)
    return {c["crm"]: c for c in report["crms"]}, console.export_text()


def test_calls_today_against_the_allowance_and_leadrelays_share(
    built: Runtime, urls: tuple[str, str]
) -> None:
    url = urls[0]
    org = FakeOrg(api_used=1_000, api_limit=100_000)  # others in the org spent 1,000 today
    built.board.register(ConfiguredCrm(url, str(ACME_POLICY)))
    with fake_org(org):
        for _ in range(2):  # two worker processes, each with its own connector
            sf = session_connector()
            meter_into(built.board, crm_key(url), sf)
            sf.snapshot()  # six queries: User, Group, Account, Contact, Opportunity, Lead
    rows, text = shown(built)
    assert rows[url]["api_calls_today"] == 12
    assert rows[url]["api_budget"] == {"used": 1_012, "limit": 100_000}
    assert f"{url} 1,012 of 100,000 calls today (1.0 %), LeadRelay spent 12" in text


def test_hubspot_daily_limit_headers_reach_status(built: Runtime, urls: tuple[str, str]) -> None:
    url = urls[1]
    state = HubSpotState(daily_limit=250_000, daily_used=40_000)
    state.add_owner("101", "ann@acme.example")
    with hubspot_server(state) as (base_url, _):
        hs = HubSpotConnector(TOKEN, base_url=base_url, policy=RetryPolicy(sleep=lambda _: None))
        built.board.register(ConfiguredCrm(url, str(ACME_POLICY)))
        meter_into(built.board, crm_key(url), hs)
        hs.snapshot()
    rows, text = shown(built)
    calls = hs.api_calls
    assert rows[url]["api_calls_today"] == calls
    budget = rows[url]["api_budget"]
    assert isinstance(budget, dict) and budget["limit"] == 250_000
    assert f"LeadRelay spent {calls}" in text and "of 250,000 calls today" in text


def test_calls_are_counted_per_utc_day(redis_url: str, redis_namespace: str) -> None:
    board = CrmBoard(redis.Redis.from_url(redis_url, decode_responses=True))
    key = f"salesforce-{redis_namespace}"
    monday, tuesday = datetime(2026, 11, 23, 23, 59, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC)
    board.count_calls(key, 5, at=monday)
    board.count_calls(key, 2, at=tuesday)
    assert (board.calls_today(key, at=monday), board.calls_today(key, at=tuesday)) == (5, 2)
