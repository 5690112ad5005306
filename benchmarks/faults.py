"""How long a fault stops routing, on this machine, with real worker and beat processes
(`leadrelay worker --beat`), the CSV CRM whose owner writes take two seconds until the fault
strikes (so a batch is in flight) and are fast after, a redis-server of its own and SQLite:

1. Redis restarted empty while a write is in flight: seconds from the server answering again
   to the next lead (created at the restart) having its owner written;
2. a worker SIGKILLed (with its pool and beat) while a write is in flight, and a new one
   started at once: seconds from the kill to the next lead (created at the kill) routed. The new
   worker's start-up counts: nothing else would route it.

Each a few runs, median and worst, against the target poll interval + 5 s.

    python benchmarks/faults.py [--poll 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.flaky_worker import calls  # noqa: E402
from tests.e2e.harness import Cluster, Proc, RedisServer, wait_for  # noqa: E402
from tests.e2e.synthetic import (  # noqa: E402
    QUEUE_ID,
    append_leads,
    lead_id,
    lead_row,
    owners,
    write_pool_crm,
    write_pool_policy,
)
from worker.store.records import Store  # noqa: E402

FLAKY = [sys.executable, str(ROOT / "tests" / "e2e" / "flaky_worker.py")]
BATCH = 30  # leads arriving just before each fault: the batch in flight
SLOW_WRITE_S = 2.0
ROUTED_TIMEOUT_S = 180.0


class Bench:
    def __init__(self, work: Path, poll_s: float) -> None:
        self.work = work
        self.server = RedisServer(work)
        self.server.start()
        database = f"sqlite:///{work / 'leadrelay.db'}"
        Store(database).migrate()
        self.cluster = Cluster.create(
            work / "home", self.server.url, database, LEADRELAY_POLL_SECONDS=str(poll_s)
        )
        self.crm = write_pool_crm(work / "crm", 0)
        self.policy = write_pool_policy(work / "policy.yaml")
        self.switch = work / "flaky.json"
        self.switch.write_text(json.dumps({"slow_write": SLOW_WRITE_S}))
        self.next_lead = 0
        self.workers = 0

    def start_worker(self) -> Proc:
        self.workers += 1
        return self.cluster.worker(
            f"w{self.workers}", f"csv:{self.crm}", self.policy, beat=True,
            argv=FLAKY, FLAKY_CONTROL=str(self.switch),
        )  # fmt: skip

    def arrive(self, count: int) -> list[str]:
        first, self.next_lead = self.next_lead, self.next_lead + count
        append_leads(self.crm, [lead_row(first + i) for i in range(count)])
        return [lead_id(first + i) for i in range(count)]

    def slow_writes(self, seconds: float) -> None:
        self.switch.write_text(json.dumps({"slow_write": seconds}))

    def batch_in_flight(self) -> None:
        """New leads arrive; returns once their owner write has begun (and not ended). Writes
        are fast again from then on: the figures time the worker, not a slow CRM."""
        self.slow_writes(SLOW_WRITE_S)
        writes = calls(self.switch).count(f"write start {BATCH}")
        self.arrive(BATCH)
        wait_for(
            lambda: calls(self.switch).count(f"write start {BATCH}") > writes,
            ROUTED_TIMEOUT_S, "a write in flight", 0.02,
        )  # fmt: skip
        self.slow_writes(0)

    def seconds_to_route(self, since: float, record_id: str) -> float:
        def routed() -> bool:
            return owners(self.crm).get(record_id, QUEUE_ID) != QUEUE_ID

        wait_for(routed, ROUTED_TIMEOUT_S, f"{record_id} to be routed", 0.05)
        return time.monotonic() - since

    def settle(self) -> None:
        wait_for(lambda: QUEUE_ID not in owners(self.crm).values(), ROUTED_TIMEOUT_S, "a calm")

    def close(self) -> None:
        self.cluster.stop_all()
        self.server.kill()


def redis_restarts(bench: Bench, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        bench.batch_in_flight()
        bench.server.kill()
        bench.server.start()  # empty
        restarted = time.monotonic()
        (probe,) = bench.arrive(1)
        seconds.append(bench.seconds_to_route(restarted, probe))
        bench.settle()
    return seconds


def worker_kills(bench: Bench, worker: Proc, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        bench.batch_in_flight()
        worker.kill()
        killed = time.monotonic()
        (probe,) = bench.arrive(1)
        worker = bench.start_worker()
        seconds.append(bench.seconds_to_route(killed, probe))
        bench.settle()
    return seconds


def report(what: str, seconds: list[float], target: float) -> None:
    runs = ", ".join(f"{s:.1f}" for s in seconds)
    median, worst = statistics.median(seconds), max(seconds)
    verdict = "met" if worst <= target else "MISSED"
    print(f"{what}: runs {runs} s; median {median:.1f} s, worst {worst:.1f} s ({verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poll", type=float, default=10.0, help="LEADRELAY_POLL_SECONDS")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    target = args.poll + 5
    print(f"poll interval {args.poll:g} s; target: next lead routed within {target:g} s")
    with tempfile.TemporaryDirectory(prefix="leadrelay-faults-") as tmp:
        bench = Bench(Path(tmp), args.poll)
        try:
            worker = bench.start_worker()
            bench.settle()
            restarts = redis_restarts(bench, args.runs)
            kills = worker_kills(bench, worker, args.runs)
        finally:
            bench.close()
    report("seconds from a Redis restart (empty, a write in flight) to the next lead routed",
           restarts, target)  # fmt: skip
    report("seconds from a worker SIGKILL (mid-write, new worker started) to the next lead "
           "routed", kills, target)  # fmt: skip
    print("load average:", Path("/proc/loadavg").read_text().strip())


if __name__ == "__main__":
    main()
