"""Fairness under concurrency: four worker processes route 4,000 leads in chunks into one
5-rep round-robin pool capped at 800 — so a single lead too many for one rep would show, and
any unfairness would overflow to the fallback."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from tests.e2e.harness import Cluster, wait_for
from tests.e2e.synthetic import (
    FALLBACK_ID,
    QUEUE_ID,
    lead_id,
    owners,
    rep_id,
    write_pool_crm,
    write_pool_policy,
)
from worker.store.records import WRITTEN, Store

LEADS, REPS, CAP, CHUNK, WORKERS = 4_000, 5, 800, 50, 4


def test_four_workers_keep_round_robin_exact_and_caps_unbroken(
    cluster: Cluster, store: Store, e2e_redis: str, tmp_path: Path
) -> None:
    crm = write_pool_crm(tmp_path / "crm", LEADS, REPS)
    policy = write_pool_policy(tmp_path / "policy.yaml", REPS, cap=CAP)
    for n in range(WORKERS):
        cluster.worker(f"w{n}")
    ids = [lead_id(i) for i in range(LEADS)]
    chunks = [ids[i : i + CHUNK] for i in range(0, LEADS, CHUNK)]
    random.Random(7).shuffle(chunks)
    client = cluster.client(e2e_redis)
    for chunk in chunks:
        cluster.send(client, "leadrelay.route_records", f"csv:{crm}", str(policy), chunk)

    wait_for(lambda: QUEUE_ID not in owners(crm).values(), 180, "every lead to be routed", 0.5)

    per_rep = Counter(owners(crm).values())
    assert FALLBACK_ID not in per_rep  # nobody overflowed: every pick stayed under the cap
    counts = [per_rep[rep_id(i)] for i in range(REPS)]
    assert max(counts) - min(counts) <= 1, counts
    assert max(counts) <= CAP and sum(counts) == LEADS
    for record_id in ids:
        statuses = [r.write_status for r in store.decisions_for(record_id)]
        assert statuses == [WRITTEN], (record_id, statuses)
    # each worker took part: the chunks really were routed concurrently
    assert all("leadrelay.route_records" in p.text() for p in cluster.procs)
