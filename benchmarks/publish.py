"""Publish → first decision by the new version, through a real worker.

    python benchmarks/publish.py [--samples 5] [--poll 10]

A `leadrelay worker --beat` (1 process, polling every --poll seconds) routes a CSV copy of the
Acme sample in a temporary LEADRELAY_HOME (embedded Redis, SQLite). Once its backlog is routed,
each sample publishes a new version of the policy with `leadrelay policy publish --crm`
(checks, simulation against the current version, the version recorded), then a lead arrives,
and the clock runs from the moment the version is recorded (the command returned) to the
first decision the store holds naming that version. Target: ≤ one poll interval.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

from tests.conftest import ACME, ACME_POLICY  # noqa: E402
from tests.e2e.harness import LEADRELAY, Cluster, wait_for  # noqa: E402
from tests.e2e.synthetic import append_leads  # noqa: E402
from worker.state.embedded import EmbeddedRedis  # noqa: E402
from worker.store.records import Store  # noqa: E402

WEST, EAST = "NA West: {pool: enterprise NA West}", "NA West: {pool: enterprise NA East}"


def lead_row(n: int) -> list[str]:
    with (ACME / "Lead.csv").open(encoding="utf-8") as handle:
        template = next(r for r in csv.reader(handle) if r[0] == "00Q000001700032DEV")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [f"00Q0000077{n:05d}PUB", *template[1:-1], now]


def first_decision_by(store: Store, record_id: str, label: str) -> datetime | None:
    found = [d for d in store.decisions_for(record_id) if d.decision.policy_version == label]
    return found[0].decided_at if found else None


def sample(cluster: Cluster, store: Store, crm: Path, draft: Path, n: int) -> tuple[float, float]:
    """(seconds the publish command took, seconds from the version recorded to its first
    decision)."""
    text = ACME_POLICY.read_text(encoding="utf-8")
    draft.write_text(f"# sample {n}\n" + (text.replace(WEST, EAST) if n % 2 else text))
    started = time.monotonic()
    published = subprocess.run(
        [*LEADRELAY, "policy", "publish", str(draft), "--crm", f"csv:{crm}", "-m", f"sample {n}"],
        cwd=cluster.home, env=cluster.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    recorded = datetime.now(UTC)
    took = time.monotonic() - started
    if published.returncode != 0:
        raise SystemExit(f"publish failed: {published.stderr}")
    label = f"acme@{n + 1}"
    row = lead_row(n)
    append_leads(crm, [row])
    wait_for(lambda: first_decision_by(store, row[0], label) is not None, 120, label, 0.05)
    decided = first_decision_by(store, row[0], label)
    assert decided is not None
    return took, (decided - recorded).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--poll", default="10", help="LEADRELAY_POLL_SECONDS")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="leadrelay-publish-bench-"))
    redis_server = EmbeddedRedis(home / "redis")
    redis_server.ensure()
    database = f"sqlite:///{home / 'leadrelay.db'}"
    cluster = Cluster.create(home, None, database, LEADRELAY_POLL_SECONDS=args.poll)
    store = Store(database)
    store.migrate()
    crm, policy, draft = home / "crm", home / "acme.yaml", home / "drafts" / "acme.yaml"
    shutil.copytree(ACME, crm)
    shutil.copy(ACME_POLICY, policy)
    draft.parent.mkdir()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, loadavg "
        f"{Path('/proc/loadavg').read_text().strip()}; worker -c1 --beat, "
        f"poll every {args.poll} s, Acme CSV"
    )
    try:
        cluster.worker("publish-bench", f"csv:{crm}", policy, beat=True)
        backlog = lead_row(99_999)[0]
        append_leads(crm, [lead_row(99_999)])
        wait_for(lambda: bool(store.decisions_for(backlog)), 120, "the backlog to be routed")
        runs = [sample(cluster, store, crm, draft, n) for n in range(args.samples)]
    finally:
        cluster.stop_all()
        store.close()
        redis_server.stop()
        shutil.rmtree(home, ignore_errors=True)
    commands, latencies = [t for t, _ in runs], [s for _, s in runs]
    print(
        f"publish command (checks + simulation + record): p50 "
        f"{statistics.median(commands):.2f} s, max {max(commands):.2f} s"
    )
    print(
        f"published → first decision by it: p50 {statistics.median(latencies):.2f} s, "
        f"max {max(latencies):.2f} s over {len(latencies)} versions "
        f"(target ≤ one poll, {args.poll} s)"
    )
    print(f"loadavg after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
