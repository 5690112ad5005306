"""The loop end to end: `leadrelay worker --beat` on a copy of the Acme export routes exactly
what `leadrelay route` routes, records every decision once, and picks up new leads as they
arrive."""

from __future__ import annotations

import csv
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME, ACME_POLICY
from tests.e2e.harness import Cluster, wait_for
from tests.e2e.synthetic import append_leads, owners
from worker.jobs.session import open_session, route_routable
from worker.store.records import WRITTEN, Store


def routed_by_route_command(tmp: Path) -> dict[str, str]:
    crm = tmp / "reference"
    shutil.copytree(ACME, crm)
    connector = CsvCrm(crm)
    route_routable(open_session(connector, ACME_POLICY), connector, dry_run=False)
    return owners(crm)


def routable_ids(crm: Path) -> set[str]:
    session = open_session(CsvCrm(crm), ACME_POLICY)
    return {lead.id for lead in session.snapshot.leads if session.router.is_routable(lead)}


def test_worker_and_beat_route_acme_like_the_route_command(
    cluster: Cluster, store: Store, tmp_path: Path
) -> None:
    crm = tmp_path / "crm"
    shutil.copytree(ACME, crm)
    waiting = routable_ids(crm)
    cluster.worker("w1", f"csv:{crm}", ACME_POLICY, beat=True)

    wait_for(lambda: not routable_ids(crm), 60, "every Acme lead to be routed")
    assert owners(crm) == routed_by_route_command(tmp_path)
    for record_id in waiting:
        recorded = store.decisions_for(record_id)
        assert [r.write_status for r in recorded] == [WRITTEN], record_id
        assert recorded[0].decision.reason

    routed_lines = [
        json.loads(line)
        for line in cluster.procs[0].text().splitlines()
        if line.startswith("{") and '"event": "routed"' in line
    ]
    assert {r["record_id"] for r in routed_lines} == waiting
    assert all(r["task_id"] and r["crm"] == f"csv:{crm}" for r in routed_lines)

    status = cluster.run("status", "--json")
    assert status.returncode == 0, status.stderr
    (shown,) = json.loads(status.stdout)["crms"]
    assert shown["decisions"] == len(waiting) and shown["open_dead_letters"] == 0
    assert shown["last_polled_at"] is not None


def test_new_leads_are_routed_within_a_poll(cluster: Cluster, store: Store, tmp_path: Path) -> None:
    crm = tmp_path / "crm"
    shutil.copytree(ACME, crm)
    cluster.worker("w1", f"csv:{crm}", ACME_POLICY, beat=True)
    wait_for(lambda: not routable_ids(crm), 60, "the Acme backlog to be routed")

    with (ACME / "Lead.csv").open(encoding="utf-8") as handle:
        template = next(r for r in csv.reader(handle) if r[0] == "00Q000001700032DEV")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    arrivals = [[f"00Q00000990000{i}NEW", *template[1:-1], now] for i in range(5)]
    arrived = time.monotonic()
    append_leads(crm, arrivals)
    wait_for(lambda: not routable_ids(crm), 10, "the new leads to be routed", every_s=0.05)
    speed_to_lead = time.monotonic() - arrived

    assert speed_to_lead <= 1 + 1 + 0.5  # poll interval (1 s) + 1 s, and a little to observe it
    for row in arrivals:
        assert [r.write_status for r in store.decisions_for(row[0])] == [WRITTEN]
