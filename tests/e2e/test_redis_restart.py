"""Redis restarted under a running worker and beat — idle, or with a batch in flight; empty, or
with its data; a server of its own (REDIS_URL) or the embedded one: the worker stays up and
reconnects, beat takes its lock and schedule back, the routing state is rebuilt (loads from the
CRM, rotations from the durable record), and no lead is lost or written twice."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.e2e.flaky_worker import calls
from tests.e2e.harness import Cluster, Proc, RedisServer, wait_for
from tests.e2e.synthetic import (
    QUEUE_ID,
    append_leads,
    lead_id,
    lead_row,
    owners,
    rep_id,
    write_pool_crm,
    write_pool_policy,
)
from worker.state.board import crm_key
from worker.state.distribution import RedisState
from worker.state.embedded import EmbeddedRedis
from worker.store.records import PENDING, WRITTEN, Store

FIRST, SECOND, REPS = 503, 502, 5  # a rotation restarted from the top would be off by 2
# A batch the restart cut short leaves decisions in doubt (pending); the sweep settles those
# older than the task time limit from the CRM's owners, so keep the limit short here.
SHORT_LIMITS = {
    "LEADRELAY_TASK_SOFT_TIME_LIMIT": "8",
    "LEADRELAY_TASK_TIME_LIMIT": "10",
    "LEADRELAY_LONG_TASK_TIME_LIMIT": "10",
}


FLAKY = [sys.executable, str(Path(__file__).with_name("flaky_worker.py"))]
IN_FLIGHT, LATER = 60, 40


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    made = RedisServer(tmp_path)
    made.start()
    yield made
    if made.process and made.process.poll() is None:
        made.kill()


def test_a_redis_restart_loses_nothing_and_the_rotation_resumes(
    server: RedisServer, e2e_database: str, tmp_path: Path
) -> None:
    Store(e2e_database).migrate()
    cluster = Cluster.create(
        tmp_path / "home", server.url, e2e_database,
        LEADRELAY_POLL_SECONDS="1", LEADRELAY_SWEEP_SECONDS="5", **SHORT_LIMITS,
    )  # fmt: skip
    crm = write_pool_crm(tmp_path / "crm", FIRST, REPS)
    policy = write_pool_policy(tmp_path / "policy.yaml", REPS)
    try:
        cluster.worker("w1", f"csv:{crm}", policy, beat=True)
        wait_for(lambda: QUEUE_ID not in owners(crm).values(), 60, "the first leads")

        server.kill()
        server.start()  # empty: no cursor, no load, no schedule, no lock, no queue
        append_leads(crm, [lead_row(FIRST + i) for i in range(SECOND)])
        wait_for(lambda: QUEUE_ID not in owners(crm).values(), 90, "the leads after the restart")
        with Store(e2e_database) as store:
            settled = lambda: store.counts().by_write_status.get(PENDING, 0) == 0  # noqa: E731
            wait_for(settled, 45, "the last writes to be recorded or settled by the sweep", 0.5)
    finally:
        cluster.stop_all()

    assert RedisState.from_url(server.url, crm_key(f"csv:{crm}")).is_built()
    log = cluster.procs[0].text()
    assert "state rebuilt" in log and "schedule restored" in log
    final = owners(crm)
    counts = Counter(final[lead_id(i)] for i in range(FIRST + SECOND))
    assert sorted(counts) == sorted(rep_id(i) for i in range(REPS))
    assert max(counts.values()) - min(counts.values()) <= 1, counts  # the rotation resumed
    with Store(e2e_database) as store:
        for i in range(FIRST + SECOND):
            statuses = [r.write_status for r in store.decisions_for(lead_id(i))]
            assert statuses == [WRITTEN], (lead_id(i), statuses)


# --- a restart with a batch in flight -----------------------------------------------------------


def restart_mid_batch(cluster: Cluster, tmp_path: Path, restart: Callable[[Proc], None]) -> Proc:
    """A worker with beat routes IN_FLIGHT leads, each owner write taking two seconds; Redis is
    restarted while one is in flight, then LATER more leads arrive. Returns the worker."""
    crm = write_pool_crm(tmp_path / "crm", IN_FLIGHT, REPS)
    policy = write_pool_policy(tmp_path / "policy.yaml", REPS)
    switch = tmp_path / "flaky.json"
    switch.write_text(json.dumps({"slow_write": 2}))
    worker = cluster.worker(
        "w1", f"csv:{crm}", policy, beat=True, concurrency=2, argv=FLAKY, FLAKY_CONTROL=str(switch)
    )
    wait_for(lambda: any(c.startswith("write start") for c in calls(switch)), 60, "a write")
    restart(worker)
    append_leads(crm, [lead_row(IN_FLIGHT + i) for i in range(LATER)])
    wait_for(lambda: QUEUE_ID not in owners(crm).values(), 120, "every lead to be routed", 0.5)
    return worker


def assert_routed_once(worker: Proc, e2e_database: str, crm: Path) -> None:
    with Store(e2e_database) as store:
        settled = lambda: store.counts().by_write_status.get(PENDING, 0) == 0  # noqa: E731
        wait_for(settled, 60, "writes in doubt to be settled by the sweep", 0.5)
        final = owners(crm)
        for i in range(IN_FLIGHT + LATER):
            recorded = store.decisions_for(lead_id(i))
            written = [r for r in recorded if r.write_status == WRITTEN]
            assert len(written) == 1, (lead_id(i), [r.write_status for r in recorded])
            assert written[0].decision.owner_id == final[lead_id(i)]
    assert worker.alive(), worker.text()[-3000:]
    log = worker.text()
    assert "Unrecoverable error" not in log and "worker exited" not in log


@pytest.mark.parametrize("kept", [False, True], ids=["empty", "kept"])
def test_a_redis_of_its_own_restarted_mid_batch(
    kept: bool, e2e_database: str, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path, kept)
    server.start()
    Store(e2e_database).migrate()
    cluster = Cluster.create(
        tmp_path / "home", server.url, e2e_database,
        LEADRELAY_POLL_SECONDS="1", LEADRELAY_SWEEP_SECONDS="5", **SHORT_LIMITS,
    )  # fmt: skip
    try:

        def restart(worker: Proc) -> None:
            """Down until the worker has noticed: it cleans up its broker connection with Redis
            gone (where kombu used to fail, and the worker exit)."""
            server.kill()
            worker.wait_logged("Connection to broker lost")
            server.start()

        worker = restart_mid_batch(cluster, tmp_path, restart)
        assert_routed_once(worker, e2e_database, tmp_path / "crm")
    finally:
        cluster.stop_all()
        if server.process and server.process.poll() is None:
            server.kill()


@pytest.mark.parametrize("kept", [False, True], ids=["empty", "kept"])
def test_the_embedded_redis_dying_mid_batch_is_started_again(
    kept: bool, e2e_database: str, tmp_path: Path
) -> None:
    Store(e2e_database).migrate()
    home = (tmp_path / "home").resolve()
    cluster = Cluster.create(
        home, None, e2e_database,
        LEADRELAY_POLL_SECONDS="1", LEADRELAY_SWEEP_SECONDS="5", **SHORT_LIMITS,
    )  # fmt: skip
    embedded = EmbeddedRedis(home / "redis")
    try:

        def crash(worker: Proc) -> None:
            pid = embedded.pid()
            assert pid is not None
            if not kept:  # the append-only file records the flush: it comes back empty
                redis.Redis(unix_socket_path=str(embedded.socket_path)).flushall()
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda: embedded.pid() != pid and embedded.is_running(), 30, "a new server")

        worker = restart_mid_batch(cluster, tmp_path, crash)
        assert_routed_once(worker, e2e_database, tmp_path / "crm")
        assert "embedded Redis had stopped; started it again" in worker.text()
        worker.stop()
        assert not embedded.is_running()  # the worker stops the server it started
    finally:
        cluster.stop_all()
        embedded.stop()
