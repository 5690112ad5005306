"""What a real Salesforce org throws at a running worker (real `leadrelay worker --beat`
processes against the HTTPS stand-in): a record lock, leads converted, merged or deleted while
queued, bursts of 429/503, a session that expires mid-run, and a field hidden by field-level
security. Nothing is written by accident, nothing is lost silently."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from tests.conftest import ACME_POLICY
from tests.e2e.harness import LEADRELAY, Cluster, Proc, wait_for
from tests.e2e.salesforce_support import (
    ANN,
    BOB,
    CRM,
    QUEUE_ID,
    SMALL_POLICY,
    acme_org,
    add_lead,
    json_lines,
    owner_of,
    settled,
    small_org,
    standin_for,
    start_worker,
    written_ids,
)
from tests.integration.salesforce_org import Request, throttled
from tests.standins.salesforce_http import SalesforceStandIn
from worker.store.records import WRITTEN, Store

L1, L2 = "00Q000000000001AAA", "00Q000000000002AAA"
LOCKED, CONVERTED = "00Q0000000000LKAAA", "00Q0000000000CVAAA"
MERGED, DELETED = "00Q0000000000MGAAA", "00Q0000000000DLAAA"


@pytest.fixture
def standin() -> Iterator[SalesforceStandIn]:
    yield from standin_for(small_org())


@pytest.fixture
def small_policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(SMALL_POLICY), encoding="utf-8")
    return path


def write_attempts(org_calls: list[Request], record_id: str) -> int:
    patches = [c for c in org_calls if c.method == "PATCH" and "composite/sobjects" in c.url]
    return sum(
        1
        for c in patches
        for item in json.loads(c.body or b"{}")["records"]
        if item["id"] == record_id
    )


def visible(store: Store, proc: Proc, record_id: str, reason: str) -> bool:
    """Kept where an admin looks: an open dead letter with the CRM's reason, or a warning in
    the worker's log naming the record and the reason."""
    for letter in store.open_dead_letters():
        if letter.record_id == record_id and reason in letter.error:
            return True
    return any(
        line.get("level") in ("warning", "error")
        and record_id in json.dumps(line)
        and reason in json.dumps(line)
        for line in json_lines(proc)
    )


def test_locks_lifecycle_changes_bursts_and_an_expired_session(
    cluster: Cluster, standin: SalesforceStandIn, store: Store, small_policy: Path
) -> None:
    org = standin.org
    for lead_id in (L1, L2, LOCKED, CONVERTED, MERGED, DELETED):
        add_lead(org, lead_id)
    with org.lock:
        org.fail_record(LOCKED, *["UNABLE_TO_LOCK_ROW"] * 1000)  # held for the whole test
        # between the worker's read and its write, people convert, merge and delete leads
        org.when_written(CONVERTED, lambda: org.convert(CONVERTED))
        org.when_written(MERGED, lambda: org.merge("Lead", L2, MERGED))
        org.when_written(DELETED, lambda: org.delete("Lead", DELETED))
    worker = start_worker(cluster, standin, small_policy)

    wait_for(lambda: settled(store, {L1, L2}), 60, "the plain leads to be routed")
    assert {owner_of(org, "Lead", L1), owner_of(org, "Lead", L2)} <= {ANN, BOB}
    # a row lock: tried in each round of the write, then dead-lettered with Salesforce's reason
    wait_for(lambda: visible(store, worker, LOCKED, "UNABLE_TO_LOCK_ROW"), 60, "the lock")
    with org.lock:
        assert write_attempts(org.calls, LOCKED) >= 3
    assert owner_of(org, "Lead", LOCKED) == QUEUE_ID
    # converted, merged away, deleted after the worker read them: not written, and said so
    for lead_id, reason in (
        (CONVERTED, "CANNOT_UPDATE_CONVERTED_LEAD"),
        (MERGED, "ENTITY_IS_DELETED"),
        (DELETED, "ENTITY_IS_DELETED"),
    ):

        def shown(lead_id: str = lead_id, reason: str = reason) -> bool:
            return visible(store, worker, lead_id, reason)

        wait_for(shown, 60, f"{lead_id} refused with {reason}")
    assert written_ids(org) & {LOCKED, CONVERTED, MERGED, DELETED} == set()
    assert owner_of(org, "Lead", CONVERTED) == QUEUE_ID

    # mid-run: the session expires and the org answers a burst of 429 and 503
    with org.lock:
        logins_before = len(org.logins)
        org.expire_sessions()
        org.fail_next(throttled(429), throttled(503, retry_after="1"), throttled(429))
    arrivals = [f"00Q00000000NEW{n}AAA" for n in range(3)]
    for lead_id in arrivals:
        add_lead(org, lead_id, ago=timedelta())
    wait_for(lambda: settled(store, set(arrivals)), 60, "the leads that arrived after the expiry")

    with org.lock:
        assert org.faults == [] and len(org.logins) > logins_before  # renewed by a new login
        assert set(org.logins) == {"jwt"}
    for lead_id in arrivals:
        assert [r.write_status for r in store.decisions_for(lead_id)] == [WRITTEN]
        assert owner_of(org, "Lead", lead_id) in (ANN, BOB)
    with org.lock:
        assert {w.auto_assign for w in org.owner_writes} == {"FALSE"}


@pytest.fixture
def hidden_tech_stack() -> Iterator[SalesforceStandIn]:
    org = acme_org()
    org.hide_field("Lead", "Tech_Stack__c")
    yield from standin_for(org)


def refused_or_wrote(cluster: Cluster, standin: SalesforceStandIn, **env: str) -> Proc:
    """`leadrelay worker --beat` started on the org, left until it has refused the field (a
    warning or an error naming it, or an exit) or written an owner; if it is still running, a
    few more calls of its polls are waited for, so a write it would make is seen."""
    cluster.env.update(standin.env())
    command = [*LEADRELAY, "worker", "--crm", CRM, "--policy", str(ACME_POLICY), "--beat", "-c1"]
    worker = cluster.start("sf", command, **env)
    org = standin.org

    def decided() -> bool:
        return not worker.alive() or bool(complaints(worker)) or bool(written_ids(org))

    wait_for(decided, 60, "the worker to refuse the hidden field or to route")
    with org.lock:
        seen = len(org.calls)

    def polled_on() -> bool:
        with org.lock:
            return not worker.alive() or len(org.calls) >= seen + 3

    wait_for(polled_on, 30, "the worker to poll on (or exit)")
    return worker


def complaints(worker: Proc) -> list[str]:
    """Lines naming Tech_Stack__c said as a warning or an error (or outside the JSON log)."""
    found = []
    for line in worker.text().splitlines():
        if "Tech_Stack__c" not in line:
            continue
        try:
            level = json.loads(line).get("level", "") if line.startswith("{") else "text"
        except ValueError:
            level = "text"
        if level in ("warning", "error", "critical", "text"):
            found.append(line)
    return found


def assert_named_and_nothing_written(worker: Proc, standin: SalesforceStandIn) -> None:
    assert written_ids(standin.org) == set()  # no owner decided on a quietly empty field
    said = complaints(worker)
    assert said, worker.text()[-3000:]
    assert any("Lead" in line for line in said), said


def test_a_field_hidden_by_field_level_security_is_a_clear_error(
    cluster: Cluster, hidden_tech_stack: SalesforceStandIn
) -> None:
    worker = refused_or_wrote(cluster, hidden_tech_stack)
    assert_named_and_nothing_written(worker, hidden_tech_stack)


def test_a_configured_field_hidden_by_field_level_security_is_a_clear_error(
    cluster: Cluster, hidden_tech_stack: SalesforceStandIn
) -> None:
    worker = refused_or_wrote(
        cluster, hidden_tech_stack, SALESFORCE_EXTRA_FIELDS="Lead.Tech_Stack__c"
    )
    assert_named_and_nothing_written(worker, hidden_tech_stack)
