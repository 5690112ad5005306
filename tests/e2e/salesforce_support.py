"""What the Salesforce end-to-end tests share: the HTTPS stand-in with an org in it, a worker
process pointed at it, and the checks on what the worker wrote there."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ACME
from tests.e2e.acme_support import acme_differences
from tests.e2e.acme_support import expected_rows as expected_rows  # re-exported
from tests.e2e.acme_support import settled as settled  # re-exported
from tests.e2e.harness import LEADRELAY, Cluster, Proc, wait_for
from tests.integration.salesforce_org import FakeOrg, sf_time
from tests.standins.exports import load_export
from tests.standins.salesforce_http import SalesforceStandIn, salesforce_standin
from worker.store.records import Store

CRM = "salesforce:"
QUEUE_ID, ROUTER_ID = "00G000000000001AAA", "005000000000099AAA"
ANN, BOB, FALLBACK = "005000000000001AAA", "005000000000002AAA", "005000000000003AAA"
SMALL_POLICY = {
    "name": "small inbound",
    "objects": ["Lead"],
    "routable": {
        "owners": [{"queue": "Inbound Lead Queue"}],
        "when": {"fact": "lead.IsConverted", "equals": False},
    },
    "fallback": {"user": "fay@acme.example"},
    "pools": [{"name": "reps", "members": ["ann@acme.example", "bob@acme.example"]}],
    "rules": [{"name": "round-robin", "assign": {"pool": "reps"}}],
}


def now_stamp(ago: timedelta = timedelta()) -> str:
    return sf_time(datetime.now(UTC) - ago)


def live_org() -> FakeOrg:
    """An org whose clock is the real one: writes and changes move SystemModstamp, as the
    worker's change feed expects. Bulk jobs are done at the first poll (no 2 s waits); query
    pages are small, so reads follow nextRecordsUrl."""
    return FakeOrg(page_size=100, bulk_polls_before_done=0, clock=lambda: datetime.now(UTC))


def acme_org() -> FakeOrg:
    org = live_org()
    load_export(org, ACME, stamp=datetime.now(UTC) - timedelta(hours=1))
    return org


def small_org() -> FakeOrg:
    org = live_org()
    stamp = now_stamp(timedelta(hours=1))
    org.add("Group", QUEUE_ID, Name="Inbound Lead Queue", Type="Queue", SystemModstamp=stamp)
    for user_id, name in ((ANN, "ann"), (BOB, "bob"), (FALLBACK, "fay"), (ROUTER_ID, "router")):
        org.add("User", user_id, Name=name.title(), Email=f"{name}@acme.example",
                IsActive=True, Out_Of_Office__c=False, SystemModstamp=stamp)  # fmt: skip
    return org


def add_lead(
    org: FakeOrg, lead_id: str, ago: timedelta = timedelta(minutes=30), **extra: Any
) -> None:
    values = {
        "FirstName": "Pat", "LastName": lead_id[-6:], "Email": f"{lead_id.lower()}@globex.example",
        "Company": "Globex", "Country": "United States", "State": "CA", "LeadSource": "Web",
        "Status": "Open - Not Contacted", "OwnerId": QUEUE_ID, "IsConverted": False,
        "CreatedDate": now_stamp(ago), "SystemModstamp": now_stamp(ago), **extra,
    }  # fmt: skip
    with org.lock:
        org.add("Lead", lead_id, **values)


def standin_for(org: FakeOrg) -> Iterator[SalesforceStandIn]:
    with salesforce_standin(org) as standin:
        yield standin
        assert standin.errors == [], standin.errors  # the stand-in itself must not have failed


def start_worker(
    cluster: Cluster, standin: SalesforceStandIn, policy: Path, *, beat: bool = True, **env: str
) -> Proc:
    cluster.env.update(standin.env())
    return cluster.worker("sf", CRM, policy, beat=beat, **env)


def owner_of(org: FakeOrg, object: str, record_id: str) -> str | None:
    with org.lock:
        return str(org.get(object, record_id)["OwnerId"])


def written_ids(org: FakeOrg) -> set[str]:
    with org.lock:
        return {w.record_id for w in org.owner_writes}


def differences_from_expected(store: Store, org: FakeOrg) -> list[str]:
    """Each Acme lead whose recorded decision (account, owner, rule, score) or owner in the
    org differs from expected.csv, the CSV run's result."""
    return acme_differences(store, str, str, lambda record_id: owner_of(org, "Lead", record_id))


def json_lines(proc: Proc) -> list[dict[str, Any]]:
    lines = []
    for line in proc.text().splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(cluster: Cluster, org_id: str | None) -> str:
    """`leadrelay serve` accepting this org's outbound messages (none: HubSpot's webhooks
    only); its base URL once it is ready (Redis reachable, a worker registered for the CRM)."""
    port = free_port()
    env = {"SALESFORCE_ORG_ID": org_id} if org_id else {}
    cluster.start("serve", [*LEADRELAY, "serve", "--port", str(port)], **env)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(ready, 60, "leadrelay serve to be ready")
    return base
