"""SLA checking at scale, and what first-touch checks cost in CRM calls.

    python benchmarks/sla.py [--clocks 100000] [--breached 0.01]

1. One beat tick over N open clocks, all due: Redis claim, store claim, the CRM read (a CSV
   CRM of N leads), judging, escalating the breached share (reassign in the pool, one owner
   write per batch), closing and starting clocks. Real Redis (REDIS_URL, else the embedded
   server) and real SQL (DATABASE_URL, else SQLite in a temporary folder). Prints wall time and
   this process's CPU time.
2. CRM calls per 1,000 first-touch checks, against the mocked Salesforce org and the local
   HubSpot server of the tests.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from hubspot_server import TOKEN, HubSpotState, hubspot_server  # noqa: E402
from salesforce_org import FakeOrg, fake_org, session_connector, sf_time  # noqa: E402

from connectors._retry import RetryPolicy  # noqa: E402
from connectors.csvcrm.connector import CsvCrm  # noqa: E402
from connectors.hubspot.connector import HubSpotConnector  # noqa: E402
from routing.sla import Clock  # noqa: E402
from worker.jobs.sla import SlaRun, check_slas, read_records  # noqa: E402
from worker.state.clocks import RedisClocks  # noqa: E402
from worker.state.distribution import RedisState  # noqa: E402
from worker.state.embedded import EmbeddedRedis  # noqa: E402
from worker.store.records import Store  # noqa: E402
from worker.store.sla import Claim, SlaStore  # noqa: E402

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
REPS = [f"005B{n:014d}" for n in range(1, 21)]
MANAGER, QUEUE = "005B00000000000000", "00GB00000000000001"
POLICY = """
name: SLA benchmark
routable: {owners: [{queue: Inbound}]}
fallback: {user: %(manager)s}
pools: [{name: reps, members: [%(members)s]}]
rules: [{name: pool, assign: {pool: reps}}]
sla:
  first_touch: {status_leaves: [Open - Not Contacted]}
  targets: [{name: five minutes, minutes: 5}]
"""


def write_crm(folder: Path, clocks: int, breached_share: float) -> list[Clock]:
    folder.mkdir(parents=True)
    with (folder / "User.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Id", "Name", "Email", "IsActive", "ManagerId"])
        out.writerow([MANAGER, "Manager", "manager@example.com", "true", ""])
        for n, rep in enumerate(REPS):
            out.writerow([rep, f"Rep {n}", f"rep{n}@example.com", "true", MANAGER])
    (folder / "Group.csv").write_text(f"Id,Name,Type\n{QUEUE},Inbound,Queue\n")
    every = max(1, round(1 / breached_share)) if breached_share else 0
    made: list[Clock] = []
    with (folder / "Lead.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Id", "Email", "Company", "Status", "OwnerId", "IsConverted", "CreatedDate"])
        for n in range(clocks):
            record_id, owner = f"00QB{n:014d}", REPS[n % len(REPS)]
            untouched = bool(every) and n % every == 0
            status = "Open - Not Contacted" if untouched else "Working - Contacted"
            out.writerow([record_id, f"l{n}@x.com", f"Co {n}", status, owner, "false", ""])
            made.append(
                Clock(
                    record_id,
                    "Lead",
                    owner,
                    T0,
                    T0 + timedelta(minutes=5),
                    "five minutes",
                    "pool",
                    pool="reps",
                )
            )
    members = ", ".join(REPS)
    (folder / "policy.yaml").write_text(POLICY % {"manager": MANAGER, "members": members})
    return made


@contextmanager
def redis_url(folder: Path) -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = EmbeddedRedis(folder / "redis")
    started = server.ensure()
    try:
        yield started.url
    finally:
        if started.owned:
            server.stop()


def one_tick(clocks: int, breached_share: float) -> None:
    with tempfile.TemporaryDirectory() as temporary, redis_url(Path(temporary)) as url:
        folder = Path(temporary)
        made = write_crm(folder / "crm", clocks, breached_share)
        store = Store(os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'sla.db'}")
        store.migrate()
        client = redis.Redis.from_url(url, decode_responses=True)
        namespace = f"bench-{os.getpid()}"
        index = RedisClocks(client, namespace)
        state = RedisState(client, namespace)
        run = SlaRun(
            "bench",
            CsvCrm(folder / "crm"),
            folder / "crm" / "policy.yaml",
            SlaStore(store.engine),
            index=index,
            state=state,
        )
        started = time.perf_counter()
        run.store.open_clocks("bench", made, T0)
        index.rebuild(run.store.unclosed("bench"))
        print(
            f"setup: {clocks:,} clocks stored and indexed in "
            f"{time.perf_counter() - started:.2f} s (not part of the tick)"
        )
        run.connector.snapshot()  # a worker holds its CSV CRM parsed between ticks
        wall, cpu = time.perf_counter(), time.process_time()
        report = check_slas(run, T0 + timedelta(minutes=6))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"one tick: {report.checked:,} clocks checked, outcomes {report.outcomes}, "
            f"{len(report.escalations):,} escalations"
        )
        print(
            f"one tick: {wall:.2f} s wall, {cpu:.2f} s CPU in the worker process "
            f"(target ≤ 5 s); database {store.engine.dialect.name}"
        )
        state.clear()
        store.close()


def salesforce_calls(count: int) -> int:
    org = FakeOrg()
    for n in range(count):
        org.add(
            "Lead",
            f"00Q{n:015d}",
            OwnerId=REPS[0],
            Status="Open - Not Contacted",
            SystemModstamp=sf_time(T0),
        )
    clocks = [Claim(str(n), f"00Q{n:015d}", "Lead", REPS[0], T0, T0) for n in range(count)]
    with fake_org(org):
        sf = session_connector()
        before = sf.api_calls
        found = read_records(sf, {}, clocks)
        assert len(found) == count
        return sf.api_calls - before


def hubspot_calls(count: int) -> int:
    state = HubSpotState()
    for n in range(count):
        state.add("contacts", str(1000 + n), hubspot_owner_id="77", hs_lead_status="NEW")
    clocks = [Claim(str(n), str(1000 + n), "Contact", "77", T0, T0) for n in range(count)]
    with hubspot_server(state) as (url, _):
        hs = HubSpotConnector(TOKEN, base_url=url, policy=RetryPolicy(sleep=lambda _: None))
        before = hs.api_calls
        found = read_records(hs, {}, clocks)
        assert len(found) == count
        return hs.api_calls - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--breached", type=float, default=0.01, help="share left untouched")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    one_tick(args.clocks, args.breached)
    print(
        f"CRM calls per 1,000 first-touch checks: Salesforce {salesforce_calls(1000)}, "
        f"HubSpot {hubspot_calls(1000)}"
    )


if __name__ == "__main__":
    main()
