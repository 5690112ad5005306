"""A worker killed mid-batch (SIGKILL of the worker and its pool): no lead is lost, none is
routed twice. Its message comes back after the visibility timeout and another worker routes
what the dead one had not written; the sweep settles decisions it left pending."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.e2e.harness import Cluster, Proc, wait_for
from tests.e2e.synthetic import (
    QUEUE_ID,
    lead_id,
    owners,
    write_pool_crm,
    write_pool_policy,
)
from worker.store import PENDING, WRITTEN, Store

LEADS, CHUNK = 3_000, 100
SHORT_LIMITS = {  # a visibility timeout of ceil(5 × 1.25) + 5 = 12 s keeps the test short
    "LEADRELAY_TASK_SOFT_TIME_LIMIT": "4",
    "LEADRELAY_TASK_TIME_LIMIT": "5",
    "LEADRELAY_LONG_TASK_TIME_LIMIT": "5",
}
_TASK = re.compile(r"Task leadrelay\.route_records\[([0-9a-f-]+)\] (received|succeeded)")


def in_flight(proc: Proc) -> set[str]:
    received, done = set(), set()
    for task_id, what in _TASK.findall(proc.text()):
        (received if what == "received" else done).add(task_id)
    return received - done


def test_a_worker_killed_mid_batch_loses_no_lead_and_routes_none_twice(
    cluster: Cluster, store: Store, e2e_redis: str, tmp_path: Path
) -> None:
    crm = write_pool_crm(tmp_path / "crm", LEADS)
    policy = write_pool_policy(tmp_path / "policy.yaml")
    victim = cluster.worker("victim", **SHORT_LIMITS)
    cluster.worker("survivor", **SHORT_LIMITS)
    client = cluster.client(e2e_redis)
    ids = [lead_id(i) for i in range(LEADS)]
    for start in range(0, LEADS, CHUNK):
        cluster.send(
            client, "leadrelay.route_records", f"csv:{crm}", str(policy), ids[start : start + CHUNK]
        )

    def routed() -> int:
        return sum(owner != QUEUE_ID for owner in owners(crm).values())

    wait_for(lambda: routed() >= LEADS // 5 and bool(in_flight(victim)), 60, "a batch in flight")
    lost_task = in_flight(victim)
    victim.kill()
    cluster.worker("replacement", **SHORT_LIMITS)

    wait_for(lambda: routed() == LEADS, 90, "every lead to be routed", 0.5)

    def came_back() -> bool:
        """The killed batch's message, never acknowledged, is redelivered once the visibility
        timeout passes, even when the victim had written its owners just before it died."""
        redelivered = "".join(p.text() for p in cluster.procs if p is not victim)
        return any(task_id in redelivered for task_id in lost_task)

    wait_for(came_back, 60, "the killed batch to come back", 0.5)

    cluster.send(client, "leadrelay.sweep", f"csv:{crm}", str(policy))  # settles what died pending

    def pending() -> int:
        return store.counts().by_write_status.get(PENDING, 0)

    wait_for(lambda: pending() == 0, 30, "the sweep to settle pending decisions", 0.5)
    final = owners(crm)
    for record_id in ids:
        recorded = store.decisions_for(record_id)
        written = [r for r in recorded if r.write_status == WRITTEN]
        assert len(written) == 1, (record_id, [r.write_status for r in recorded])
        assert written[0].decision.owner_id == final[record_id]
    assert Counter(final.values())[QUEUE_ID] == 0
