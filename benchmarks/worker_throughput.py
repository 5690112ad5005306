"""The worker loop's figures on this machine, with the CSV CRM, real worker and beat processes,
the embedded Redis and SQLite:

1. backlog: N leads waiting when the worker starts; leads/s from the worker ready to the last
   owner written and recorded;
2. sustained: leads created at a steady rate for a while (appended to Lead.csv, as an export
   grows); leads/s kept up with, and speed to lead (created → owner written) p50/p95 against
   the target poll interval + 1 s;
3. Redis round trips per routed lead, counted by `RedisState` on the same job run in-process.

    python benchmarks/worker_throughput.py [--backlog 20000] [--rate 600] [--seconds 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import Cluster, wait_for  # noqa: E402
from tests.e2e.synthetic import (  # noqa: E402
    append_leads,
    lead_id,
    lead_row,
    write_pool_crm,
    write_pool_policy,
)
from worker.state.embedded import EmbeddedRedis  # noqa: E402
from worker.store.records import WRITTEN, Store, decisions  # noqa: E402

POLL_SECONDS = 1.0


@dataclass
class Written:
    count: int
    last_at: datetime | None


def written(store: Store) -> Written:
    query = sa.select(sa.func.count(), sa.func.max(decisions.c.written_at)).where(
        decisions.c.write_status == WRITTEN
    )
    with store.engine.connect() as connection:
        count, last = connection.execute(query).one()
    return Written(count, last.replace(tzinfo=UTC) if last and last.tzinfo is None else last)


def written_at_by_id(store: Store) -> dict[str, float]:
    query = sa.select(decisions.c.record_id, decisions.c.written_at).where(
        decisions.c.write_status == WRITTEN
    )
    with store.engine.connect() as connection:
        return {
            record_id: (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
            for record_id, when in connection.execute(query)
        }


def start_cluster(work: Path) -> tuple[Cluster, Store, EmbeddedRedis]:
    home = work / "home"
    server = EmbeddedRedis(home / "redis")
    server.ensure()
    database = f"sqlite:///{home / 'leadrelay.db'}"
    store = Store(database)
    store.migrate()
    cluster = Cluster.create(
        home, None, database, LEADRELAY_POLL_SECONDS=str(POLL_SECONDS), LEADRELAY_LOG_FORMAT="json"
    )
    return cluster, store, server


def backlog(work: Path, leads: int) -> None:
    crm = write_pool_crm(work / "crm", leads)
    policy = write_pool_policy(work / "policy.yaml")
    cluster, store, server = start_cluster(work)
    try:
        cluster.worker("w1", f"csv:{crm}", policy, beat=True)
        ready = time.time()
        wait_for(lambda: written(store).count >= leads, 600, "the backlog", every_s=0.2)
        last = written(store).last_at
        assert last is not None
        elapsed = last.timestamp() - ready
        print(
            f"backlog: {leads:,} leads routed, written and recorded in {elapsed:.2f} s "
            f"from worker ready: {leads / elapsed:,.0f} leads/s"
        )
    finally:
        cluster.stop_all()
        store.close()
        server.stop()


def sustained(work: Path, rate: int, seconds: float) -> None:
    crm = write_pool_crm(work / "crm", 0)
    policy = write_pool_policy(work / "policy.yaml")
    cluster, store, server = start_cluster(work)
    created: dict[str, float] = {}
    try:
        cluster.worker("w1", f"csv:{crm}", policy, beat=True)
        tick, next_index, started = 0.1, 0, time.time()
        while time.time() - started < seconds:
            due = int((time.time() - started) * rate)
            now = datetime.now(UTC)
            rows = [lead_row(i, now) for i in range(next_index, due)]
            if rows:
                append_leads(crm, rows)
                stamp = time.time()
                created.update((lead_id(i), stamp) for i in range(next_index, due))
                next_index = due
            time.sleep(tick)
        total = next_index
        wait_for(lambda: written(store).count >= total, 300, "the last arrivals", every_s=0.2)
        finished = written_at_by_id(store)
        delays = sorted(finished[i] - created[i] for i in created)
        span = max(finished.values()) - min(created.values())
        p95 = statistics.quantiles(delays, n=20)[18]
        print(
            f"sustained: {total:,} leads created at {rate}/s for {seconds:.0f} s; all written in "
            f"{span:.1f} s: {total / span:,.0f} leads/s kept up with"
        )
        print(
            f"speed to lead (created → owner written), poll every {POLL_SECONDS:.0f} s: "
            f"p50 {statistics.median(delays):.2f} s, p95 {p95:.2f} s, max {delays[-1]:.2f} s "
            f"(target p95 ≤ {POLL_SECONDS + 1:.0f} s)"
        )
    finally:
        cluster.stop_all()
        store.close()
        server.stop()


def round_trips(work: Path, leads: int) -> None:
    """The poll job run in-process against the real Redis and store, to read the counter."""
    from worker.bootstrap import Runtime
    from worker.jobs.loop import poll_crm
    from worker.logging import configure_logging
    from worker.settings import Settings

    configure_logging("console", level="WARNING")  # not a line per routed lead here

    crm = write_pool_crm(work / "crm", leads)
    policy = write_pool_policy(work / "policy.yaml")
    home = work / "home"
    runtime = Runtime.build(Settings(LEADRELAY_HOME=str(home), _env_file=None))
    runtime.store.migrate()
    try:
        context = runtime.crm(f"csv:{crm}", str(policy))
        before = context.state.round_trips
        outcome = poll_crm(context, "benchmark")
        trips = context.state.round_trips - before
        print(
            f"Redis round trips: {trips:,} for {outcome.routed:,} leads routed in one poll: "
            f"{trips / outcome.routed:.2f} per lead (per-record lock and unlock, loads, cursor, "
            "commit; the poll's own lock, state check and poll mark are shared by the batch)"
        )
    finally:
        runtime.close()
        EmbeddedRedis(home / "redis").stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leadrelay-bench-") as folder:
        work = Path(folder)
        backlog(work / "backlog", args.backlog)
        sustained(work / "sustained", args.rate, args.seconds)
        round_trips(work / "trips", 1_000)


if __name__ == "__main__":
    main()
