"""Salesforce outbound messages end to end: a workflow's `notifications` call to `leadrelay
serve`, a real `leadrelay worker` (no beat: nothing polls), and the owner written in the
Salesforce stand-in with assignment rules off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from tests.e2e.harness import Cluster, wait_for
from tests.e2e.salesforce_support import (
    ANN,
    BOB,
    SMALL_POLICY,
    add_lead,
    json_lines,
    owner_of,
    settled,
    small_org,
    standin_for,
    start_serve,
    start_worker,
    written_ids,
)
from tests.integration.events_support import ORG_ID_18, outbound_message, post_salesforce
from tests.standins.salesforce_http import SalesforceStandIn
from worker.store.records import WRITTEN, Store

ARRIVED = "00Q0000000ARRIVEAA"


@pytest.fixture
def standin() -> Iterator[SalesforceStandIn]:
    yield from standin_for(small_org())


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(SMALL_POLICY), encoding="utf-8")
    return path


def notify(base: str, notification_id: str, lead_id: str) -> None:
    body = outbound_message([(notification_id, "Lead", lead_id)])
    with httpx.Client(timeout=10) as client:
        reply = post_salesforce(client, base, body)
    assert reply.status_code == 200 and b"<Ack>true</Ack>" in reply.content, reply.text


def arrive_and_notify(standin: SalesforceStandIn, base: str, lead_id: str, n: int) -> None:
    add_lead(standin.org, lead_id, ago=timedelta())
    notify(base, f"04l5w00000{n:08d}", lead_id)


def test_an_outbound_message_gets_its_lead_routed_and_the_owner_written(
    cluster: Cluster, standin: SalesforceStandIn, store: Store, policy: Path
) -> None:
    # each batch reads the org afresh (the cache is what the events branch fixes)
    worker = start_worker(cluster, standin, policy, beat=False, LEADRELAY_SWEEP_SECONDS="0.001")
    base = start_serve(cluster, ORG_ID_18)

    arrive_and_notify(standin, base, ARRIVED, 1)
    wait_for(lambda: settled(store, {ARRIVED}), 30, "the notified lead to be routed")

    assert owner_of(standin.org, "Lead", ARRIVED) in (ANN, BOB)
    assert [r.write_status for r in store.decisions_for(ARRIVED)] == [WRITTEN]
    with standin.org.lock:
        (write,) = [w for w in standin.org.owner_writes if w.record_id == ARRIVED]
    assert write.auto_assign == "FALSE"
    routed = [r for r in json_lines(worker) if r.get("event") == "routed"]
    assert [r["record_id"] for r in routed] == [ARRIVED]
    assert routed[0]["task"] == "leadrelay.route_records"


def test_a_lead_created_after_the_worker_read_the_org_is_routed_by_its_event(
    cluster: Cluster, standin: SalesforceStandIn, store: Store, policy: Path
) -> None:
    worker = start_worker(cluster, standin, policy, beat=False)  # snapshot kept 300 s (default)
    worker.wait_logged("leadrelay.sweep[", 30)  # the start-up sweep has read the org
    worker.wait_logged("] succeeded", 30)
    base = start_serve(cluster, ORG_ID_18)

    arrive_and_notify(standin, base, ARRIVED, 1)
    wait_for(lambda: ARRIVED in written_ids(standin.org), 20, "the notified lead's owner")
    assert [r.write_status for r in store.decisions_for(ARRIVED)] == [WRITTEN]
