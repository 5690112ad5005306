"""API calls the CRM connectors make, measured against the mocked endpoints of the tests.

    python benchmarks/connector_calls.py

Counts every HTTP call that reaches the CRM (logins and retries included) for 1,000 owner
updates, for Bulk API 2.0 jobs of growing size, and for one poll cycle in which nothing changed
(every object's change query; HubSpot's owners are re-read by a `User` poll only once the last
read is HUBSPOT_OWNERS_SECONDS old, so the steady poll is measured after a first one).
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from hubspot_server import TOKEN, HubSpotState, hubspot_server  # noqa: E402
from salesforce_org import FakeOrg, fake_org, session_connector, sf_time  # noqa: E402

from connectors._retry import RetryPolicy  # noqa: E402
from connectors.base import Window  # noqa: E402
from connectors.hubspot.connector import HubSpotConnector  # noqa: E402
from connectors.salesforce._bulk import BulkSettings  # noqa: E402
from connectors.salesforce._write import WriteSettings  # noqa: E402
from connectors.salesforce.connector import SalesforceSettings  # noqa: E402
from routing.model import OwnerChange  # noqa: E402

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
QUIET = Window(NOW - timedelta(minutes=5), NOW)
SF_OBJECTS = ("Lead", "Contact", "Account", "Opportunity", "User")
HS_OBJECTS = ("Lead", "Account", "Opportunity", "User")


def salesforce_updates(count: int, bulk_threshold: int) -> int:
    org = FakeOrg(bulk_polls_before_done=1)
    for n in range(count):
        org.add("Lead", f"00Q{n:015d}", OwnerId="00G000000000001AAA", SystemModstamp=sf_time(NOW))
    settings = SalesforceSettings(
        write=WriteSettings(bulk_threshold=bulk_threshold), bulk=BulkSettings(poll_interval=0)
    )
    with fake_org(org):
        sf = session_connector(settings)
        results = sf.write_owners(
            [OwnerChange(f"00Q{n:015d}", "Lead", "005000000000001AAA") for n in range(count)]
        )
    assert all(r.ok for r in results)
    return sf.api_calls


def salesforce_quiet_poll() -> dict[str, int]:
    calls: dict[str, int] = {}
    with fake_org(FakeOrg()):
        sf = session_connector()
        for object in SF_OBJECTS:
            before = sf.api_calls
            list(sf.changes(object, QUIET))
            calls[object] = sf.api_calls - before
    return calls


def hubspot_connector(url: str) -> HubSpotConnector:
    policy = RetryPolicy(sleep=lambda _: None, clock=lambda: NOW)  # the polls' time
    return HubSpotConnector(TOKEN, base_url=url, policy=policy)


def hubspot_updates(count: int) -> int:
    state = HubSpotState()
    state.add_owner("101", "ann@acme.example")
    for n in range(count):
        state.add("contacts", str(1000 + n))
    with hubspot_server(state) as (url, _):
        hs = hubspot_connector(url)
        results = hs.write_owners(
            [OwnerChange(str(1000 + n), "Contact", "101") for n in range(count)]
        )
    assert all(r.ok for r in results)
    return hs.api_calls


def hubspot_quiet_poll(*, first: bool = False) -> dict[str, int]:
    state = HubSpotState()
    state.add_owner("101", "ann@acme.example")
    calls: dict[str, int] = {}
    with hubspot_server(state) as (url, _):
        hs = hubspot_connector(url)
        if not first:
            list(hs.changes("User", QUIET))  # the first poll (or a snapshot) read the owners
        for object in HS_OBJECTS:
            before = hs.api_calls
            list(hs.changes(object, QUIET))
            calls[object] = hs.api_calls - before
    return calls


def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    print("API calls per 1,000 owner updates")
    print(
        f"  Salesforce sObject Collections   {salesforce_updates(1_000, 2_000):>5}   (target <= 5)"
    )
    print(f"  HubSpot batch update             {hubspot_updates(1_000):>5}   (target <= 10)")
    print("API calls per Bulk API 2.0 owner-update job, by size (target: near-constant)")
    for size in (1_000, 10_000, 50_000):
        print(f"  Salesforce Bulk API 2.0 {size:>7,}  {salesforce_updates(size, 0):>5}")
    print("API calls for one poll cycle in which nothing changed (target: one per object)")
    polls = (
        ("Salesforce", salesforce_quiet_poll()),
        ("HubSpot", hubspot_quiet_poll()),
        ("HubSpot, a worker's first poll", hubspot_quiet_poll(first=True)),
    )
    for crm, calls in polls:
        detail = ", ".join(f"{object} {n}" for object, n in calls.items())
        print(f"  {crm:<10} {sum(calls.values()):>3} calls   ({detail})")


if __name__ == "__main__":
    main()
