"""What one SLA tick costs in CRM calls, against the Salesforce fake org and the HubSpot
stand-in (both count every HTTP call): nothing when no clock is due, the due records by Id in
batches otherwise, and the users only when a breach is reassigned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from routing.policy import REASSIGN
from routing.sla import BREACHED, MET
from tests.integration.sla_budget_support import T0, Crm, Tick, hubspot, one_tick, salesforce

BATCH = {"salesforce": 200, "hubspot": 100}  # Ids per SOQL `Id IN (…)` / per batch read
USERS_READ = {"salesforce": 1, "hubspot": 3}  # the User query / owners active + archived, users

MakeCrm = Callable[[int, int], Crm]
Ticker = Callable[..., Tick]


@pytest.fixture(params=["salesforce", "hubspot"])
def make_crm(request: pytest.FixtureRequest) -> MakeCrm:
    made: MakeCrm = {"salesforce": salesforce, "hubspot": hubspot}[request.param]
    return made


@pytest.fixture
def ticker(tmp_path: Path, database_url: str, redis_url: str, redis_namespace: str) -> Ticker:
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    def run(crm: Crm, **options: object) -> Tick:
        return one_tick(crm, tmp_path, database_url, client, redis_namespace, **options)  # type: ignore[arg-type]

    return run


def test_a_tick_with_no_clock_due_makes_no_crm_call(make_crm: MakeCrm, ticker: Ticker) -> None:
    tick = ticker(make_crm(250, 10), at=T0)  # 250 clocks open, none due before T0 + 5 min
    assert tick.report.checked == 0
    assert tick.calls == 0


def test_due_clocks_are_read_by_id_in_batches_without_a_snapshot(
    make_crm: MakeCrm, ticker: Ticker
) -> None:
    crm = make_crm(250, 0)
    tick = ticker(crm)
    assert tick.report.outcomes == {MET: 250}
    assert tick.calls == -(-250 // BATCH[crm.name])  # no users, no snapshot: nobody breached


def test_a_breach_reads_the_users_once_and_is_reassigned_in_the_pool(
    make_crm: MakeCrm, ticker: Ticker
) -> None:
    crm = make_crm(250, 3)
    tick = ticker(crm)
    assert tick.report.outcomes == {MET: 247, BREACHED: 3}
    writes = 1  # one batch owner write for the tick's three reassignments
    assert tick.calls == -(-250 // BATCH[crm.name]) + USERS_READ[crm.name] + writes
    moves = {
        (e.record_id, e.action, e.from_owner_id, e.to_owner_id) for e in tick.report.escalations
    }
    reps = crm.reps
    assert moves == {
        (crm.lead_ids[n], REASSIGN, reps[n % len(reps)], reps[(n + 1) % len(reps)])
        for n in range(3)
    }
