"""Two beats started: one holds the lock and schedules, the other waits; when the first dies,
the second takes over within the lock timeout. Polls are never doubled."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from tests.conftest import ACME, ACME_POLICY
from tests.e2e.harness import Cluster, Proc, wait_for

SENT = re.compile(r"Scheduler: Sending due task poll ")


def polls_sent(proc: Proc) -> int:
    return len(SENT.findall(proc.text()))


def test_two_beats_schedule_once_and_the_standby_takes_over(
    cluster: Cluster, tmp_path: Path
) -> None:
    crm = tmp_path / "crm"
    shutil.copytree(ACME, crm)
    cluster.worker("w1", f"csv:{crm}", ACME_POLICY)
    first = cluster.beat("beat1")
    first.wait_logged("beat: Acquired lock")
    second = cluster.beat("beat2")
    second.wait_logged("beat: Starting")

    time.sleep(6)  # poll interval 1 s: about six polls
    sent_first, sent_second = polls_sent(first), polls_sent(second)
    assert sent_first >= 4 and sent_second == 0, (sent_first, sent_second)
    assert "beat: Acquired lock" not in second.text()

    first.kill()
    second.wait_logged("beat: Acquired lock", timeout_s=30)
    wait_for(lambda: polls_sent(second) >= 3, 15, "the standby beat to poll")
