"""Backfill at scale, and the API calls its writes cost.

1. Re-evaluate and diff N records (default 1,000,000): the 2,000-rep, 200-pool, 50-rule policy
   of `routing_engine.py`; every record first routed by that policy (setup, not timed), then 2%
   of the reps deactivated and one pool in ten given new members; the planner decides, for
   every record, whether it stays or moves and to whom, on one core (wall and CPU time are
   both printed: CPU time does not count other processes). Account matches are computed
   beforehand, as in `routing_engine.py` (matching has its own figures). Peak RSS is the
   process's high-water mark (resource.getrusage), setup included.
2. API calls per 10,000 moves, through `run_backfill` against the mocked CRMs of the tests:
   Salesforce (Bulk API 2.0, one job per 10,000) and HubSpot (batches of 100).

    python benchmarks/backfill.py [--records 1000000] [--skip-calls]
"""

from __future__ import annotations

import argparse
import logging
import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import structlog

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests" / "integration")]

from hubspot_server import TOKEN, HubSpotState, hubspot_server  # noqa: E402
from routing_engine import build_policy_file, build_snapshot  # noqa: E402
from salesforce_org import FakeOrg, fake_org, session_connector, sf_time  # noqa: E402

from config.policy import compile_policy  # noqa: E402
from config.schema import PolicyFile  # noqa: E402
from connectors._retry import RetryPolicy  # noqa: E402
from connectors.hubspot.connector import HubSpotConnector  # noqa: E402
from connectors.salesforce._bulk import BulkSettings  # noqa: E402
from connectors.salesforce.connector import SalesforceSettings  # noqa: E402
from routing.engine import (  # noqa: E402
    MemoryState,  # noqa: E402
    Router,
    open_lead_loads,
)
from routing.model import CrmSnapshot, Lead, Match  # noqa: E402
from routing.replay import ALL, BackfillPlanner, Guards, LedgerState  # noqa: E402
from routing.world import World  # noqa: E402
from worker.jobs.backfill import BackfillRequest, run_backfill  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=UTC)


class Precomputed:
    def __init__(self, matches: dict[str, Match]) -> None:
        self._matches = matches

    def match(self, lead: Lead) -> Match:
        return self._matches[lead.id]


def routed_crm(records: int) -> tuple[CrmSnapshot, dict[str, Match]]:
    """The synthetic CRM with every record owned where the policy puts it."""
    rng = random.Random(7)
    snapshot = build_snapshot(rng, records)
    policy = compile_policy(build_policy_file(), snapshot, source="benchmark")
    accounts = list(snapshot.accounts)
    matches = {
        lead.id: Match(lead.id, rng.choice(accounts) if rng.random() < 0.3 else None, "domain", 1)
        for lead in snapshot.leads
    }
    router = Router(policy, World(snapshot), MemoryState())
    owned = tuple(
        replace(lead, owner_id=router.route(lead, matches[lead.id]).owner_id)
        for lead in snapshot.leads
    )
    return replace(snapshot, leads=owned), matches


def reorganised(snapshot: CrmSnapshot, rng: random.Random) -> tuple[CrmSnapshot, PolicyFile]:
    """2% of the reps leave; one pool in ten gets a new set of members."""
    users = dict(snapshot.users)
    for user_id in rng.sample(sorted(u for u in users if u != "UINT"), 40):
        users[user_id] = replace(users[user_id], is_active=False)
    spec = build_policy_file()
    for pool in spec.pools[::10]:
        pool.members = [f"rep{n}@x.example" for n in rng.sample(range(2000), 10)]
    return replace(snapshot, users=users), spec


def reevaluate(records: int) -> None:
    started = time.perf_counter()
    snapshot, matches = routed_crm(records)
    snapshot, spec = reorganised(snapshot, random.Random(11))
    policy = compile_policy(spec, snapshot, source="benchmark")
    setup = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), time.process_time()
    state = LedgerState(open_lead_loads(snapshot, policy))
    planner = BackfillPlanner(
        policy, World(snapshot), state, Precomputed(matches), ALL,
        Guards(now=NOW, exclude_active_days=0, move_open_opportunities=True),
    )  # fmt: skip
    plan = planner.plan(snapshot.leads)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"records: {plan.evaluated:,} (setup: generate and route them {setup:.1f} s)")
    print(
        f"re-evaluated and diffed in {elapsed:.1f} s wall, {cpu:.1f} s CPU "
        f"({plan.evaluated / elapsed:,.0f} records/s): {len(plan.moves):,} move, "
        f"{plan.kept:,} stay"
    )
    print(f"peak RSS {peak:.2f} GB")


def salesforce_calls(moves: int) -> tuple[int, int]:
    org = FakeOrg(bulk_polls_before_done=1)
    org.add("User", "005A", Name="Ann", Email="ann@x.example", IsActive=True)
    org.add("User", "005B", Name="Bob", Email="bob@x.example", IsActive=True)
    org.add("User", "005GONE", Name="Gone", Email="gone@x.example", IsActive=False)
    for n in range(moves):
        stamp = sf_time(NOW)
        org.add("Lead", f"00Q{n:015d}", OwnerId="005GONE", Status="Open", IsConverted=False,
                CreatedDate=stamp, SystemModstamp=stamp)  # fmt: skip
    settings = SalesforceSettings(bulk=BulkSettings(poll_interval=0))
    with fake_org(org), tempfile.TemporaryDirectory() as home:
        connector = session_connector(settings)
        report = run_backfill(connector, _request("salesforce:", "Lead", home), home=Path(home))
    assert report.written == moves, report
    reads = sum(1 for c in org.calls if c.method == "GET" and "/query" in (c.url or ""))
    return connector.api_calls, connector.api_calls - reads


def hubspot_calls(moves: int) -> tuple[int, int]:
    state = HubSpotState()
    state.add_owner("101", "ann@x.example")
    state.add_owner("102", "bob@x.example")
    state.add_owner("103", "gone@x.example", archived=True)
    for n in range(moves):
        state.add("contacts", str(10_000 + n), hubspot_owner_id="103")
    with hubspot_server(state) as (url, _), tempfile.TemporaryDirectory() as home:
        policy = RetryPolicy(sleep=lambda _: None)
        connector = HubSpotConnector(TOKEN, base_url=url, policy=policy)
        report = run_backfill(connector, _request("hubspot:", "Contact", home), home=Path(home))
    assert report.written == moves, report
    return connector.api_calls, len(state.calls_to("batch/update"))


def _request(crm: str, object: str, home: str) -> BackfillRequest:
    policy = Path(home) / "policy.yaml"
    policy.write_text(
        f"name: bench\nobjects: [{object}]\nfallback: {{user: ann@x.example}}\n"
        "routable: {owners: [{user: ann@x.example}]}\n"
        "pools: [{name: reps, members: [ann@x.example, bob@x.example]}]\n"
        "rules: [{name: reps, assign: {pool: reps}}]\n",
        encoding="utf-8",
    )
    return BackfillRequest(crm, policy, ALL, Guards(now=NOW), object)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--skip-calls", action="store_true")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    reevaluate(args.records)
    if args.skip_calls:
        return
    print("API calls per 10,000 moves (whole run: snapshot read + writes; writes alone)")
    total, writes = salesforce_calls(10_000)
    print(f"  Salesforce, Bulk API 2.0   {total:>4}   writes {writes}")
    total, writes = hubspot_calls(10_000)
    print(f"  HubSpot, batches of 100    {total:>4}   writes {writes}")


if __name__ == "__main__":
    main()
