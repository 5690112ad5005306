"""A real worker (`leadrelay worker --beat`) on a copy of Acme: a half-saved policy file never
stops it routing (`status` says what was refused and why), and a version published with
`leadrelay policy publish` is what it routes next, named on every decision."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.conftest import ACME, ACME_POLICY
from tests.e2e.harness import Cluster, wait_for
from tests.e2e.synthetic import append_leads
from tests.e2e.test_loop import routable_ids
from worker.store.records import Store

WEST, EAST = "NA West: {pool: enterprise NA West}", "NA West: {pool: enterprise NA East}"


def arrivals(tag: str, n: int = 3) -> list[list[str]]:
    with (ACME / "Lead.csv").open(encoding="utf-8") as handle:
        template = next(r for r in csv.reader(handle) if r[0] == "00Q000001700032DEV")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [[f"00Q0000099{tag}000{i}NEW", *template[1:-1], now] for i in range(n)]


def versions_of(store: Store, rows: list[list[str]]) -> set[str | None]:
    return {d.decision.policy_version for row in rows for d in store.decisions_for(row[0])}


def all_decided(store: Store, rows: list[list[str]]) -> bool:
    return all(store.decisions_for(row[0]) for row in rows)


def test_a_bad_file_never_stops_routing_and_publish_reaches_the_worker(
    cluster: Cluster, store: Store, tmp_path: Path
) -> None:
    crm, policy = tmp_path / "crm", tmp_path / "acme.yaml"
    shutil.copytree(ACME, crm)
    shutil.copy(ACME_POLICY, policy)
    cluster.worker("w1", f"csv:{crm}", policy, beat=True)
    wait_for(lambda: not routable_ids(crm), 60, "the Acme backlog to be routed")
    first = versions_of(store, [[record_id] for record_id in _decided_ids(store)])
    (label,) = first  # never published: the file's version
    assert label is not None and label.startswith("acme@file:")

    policy.write_text(policy.read_text()[:900])  # a half-saved edit
    broken = arrivals("A")
    append_leads(crm, broken)
    wait_for(lambda: all_decided(store, broken), 20, "new leads routed with the file broken")
    assert versions_of(store, broken) == first

    status = cluster.run("status", "--json")
    assert status.returncode == 0, status.stderr
    shown = _shown(status.stdout, crm)
    refused = shown["policy_version"]["refused"]
    assert refused["label"].startswith("acme@file:") and str(policy) in refused["why"]
    assert shown["policy_version"]["routing"] == label
    text = cluster.run("status")
    assert "refused policy acme@file:" in text.stdout

    cluster.stop_all()  # a restart while the file is still broken: it routes what loaded
    cluster.procs.clear()
    cluster.worker("w2", f"csv:{crm}", policy, beat=True)
    restarted = arrivals("R")
    append_leads(crm, restarted)
    wait_for(lambda: all_decided(store, restarted), 20, "new leads routed after a restart")
    assert versions_of(store, restarted) == first

    draft = tmp_path / "drafts" / "acme.yaml"  # same name: what the worker's policy routes
    draft.parent.mkdir()
    draft.write_text(ACME_POLICY.read_text().replace(WEST, EAST))
    published = cluster.run("policy", "publish", str(draft), "--crm", f"csv:{crm}", "-m", "east")
    assert published.returncode == 0, published.stderr
    assert "published acme@1" in published.stderr
    later = arrivals("B")
    append_leads(crm, later)
    wait_for(lambda: all_decided(store, later), 20, "new leads routed by the published version")
    assert versions_of(store, later) == {"acme@1"}
    shown = _shown(cluster.run("status", "--json").stdout, crm)
    assert shown["policy_version"]["routing"] == "acme@1"
    assert shown["policy_version"]["refused"] is None


def _shown(status: str, crm: Path) -> dict[str, Any]:
    """This test's CRM in `status --json` (a shared Redis may list other tests' CRMs)."""
    crms = json.loads(status)["crms"]
    found: dict[str, Any] = next(c for c in crms if c["crm"] == f"csv:{crm.resolve()}")
    return found


def _decided_ids(store: Store) -> set[str]:
    with (ACME / "Lead.csv").open(encoding="utf-8") as handle:
        ids = {row[0] for row in csv.reader(handle)}
    return {i for i in ids if store.decisions_for(i)}
