"""Salesforce outbound messages as the worker routes them (`route_records`), against the fake
org's REST API with real Redis and SQL: a Lead created after the worker's full read is re-read
by Id (SOQL `Id IN`) and routed; the echo of our own owner write routes nothing; a Lead
converted or deleted since its message was sent is not routed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from salesforce_org import NOW, FakeOrg, fake_org, session_connector, sf_time

from tests.integration.context_support import crm_context
from worker.jobs.context import CrmContext
from worker.jobs.loop import route_records

QUEUE, REPS = "00G000000000001AAA", ("005000000000001AAA", "005000000000002AAA")
POLICY = {
    "name": "salesforce inbound",
    "objects": ["Lead"],
    "routable": {
        "owners": [{"queue": "Inbound"}],
        "when": {"fact": "lead.IsConverted", "equals": False},
    },
    "fallback": {"user": "ann@acme.example"},
    "pools": [{"name": "reps", "members": ["ann@acme.example", "bob@acme.example"]}],
    "rules": [{"name": "round-robin", "assign": {"pool": "reps"}}],
}


def add_lead(org: FakeOrg, n: int) -> str:
    lead_id = f"00Q00000000{n:04d}AAA"
    org.add("Lead", lead_id, Email=f"p{n}@globex.com", Company="Globex", OwnerId=QUEUE,
            IsConverted=False, Status="Open", CreatedDate=sf_time(NOW),
            SystemModstamp=sf_time(NOW))  # fmt: skip
    return lead_id


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    with fake_org(FakeOrg()) as org:
        org.add("User", REPS[0], Name="Ann Rep", Email="ann@acme.example", IsActive=True)
        org.add("User", REPS[1], Name="Bob Rep", Email="bob@acme.example", IsActive=True)
        org.add("Group", QUEUE, Name="Inbound", Type="Queue")
        yield org


@pytest.fixture
def context(
    org: FakeOrg, tmp_path: Path, redis_url: str, redis_namespace: str, database_url: str
) -> Iterator[CrmContext]:
    with crm_context("salesforce:", session_connector(), POLICY, tmp_path, redis_url,
                     redis_namespace, database_url) as context:  # fmt: skip
        yield context


def by_id_queries(org: FakeOrg) -> list[str]:
    queries = [parse_qs(urlparse(c.url or "").query).get("q", [""])[0] for c in org.calls]
    return [q for q in queries if "Id IN" in q]


def test_a_lead_created_after_the_full_read_is_read_by_id_and_routed(
    org: FakeOrg, context: CrmContext
) -> None:
    assert route_records(context, "first", [add_lead(org, 1)]).routed == 1
    later = add_lead(org, 2)
    org.calls.clear()
    outcome = route_records(context, "second", [later])
    assert outcome.routed == outcome.written == 1
    assert org.get("Lead", later)["OwnerId"] in REPS
    assert len(by_id_queries(org)) == 1 and "FROM Lead" in by_id_queries(org)[0]
    assert route_records(context, "echo", [later]).routed == 0  # our write, echoed
    assert len(context.store.decisions_for(later, context.key)) == 1


def test_a_lead_converted_or_deleted_since_its_message_is_not_routed(
    org: FakeOrg, context: CrmContext
) -> None:
    converted, deleted = add_lead(org, 1), add_lead(org, 2)
    route_records(context, "warm-up", [])
    org.get("Lead", converted)["IsConverted"] = True
    org.records["Lead"] = [r for r in org.records["Lead"] if r["Id"] != deleted]
    assert route_records(context, "late", [converted, deleted]).routed == 0
    assert org.get("Lead", converted)["OwnerId"] == QUEUE
