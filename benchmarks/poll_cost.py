"""CPU per poll and speed to lead as the org grows: 10k, 100k and 1M accounts.

    python benchmarks/poll_cost.py [--sizes 10000,100000,1000000] [--polls 8] [--leads 20]

In-process, the worker's own jobs (`worker.jobs.loop.poll_crm`, `route_records`) with real Redis
(the embedded one) and SQLite, against an in-memory CRM shaped like Salesforce: a change feed
(only what changed since the watermark), reads by Id, owner writes. Accounts, contacts, deals
and open leads are generated as in `matching_scale.py`; the policy gives a lead to its matched
account's owner, else round robin, so every lead is matched against every account.

For each size: the session build (once per worker process), then `--polls` polls, each after
`--leads` new leads and a few changed accounts and deals arrived; CPU (process time) and wall
per poll; the same for an event batch (`route_records`) and for a full read laid over the
session (the sweep). For comparison, the cost a poll paid before sessions were kept warm (a
cold `session_for` over the same snapshot), measured once per size.

Speed to lead, created → owner written, with a poll every `--poll-seconds`: a lead created at
a uniformly random moment of an interval waits for the next poll, then for that poll's work
(its measured wall time). p95 against the target poll + 1 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from matching_scale import synthetic_accounts  # noqa: E402

from connectors.base import ChangedRecord, ChangePage, Window, WriteResult  # noqa: E402
from routing.model import (  # noqa: E402
    Account,
    Contact,
    CrmSnapshot,
    Lead,
    Opportunity,
    OwnerChange,
    Queue,
    Rep,
)
from worker.jobs.context import CrmContext  # noqa: E402
from worker.jobs.loop import poll_crm, route_records, sweep_crm  # noqa: E402
from worker.jobs.session import session_for  # noqa: E402
from worker.logging import configure_logging  # noqa: E402
from worker.settings import Settings  # noqa: E402
from worker.state.batch import BatchedRedisState  # noqa: E402
from worker.state.board import CrmBoard  # noqa: E402
from worker.state.embedded import EmbeddedRedis  # noqa: E402
from worker.store.records import Store  # noqa: E402

SEED = 14
QUEUE = "00G000000000001AAA"
REPS = [f"0050000000001{i:02d}AAA" for i in range(40)]
POLICY = f"""name: poll cost
objects: [Lead]
routable: {{owners: [{{queue: Inbound}}]}}
open_lead: {{fact: lead.IsConverted, equals: false}}
fallback: {{user: rep0@load.example}}
pools:
  - {{name: rr, members: [{", ".join(f"rep{i}@load.example" for i in range(len(REPS)))}]}}
rules:
  - name: account-owner
    assign: {{owner_of: account, owner: {{active: true}}}}
  - name: round-robin
    assign: {{pool: rr}}
"""


class MemoryCrm:
    """Salesforce's shape without HTTP: a change feed by modification time, reads by Id."""

    name = "memory"

    def __init__(self, snapshot: CrmSnapshot) -> None:
        self.users = dict(snapshot.users)
        self.queues = dict(snapshot.queues)
        self.accounts = dict(snapshot.accounts)
        self.contacts = {c.id: c for c in snapshot.contacts}
        self.opportunities = {o.id: o for o in snapshot.opportunities}
        self.leads = {lead.id: lead for lead in snapshot.leads}
        self.modified: dict[str, datetime] = {}

    def snapshot(self) -> CrmSnapshot:
        return CrmSnapshot(
            self.users,
            self.queues,
            dict(self.accounts),
            tuple(self.contacts.values()),
            tuple(self.opportunities.values()),
            tuple(self.leads.values()),
        )

    def changes(self, object: str, window: Window) -> Iterator[ChangePage]:
        held = self._table(object)
        records = tuple(
            held[i]
            for i, at in self.modified.items()
            if i in held and (window.start is None or at >= window.start) and at < window.end
        )
        yield ChangePage(object, records, window.end)

    def records(self, object: str, ids: Sequence[str]) -> list[ChangedRecord]:
        held = self._table(object)
        return [held[i] for i in ids if i in held]

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        for change in changes:
            if not dry_run:
                lead = self.leads[change.record_id]
                self.put(self.leads, owned(lead, change.owner_id))
        return [WriteResult(change.record_id, ok=True) for change in changes]

    def put(self, table: dict[str, ChangedRecord], record: ChangedRecord) -> None:
        table[record.id] = record
        self.modified[record.id] = datetime.now(UTC)

    def _table(self, object: str) -> dict[str, ChangedRecord]:
        tables = {"Lead": self.leads, "Account": self.accounts, "Contact": self.contacts,
                  "Opportunity": self.opportunities, "User": self.users}  # fmt: skip
        return tables[object]  # type: ignore[return-value]


def owned(lead: Lead, owner: str) -> Lead:
    return dataclasses.replace(lead, owner_id=owner, fields={**lead.fields, "OwnerId": owner})


def org(accounts: int, rng: random.Random) -> CrmSnapshot:
    users = {
        rep: Rep(rep, f"Rep {i}", f"rep{i}@load.example", fields={"Id": rep, "IsActive": True})
        for i, rep in enumerate(REPS)
    }
    made = [
        dataclasses.replace(a, owner_id=rng.choice(REPS), fields=account_fields(a))
        for a in synthetic_accounts(accounts, rng)
    ]
    contacts = tuple(
        Contact(f"003{n:012d}", a.id, f"c{n}@{domain(a)}", a.owner_id, {"Id": f"003{n:012d}"})
        for n, a in enumerate(made[: accounts // 2])
    )
    opportunities = tuple(
        Opportunity(f"006{n:012d}", a.id, a.owner_id, is_closed=n % 3 != 0,
                    created_date=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n))
        for n, a in enumerate(made[:: 10])
    )  # fmt: skip
    leads = tuple(new_lead(n, made, rng, owner=rng.choice(REPS)) for n in range(accounts // 10))
    return CrmSnapshot(
        users, {QUEUE: Queue(QUEUE, "Inbound")}, {a.id: a for a in made}, contacts,
        opportunities, leads,
    )  # fmt: skip


def account_fields(account: Account) -> dict[str, object]:
    return {"Id": account.id, "Name": account.name, "Website": account.website}


def domain(account: Account) -> str:
    return (account.website or "https://www.example.com").removeprefix("https://www.")


def new_lead(n: int, accounts: list[Account], rng: random.Random, owner: str = QUEUE) -> Lead:
    account = rng.choice(accounts)
    company = account.name if n % 3 else f"Unknown {n} Ltd"
    email = f"l{n}@{domain(account)}" if n % 2 else f"l{n}@gmail.com"
    created = datetime.now(UTC)
    fields = {"Id": f"00Q{n:012d}", "Email": email, "Company": company, "OwnerId": owner,
              "IsConverted": False, "CreatedDate": created}  # fmt: skip
    return Lead(f"00Q{n:012d}", email=email, company=company, owner_id=owner,
                created_date=created, fields=fields)  # fmt: skip


def context(crm: MemoryCrm, home: Path, client: redis.Redis, policy: Path) -> CrmContext:
    store = Store(f"sqlite:///{home / 'leadrelay.db'}")
    store.migrate()
    namespace = f"bench-{time.time_ns()}"
    return CrmContext(
        url="memory:", key=namespace, policy_path=policy, connector=crm,  # type: ignore[arg-type]
        state=BatchedRedisState(client, namespace), store=store, board=CrmBoard(client),
        settings=Settings(LEADRELAY_HOME=str(home), _env_file=None),
    )  # fmt: skip


def timed(job: Callable[[], object]) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = job()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def run_size(size: int, args: argparse.Namespace, client: redis.Redis, home: Path) -> None:
    rng = random.Random(SEED)
    started = time.perf_counter()
    base = org(size, rng)
    accounts = list(base.accounts.values())
    crm = MemoryCrm(base)
    print(f"\n{size:,} accounts ({len(base.contacts):,} contacts, "
          f"{len(base.opportunities):,} deals, {len(base.leads):,} leads) generated in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    policy = home / "policy.yaml"
    policy.write_text(POLICY)
    cold_cpu, cold_wall, _ = timed(lambda: session_for(crm.snapshot(), policy))
    print(f"  before (a cold session every poll): {cold_cpu:.2f} s CPU, {cold_wall:.2f} s wall")
    ctx = context(crm, home, client, policy)
    build_cpu, build_wall, _ = timed(lambda: poll_crm(ctx, "build"))
    print(f"  session build, once per worker process (first poll): {build_cpu:.2f} s CPU, "
          f"{build_wall:.2f} s wall; peak RSS {peak_rss_gb():.2f} GB")  # fmt: skip
    cpus, walls, routed, next_lead = [], [], 0, size
    for poll in range(args.polls):
        for _ in range(args.leads):
            crm.put(crm.leads, new_lead(next_lead, accounts, rng))
            next_lead += 1
        for _ in range(3):  # accounts and deals change between polls too
            account = rng.choice(accounts)
            crm.put(crm.accounts, dataclasses.replace(account, name=account.name + " Group"))
        cpu, wall, outcome = timed(partial(poll_crm, ctx, f"poll-{poll}"))
        routed += outcome.routed  # type: ignore[attr-defined]
        cpus.append(cpu)
        walls.append(wall)
    print(f"  poll with {args.leads} new leads: CPU p50 {statistics.median(cpus) * 1000:.0f} ms, "
          f"max {max(cpus) * 1000:.0f} ms; wall p50 {statistics.median(walls) * 1000:.0f} ms, "
          f"max {max(walls) * 1000:.0f} ms; {routed} routed")  # fmt: skip
    event_walls = []
    for event in range(5):
        lead = new_lead(next_lead, accounts, rng)
        next_lead += 1
        crm.put(crm.leads, lead)
        _, wall, outcome = timed(partial(route_records, ctx, f"event-{event}", [lead.id]))
        assert outcome.routed == 1, outcome  # type: ignore[attr-defined]
        event_walls.append(wall)
    print(
        f"  event batch (route_records, 1 lead): wall p50 "
        f"{statistics.median(event_walls) * 1000:.0f} ms, max {max(event_walls) * 1000:.0f} ms"
    )
    sweep_cpu, sweep_wall, _ = timed(lambda: sweep_crm(ctx, "sweep"))
    print(f"  sweep (full read laid over the session): {sweep_cpu:.2f} s CPU, "
          f"{sweep_wall:.2f} s wall")  # fmt: skip
    offsets = [rng.random() * args.poll_seconds for _ in range(2000)]
    waits = [offset + rng.choice(walls) for offset in offsets]
    before = (
        f"p95 {percentile([offset + cold_wall for offset in offsets], 0.95):.2f} s"
        if cold_wall < args.poll_seconds
        else "falls behind, each poll taking longer than the interval"
    )
    print(f"  speed to lead, poll every {args.poll_seconds:g} s: p50 "
          f"{percentile(waits, 0.5):.2f} s, p95 {percentile(waits, 0.95):.2f} s "
          f"(target ≤ {args.poll_seconds + 1:g} s; with a cold session per poll: {before}); "
          f"peak RSS {peak_rss_gb():.2f} GB")  # fmt: skip
    ctx.store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--polls", type=int, default=8)
    parser.add_argument("--leads", type=int, default=20, help="new leads per poll")
    parser.add_argument("--poll-seconds", type=float, default=10.0)
    args = parser.parse_args()
    configure_logging("json", logging.WARNING)  # a line per routed lead would be measured too
    home = Path(tempfile.mkdtemp(prefix="leadrelay-poll-cost-"))
    redis_server = EmbeddedRedis(home / "redis")
    client = redis.Redis.from_url(redis_server.ensure().url, decode_responses=True)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            run_size(size, args, client, home)
    finally:
        client.close()
        redis_server.stop()


if __name__ == "__main__":
    main()
