"""The Acme sample in a Salesforce org (the HTTPS stand-in), routed by real `leadrelay worker
--beat` processes polling it: the same owners, rules and scores as the CSV run, written with
assignment rules off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import ACME_POLICY
from tests.e2e.harness import Cluster, wait_for
from tests.e2e.salesforce_support import (
    acme_org,
    differences_from_expected,
    expected_rows,
    json_lines,
    settled,
    standin_for,
    start_worker,
)
from tests.standins.salesforce_http import SalesforceStandIn
from worker.store.records import WRITTEN, Store


@pytest.fixture
def standin() -> Iterator[SalesforceStandIn]:
    yield from standin_for(acme_org())


def route_acme(cluster: Cluster, standin: SalesforceStandIn, store: Store, **env: str) -> None:
    start_worker(cluster, standin, ACME_POLICY, **env)
    wanted = {row["LeadId"] for row in expected_rows()}
    wait_for(lambda: settled(store, wanted), 90, "every Acme lead to be routed", every_s=0.5)


def test_acme_routes_on_salesforce_as_on_csv(
    cluster: Cluster, standin: SalesforceStandIn, store: Store
) -> None:
    route_acme(cluster, standin, store)

    assert differences_from_expected(store, standin.org) == []


def test_acme_routes_on_salesforce_as_on_csv_with_the_policy_fields_configured(
    cluster: Cluster, standin: SalesforceStandIn, store: Store
) -> None:
    """What a user must do until the policy decides what is read: name the custom field."""
    route_acme(cluster, standin, store, SALESFORCE_EXTRA_FIELDS="Lead.Tech_Stack__c")

    assert differences_from_expected(store, standin.org) == []
    org = standin.org
    with org.lock:
        writes = list(org.owner_writes)
        logins = list(org.logins)
    assert writes and {(w.auto_assign, w.via) for w in writes} == {("FALSE", "collections")}
    routed = {row["LeadId"] for row in expected_rows()}
    assert len([w for w in writes if w.record_id in routed]) == len({w.record_id for w in writes})
    for record_id in {w.record_id for w in writes}:
        assert [r.write_status for r in store.decisions_for(record_id)] == [WRITTEN], record_id
    assert logins and set(logins) == {"jwt"}  # the connector logged in itself (JWT bearer)
    with org.lock:
        assert any("/query/01g" in c.url for c in org.calls)  # 470 leads: paged, followed
    routed_lines = [r for r in json_lines(cluster.procs[0]) if r.get("event") == "routed"]
    assert {r["record_id"] for r in routed_lines} == routed
