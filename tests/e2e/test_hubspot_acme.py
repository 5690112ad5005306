"""The Acme sample in a HubSpot portal (the local HubSpot server), routed by a real
`leadrelay worker --beat` process polling it with acme-hubspot.yaml, as contacts and as
HubSpot Leads objects: the same accounts, owners, rules and scores as the CSV run, every owner
written once, through batch update and nothing else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.acme_support import acme_differences, expected_rows, settled
from tests.e2e.harness import Cluster, wait_for
from tests.e2e.salesforce_support import json_lines
from worker.store.records import WRITTEN, Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from hubspot_acme import CONTACT_FIELDS_ENV, AcmePortal, acme_portal, hubspot_policy  # noqa: E402
from hubspot_server import TOKEN, hubspot_server  # noqa: E402

READS = ("/search", "/batch/read")  # v3 object search and batch read, v4 association reads


@pytest.fixture(params=["contacts", "leads-object"])
def portal(request: pytest.FixtureRequest, cluster: Cluster) -> Iterator[AcmePortal]:
    portal = acme_portal(leads_object=request.param == "leads-object")
    with hubspot_server(portal.state) as (url, _):
        cluster.env.update(
            HUBSPOT_ACCESS_TOKEN=TOKEN,
            HUBSPOT_BASE_URL=url,
            HUBSPOT_CONTACT_FIELDS=CONTACT_FIELDS_ENV,
        )
        yield portal
        cluster.stop_all()  # before the server goes: a worker still polling logs no noise


def owner_in_portal(portal: AcmePortal, object_type: str, record_id: str) -> str | None:
    with portal.state.lock:
        owner = portal.state.objects[object_type][record_id].get("hubspot_owner_id")
    return str(owner) if owner else None


def test_acme_routes_on_hubspot_through_a_worker_as_on_csv(
    cluster: Cluster, store: Store, portal: AcmePortal, tmp_path: Path
) -> None:
    state = portal.state
    object_type = "leads" if state.leads_object else "contacts"
    routed = {portal.lead_ids[row["LeadId"]] for row in expected_rows()}
    worker = cluster.worker("hs", "hubspot:", hubspot_policy(portal, tmp_path), beat=True)

    wait_for(lambda: settled(store, routed), 90, "every Acme lead to be routed", every_s=0.5)

    export_ids = {hubspot: export for export, hubspot in portal.to_hubspot.items()}
    differences = acme_differences(
        store,
        portal.lead_ids.__getitem__,
        lambda hubspot_id: export_ids.get(hubspot_id, f"unknown HubSpot id {hubspot_id}"),
        lambda record_id: owner_in_portal(portal, object_type, record_id),
    )
    assert differences == []
    for record_id in routed:
        assert [r.write_status for r in store.decisions_for(record_id)] == [WRITTEN], record_id
    with state.lock:
        calls = list(state.calls)
    writes = [c for c in calls if c.method != "GET" and not c.path.endswith(READS)]
    assert writes and {(c.method, c.path) for c in writes} == {
        ("POST", f"/crm/v3/objects/{object_type}/batch/update")
    }
    inputs = [item for call in writes for item in call.body["inputs"]]
    assert sorted(item["id"] for item in inputs) == sorted(routed)  # each routed lead, once
    assert {name for item in inputs for name in item["properties"]} == {"hubspot_owner_id"}
    logged = json_lines(worker)
    assert {line["record_id"] for line in logged if line.get("event") == "routed"} == routed
    assert [line for line in logged if line.get("level") == "error"] == []  # none refused
