"""API calls the policy's field check costs, against the mocked endpoints of the tests.

    python benchmarks/schema_calls.py

Before the first session a connector is told what the Acme policy reads and checks it against
the CRM's schema (Salesforce describe, HubSpot properties); every later session repeats the
check from what the connector holds. Prints the calls of the first check, of the next 100
checks, and the fields the policy reads per object.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from hubspot_server import TOKEN, hubspot_server  # noqa: E402
from salesforce_org import FakeOrg, fake_org, session_connector  # noqa: E402

from config.fields import policy_fields  # noqa: E402
from config.policy import read_policy_file  # noqa: E402
from connectors._retry import RetryPolicy  # noqa: E402
from connectors.hubspot.connector import HubSpotConnector  # noqa: E402

ACME_POLICY = Path(__file__).resolve().parents[1] / "config" / "examples" / "acme.yaml"
LATER_SESSIONS = 100


def check_calls(connector: Any, needs: dict[str, frozenset[str]]) -> tuple[int, int]:
    """(calls of the first check, calls of the next LATER_SESSIONS checks)."""
    before = connector.api_calls
    connector.need_fields(needs)
    connector.unreadable_fields(needs)
    first = connector.api_calls - before
    for _ in range(LATER_SESSIONS):
        connector.need_fields(needs)
        connector.unreadable_fields(needs)
    return first, connector.api_calls - before - first


def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    needs = policy_fields(read_policy_file(ACME_POLICY)).needs
    print("Fields the Acme policy reads, per object")
    for object, fields in needs.items():
        print(f"  {object:<12} {len(fields):>2}  ({', '.join(sorted(fields))})")
    with fake_org(FakeOrg()):
        salesforce = check_calls(session_connector(), needs)
    with hubspot_server() as (url, _):
        hubspot = HubSpotConnector(TOKEN, base_url=url, policy=RetryPolicy(sleep=lambda _: None))
        hubspot_calls = check_calls(hubspot, needs)
    print(f"API calls of the schema check (first session; next {LATER_SESSIONS} sessions)")
    first, later = hubspot_calls
    print(
        f"  Salesforce describe     {salesforce[0]:>3}; {salesforce[1]:>3}   (one per object read)"
    )
    print(f"  HubSpot properties      {first:>3}; {later:>3}   (one per object type)")


if __name__ == "__main__":
    main()
