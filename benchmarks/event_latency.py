"""Event → owner written, through real processes, for Salesforce and HubSpot.

    python benchmarks/event_latency.py [--events 30] [--crm salesforce,hubspot]
                                       [--snapshot-age 300]

Everything runs on 127.0.0.1 in a temporary LEADRELAY_HOME with the embedded Redis and SQLite:
- Salesforce: the HTTPS stand-in of tests/standins (the worker logs in with JWT and reaches it
  through its CONNECT proxy, verifying TLS). For each sample a lead is created in the stand-in
  owned by the inbound queue, its outbound message (the SOAP `notifications` call a workflow
  sends) is posted to `leadrelay serve`, and the clock stops when the stand-in has received the
  owner PATCH (sObject Collections) from the worker.
- HubSpot: the local HubSpot server of tests/integration; a signed `contact.creation` webhook
  to `leadrelay serve`, the clock stops at the batch update of `hubspot_owner_id`.
The worker runs without beat (nothing polls), with 2 pool processes. `--snapshot-age` sets
LEADRELAY_SWEEP_SECONDS (the default, 300 s, as in production): an event re-reads its own
record by Id and routes it in the session kept warm between batches, whatever that age.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "integration"), str(REPO / "benchmarks")]

from events import (  # noqa: E402  (benchmarks/events.py: the HubSpot half)
    POLICY as HUBSPOT_POLICY,
)
from events import (  # noqa: E402
    SECRET,
    event_to_owner_written,
    hubspot_fake,
)
from hubspot_server import TOKEN, hubspot_server  # noqa: E402

from tests.e2e.harness import Cluster, wait_for  # noqa: E402
from tests.e2e.salesforce_support import (  # noqa: E402
    ANN,
    BOB,
    CRM,
    SMALL_POLICY,
    add_lead,
    small_org,
    start_serve,
)
from tests.integration.events_support import (  # noqa: E402
    ORG_ID_18,
    outbound_message,
    post_salesforce,
)
from tests.integration.salesforce_org import FakeOrg  # noqa: E402
from tests.standins.salesforce_http import salesforce_standin  # noqa: E402
from worker.state.embedded import EmbeddedRedis  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(what: str, latencies: list[float]) -> None:
    ms = [v * 1000 for v in latencies]
    print(
        f"{what}, {len(ms)} events: p50 {percentile(ms, 0.5):.0f} ms, p95 "
        f"{percentile(ms, 0.95):.0f} ms, max {max(ms):.0f} ms, mean {statistics.fmean(ms):.0f} ms"
        f" (target p95 <= 2000 ms)"
    )


def written(org: FakeOrg, lead_id: str) -> Callable[[], bool]:
    def check() -> bool:
        with org.lock:
            return any(w.record_id == lead_id for w in org.owner_writes)

    return check


def salesforce(cluster: Cluster, events: int) -> list[float]:
    policy = cluster.home / "sf-policy.yaml"
    policy.write_text(yaml.safe_dump(SMALL_POLICY))
    latencies = []
    with salesforce_standin(small_org()) as standin:
        cluster.env.update(standin.env())
        cluster.worker("sf-latency", CRM, policy, concurrency=2)
        base = start_serve(cluster, ORG_ID_18)
        with standin.org.lock:
            calls_before = len(standin.org.calls)
        with httpx.Client(timeout=10) as client:
            for n in range(events):
                lead_id = f"00Q00000{n:07d}BNA"
                add_lead(standin.org, lead_id, ago=timedelta())
                body = outbound_message([(f"04l5w00000{n:08d}", "Lead", lead_id)])
                started = time.monotonic()
                reply = post_salesforce(client, base, body)
                assert reply.status_code == 200, reply.text
                wait_for(written(standin.org, lead_id), 30, f"{lead_id}'s owner", every_s=0.005)
                latencies.append(time.monotonic() - started)
        with standin.org.lock:
            per_event = (len(standin.org.calls) - calls_before) / events
            owners = {w.owner_id for w in standin.org.owner_writes}
            assert owners <= {ANN, BOB}, owners
            assert {w.auto_assign for w in standin.org.owner_writes} == {"FALSE"}
        assert standin.errors == [], standin.errors
        print(f"Salesforce API calls per event (reads and the owner write): {per_event:.1f}")
        cluster.stop_all()
        cluster.procs.clear()
    return latencies


def hubspot(cluster: Cluster, events: int) -> list[float]:
    policy = cluster.home / "hs-policy.yaml"
    policy.write_text(yaml.safe_dump(HUBSPOT_POLICY))
    with hubspot_server(hubspot_fake()) as (url, state):
        cluster.env.update(
            HUBSPOT_ACCESS_TOKEN=TOKEN, HUBSPOT_BASE_URL=url, HUBSPOT_CLIENT_SECRET=SECRET
        )
        cluster.worker("hs-latency", "hubspot:", policy, concurrency=2)
        base = start_serve(cluster, None)
        latencies = event_to_owner_written(base, state, events)
        cluster.stop_all()
        cluster.procs.clear()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=30, help="samples per CRM")
    parser.add_argument("--crm", default="salesforce,hubspot")
    parser.add_argument("--snapshot-age", default="300", help="LEADRELAY_SWEEP_SECONDS")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="leadrelay-latency-bench-"))
    redis_server = EmbeddedRedis(home / "redis")
    redis_server.ensure()
    cluster = Cluster.create(
        home, None, f"sqlite:///{home / 'leadrelay.db'}",
        LEADRELAY_EVENTS_RATE="1000000",
        LEADRELAY_EVENTS_BURST="1000000", LEADRELAY_SWEEP_SECONDS=args.snapshot_age,
    )  # fmt: skip
    from worker.store.records import Store

    Store(cluster.env["DATABASE_URL"]).migrate()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, loadavg "
        f"{Path('/proc/loadavg').read_text().strip()}; worker -c2 (no beat), 1 serve process, "
        f"LEADRELAY_SWEEP_SECONDS={args.snapshot_age}"
    )
    try:
        if "salesforce" in args.crm:
            report(
                "Salesforce: outbound message → leadrelay serve → worker → owner PATCH at the "
                "HTTPS stand-in",
                salesforce(cluster, args.events),
            )
        if "hubspot" in args.crm:
            report(
                "HubSpot: signed contact.creation → leadrelay serve → worker → batch update at "
                "the HubSpot server",
                hubspot(cluster, args.events),
            )
    finally:
        cluster.stop_all()
        redis_server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
