"""A worker killed mid-batch (SIGKILL of the worker and its pool): no lead is lost, none is
routed twice. Its message comes back after the visibility timeout and another worker routes
what the dead one had not written; the sweep settles decisions it left pending. A worker started
right after the crash routes at once: the dead one's locks are leases that lapse in seconds,
not after the task time limit."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from collections import Counter
from pathlib import Path

from tests.e2e.flaky_worker import calls
from tests.e2e.harness import Cluster, Proc, RedisServer, wait_for
from tests.e2e.synthetic import (
    QUEUE_ID,
    append_leads,
    lead_id,
    lead_row,
    owners,
    write_pool_crm,
    write_pool_policy,
)
from worker.store.records import PENDING, WRITTEN, Store

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


FLAKY = [sys.executable, str(Path(__file__).with_name("flaky_worker.py"))]


def test_a_worker_started_right_after_a_crash_routes_at_once(
    e2e_database: str, tmp_path: Path
) -> None:
    """The default task time limit (300 s) is kept: that was the lifetime of a dead worker's
    poll and record locks, during which every sweep and poll was skipped."""
    server = RedisServer(tmp_path)
    server.start()
    Store(e2e_database).migrate()
    cluster = Cluster.create(
        tmp_path / "home", server.url, e2e_database,
        LEADRELAY_POLL_SECONDS="1", LEADRELAY_SWEEP_SECONDS="300",
    )  # fmt: skip
    crm = write_pool_crm(tmp_path / "crm", 60)
    policy = write_pool_policy(tmp_path / "policy.yaml")
    switch = tmp_path / "flaky.json"
    switch.write_text(json.dumps({"slow_write": 2}))
    flaky = {"argv": FLAKY, "FLAKY_CONTROL": str(switch)}
    try:
        victim = cluster.worker("victim", f"csv:{crm}", policy, beat=True, **flaky)  # type: ignore[arg-type]
        wait_for(lambda: any(c.startswith("write start") for c in calls(switch)), 60, "a write")
        victim.kill()  # mid-write: holding the poll lock and the batch's record locks
        assert QUEUE_ID in owners(crm).values()
        survivor = cluster.worker("replacement", f"csv:{crm}", policy, beat=True, **flaky)  # type: ignore[arg-type]
        append_leads(crm, [lead_row(60 + i) for i in range(20)])
        wait_for(lambda: QUEUE_ID not in owners(crm).values(), 60, "every lead to be routed", 0.5)
    finally:
        cluster.stop_all()
        server.kill()
    assert "another task is polling this CRM" not in _sweeps(survivor)
    final = owners(crm)
    with Store(e2e_database) as store:
        for i in range(80):
            recorded = store.decisions_for(lead_id(i))
            written = [r for r in recorded if r.write_status == WRITTEN]
            assert len(written) == 1, (lead_id(i), [r.write_status for r in recorded])
            assert written[0].decision.owner_id == final[lead_id(i)]


def _sweeps(proc: Proc) -> str:
    return "".join(line for line in proc.text().splitlines() if "leadrelay.sweep[" in line)


def test_the_celery_worker_dying_on_its_own_is_started_again(
    e2e_database: str, tmp_path: Path
) -> None:
    """`leadrelay worker` runs Celery in a child process: a child that dies (here SIGKILL, as
    the out-of-memory killer does) is started again, and beat's process, orphaned by it, is
    ended instead of holding beat's lock."""
    server = RedisServer(tmp_path)
    server.start()
    Store(e2e_database).migrate()
    cluster = Cluster.create(
        tmp_path / "home", server.url, e2e_database,
        LEADRELAY_POLL_SECONDS="1", LEADRELAY_SWEEP_SECONDS="5",
    )  # fmt: skip
    crm = write_pool_crm(tmp_path / "crm", 20)
    policy = write_pool_policy(tmp_path / "policy.yaml")
    try:
        worker = cluster.worker("w1", f"csv:{crm}", policy, beat=True)
        wait_for(lambda: QUEUE_ID not in owners(crm).values(), 60, "the first leads")
        (celery,) = _children(worker.popen.pid)
        os.kill(celery, signal.SIGKILL)
        worker.wait_logged("worker exited; starting it again")
        append_leads(crm, [lead_row(20 + i) for i in range(10)])
        wait_for(lambda: QUEUE_ID not in owners(crm).values(), 60, "the leads after", 0.5)
        assert worker.alive()
        assert len(_children(worker.popen.pid)) == 1  # the new Celery worker; no orphan
    finally:
        cluster.stop_all()
        server.kill()
    with Store(e2e_database) as store:
        for i in range(30):
            statuses = [r.write_status for r in store.decisions_for(lead_id(i))]
            assert statuses == [WRITTEN], (lead_id(i), statuses)


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
