"""Routing decisions per second on one core, matching excluded.

2,000 reps in 200 pools (round robin, weighted, load-balanced; caps; some reps away or
inactive), a 50-rule policy compiled from YAML-shaped data through the real policy loader,
and synthetic leads whose account matches are computed beforehand.

The same run measures the policy plain and with caps over time and shifts: every pool capped
per member by calendar day (in one of five time zones) and by rolling hour, half of them per
pool by the week, and working hours in each rep's own time zone (one of eight).

    python benchmarks/routing_engine.py [--leads 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import time
from datetime import UTC, datetime, timedelta

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.engine import MemoryState, Router
from routing.model import Account, CrmSnapshot, Lead, Match, Opportunity, Queue, Rep
from routing.world import World

STATES = ["CA", "WA", "OR", "TX", "IL", "NY", "MA", "FL", "GA", "CO"]
COUNTRIES = ["DE", "FR", "GB", "NL", "SE", "JP", "AU", "BR", "MX", "IN"]
SOURCES = [f"Source {i}" for i in range(20)]
ZONES = [
    "America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin",
    "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo",
]  # fmt: skip
INDUSTRIES = ["Software", "Retail", "Healthcare", "Financial Services", "Energy", "Media"]


def build_snapshot(rng: random.Random, n_leads: int) -> CrmSnapshot:
    users = {
        f"U{i:04d}": Rep(
            f"U{i:04d}",
            f"Rep {i}",
            f"rep{i}@x.example",
            is_active=rng.random() > 0.02,
            fields={"Out_Of_Office__c": rng.random() < 0.05, "TimeZoneSidKey": ZONES[i % 8]},
        )
        for i in range(2000)
    }
    users["UINT"] = Rep("UINT", "Integration", "int@x.example")
    queues = {"Q1": Queue("Q1", "Inbound"), "Q2": Queue("Q2", "Nurture"), "Q3": Queue("Q3", "Junk")}
    accounts = {}
    for i in range(5000):
        accounts[f"A{i}"] = Account(
            f"A{i}",
            f"Account {i}",
            owner_id=f"U{rng.randrange(2000):04d}" if rng.random() < 0.5 else "UINT",
            type="Customer" if rng.random() < 0.1 else "Prospect",
            parent_id=f"A{rng.randrange(i)}" if i and rng.random() < 0.2 else None,
            billing_country="US",
            billing_state=rng.choice(STATES),
            fields={
                "Type": "Customer" if rng.random() < 0.1 else "Prospect",
                "Industry": rng.choice(INDUSTRIES),
                "NumberOfEmployees": rng.randrange(1, 5000),
            },
        )
    opps = tuple(
        Opportunity(
            f"O{i}",
            f"A{rng.randrange(5000)}",
            f"U{rng.randrange(2000):04d}",
            is_closed=rng.random() < 0.5,
            created_date=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for i in range(2000)
    )
    start = datetime(2026, 11, 2, 12, tzinfo=UTC)  # a Monday: most zones in working hours
    leads = tuple(_lead(rng, i, start) for i in range(n_leads))
    return CrmSnapshot(users, queues, accounts, (), opps, leads)


def _lead(rng: random.Random, i: int, start: datetime) -> Lead:
    us = rng.random() < 0.6
    fields = {
        "Email": f"p{i}@company{i}.com" if rng.random() > 0.03 else "broken",
        "Country": "US" if us else rng.choice(COUNTRIES),
        "State": rng.choice(STATES) if us else None,
        "LeadSource": rng.choice(SOURCES),
        "Industry": rng.choice(INDUSTRIES),
        "NumberOfEmployees": rng.randrange(1, 20000),
        "AnnualRevenue": float(rng.randrange(1, 500)) * 1e6,
        "Tech_Stack__c": rng.choice(["Snowflake", "Salesforce", "HubSpot", None]),
        "Status": "Open - Not Contacted",
        "IsConverted": False,
    }
    return Lead(
        f"L{i:07d}",
        email=fields["Email"],
        country=fields["Country"],
        state=fields["State"],
        owner_id="Q1",
        status="Open - Not Contacted",
        created_date=start + timedelta(seconds=i),
        fields=fields,
    )


def build_policy_file(windowed: bool = False) -> PolicyFile:
    pools = []
    for p in range(200):
        method = ["round_robin", "load_balanced", "weighted_round_robin", "round_robin"][p % 4]
        members: list[object] = [f"rep{p * 10 + m}@x.example" for m in range(10)]
        if method == "weighted_round_robin":
            members = [{"user": str(m), "weight": 1 + i % 3} for i, m in enumerate(members)]
        pool: dict[str, object] = {
            "name": f"pool{p}",
            "method": method,
            "cap": 10_000 if p % 2 else None,
            "members": members,
        }
        if windowed:
            pool["time_zone"] = ZONES[p % 5]
            pool["caps"] = [
                {"per": "day", "max": 400},
                {"per": "hour", "max": 60, "rolling": True},
                *([{"per": "week", "max": 5000, "scope": "pool"}] if p % 2 else []),
            ]
        pools.append(pool)
    territories = [
        {"name": f"US-{s}", "region": "NA", "where": [{"country": "US", "states": [s]}]}
        for s in STATES
    ]
    territories += [
        {"name": f"T-{c}", "region": "INTL", "where": [{"country": c}]} for c in COUNTRIES
    ]
    rules: list[dict[str, object]] = [
        {
            "name": "junk",
            "when": {"fact": "email_valid", "equals": False},
            "assign": {"queue": "Junk"},
            "score": False,
        },
        {
            "name": "open-opportunity",
            "assign": {"owner_of": "open_opportunity", "owner": {"exclude": ["int@x.example"]}},
        },
        {
            "name": "customer-owner",
            "assign": {"owner_of": "customer", "owner": {"exclude": ["int@x.example"]}},
        },
        {
            "name": "named-account",
            "assign": {"owner_of": "account", "owner": {"exclude": ["int@x.example"]}},
        },
        {"name": "nurture", "when": {"fact": "score", "lt": 20}, "assign": {"queue": "Nurture"}},
    ]
    names = [t["name"] for t in territories]
    for k in range(44):  # segment rules: source × tier × territory → a pool
        mapping = {name: {"pool": f"pool{(k * 4 + j) % 200}"} for j, name in enumerate(names)}
        rules.append(
            {
                "name": f"segment-{k}",
                "when": {
                    "all": [
                        {"fact": "lead.LeadSource", "equals": SOURCES[k % 20]},
                        {"fact": "tier", "equals": ["Tier 1", "Tier 2"][k % 2]},
                    ]
                },
                "assign": {"by": "territory", "map": mapping},
            }
        )
    rules.append({"name": "catch-all", "assign": {"pool": "pool199"}})
    return PolicyFile.model_validate(
        {
            "name": "benchmark",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"queue": "Inbound"},
            "availability": {
                "away_fields": ["Out_Of_Office__c"],
                **({"working_hours": WORKING_HOURS} if windowed else {}),
            },
            "customer_when": {"fact": "account.Type", "equals": "Customer"},
            "territories": territories,
            "pools": pools,
            "rules": rules,
            "scoring": {
                "signals": [
                    {
                        "name": "employees",
                        "field": "NumberOfEmployees",
                        "from": ["account", "lead"],
                        "bands": [{"min": 1000, "points": 40}, {"min": 100, "points": 20}],
                    },
                    {
                        "name": "industry",
                        "field": "Industry",
                        "from": ["account", "lead"],
                        "values": [{"in": ["Software", "Healthcare"], "points": 30}],
                        "otherwise": 10,
                    },
                    {
                        "name": "stack",
                        "field": "Tech_Stack__c",
                        "contains": [{"any": ["Snowflake"], "points": 30}],
                    },
                ],
                "tiers": [
                    {"name": "Tier 1", "min": 70},
                    {"name": "Tier 2", "min": 40},
                    {"name": "Tier 3", "min": 0},
                ],
            },
        }
    )


WORKING_HOURS = [
    {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": "07:00-20:00"},
    {"days": ["sat", "sun"], "hours": "10:00-16:00"},
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=50_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    print(f"load average before: {_load()}")
    rng = random.Random(7)
    snapshot = build_snapshot(rng, args.leads)
    account_ids = list(snapshot.accounts)
    matches = [
        Match(lead.id, rng.choice(account_ids) if rng.random() < 0.3 else None, "domain", 1.0)
        for lead in snapshot.leads
    ]
    for label, windowed in (("plain policy", False), ("caps over time + shifts", True)):
        print(f"--- {label}")
        measure(snapshot, matches, windowed)
    print(f"load average after: {_load()}")


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def measure(snapshot: CrmSnapshot, matches: list[Match], windowed: bool) -> None:
    policy = compile_policy(build_policy_file(windowed), snapshot, source="benchmark")
    router = Router(policy, World(snapshot), MemoryState())
    rules_tried = 0
    latencies = []
    pooled = fallbacks = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for lead, match in zip(snapshot.leads, matches, strict=True):
        t0 = time.perf_counter_ns()
        decision = router.route(lead, match)
        latencies.append(time.perf_counter_ns() - t0)
        pooled += decision.pool is not None
        fallbacks += decision.rule == "fallback"
        rules_tried += len(decision.trace["rules"])
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2] / 1e6, latencies[int(len(latencies) * 0.99)] / 1e6
    rules_total = len(policy.rules)
    print(
        f"reps: {len(snapshot.users) - 1}, pools: {len(policy.pools)}, rules: {rules_total}, "
        f"leads: {len(snapshot.leads)}, "
        f"rules tried per decision: {rules_tried / len(snapshot.leads):.1f}"
    )
    print(
        f"decisions/s (one core, matching excluded): {len(snapshot.leads) / elapsed:,.0f} "
        f"(on this process's CPU time, which other load on the machine disturbs less: "
        f"{len(snapshot.leads) / cpu:,.0f})"
    )
    print(f"decisions from a pool: {pooled:,}; to the fallback: {fallbacks:,}")
    print(
        f"latency per decision: p50 {p50:.3f} ms, p99 {p99:.3f} ms, "
        f"mean {statistics.fmean(latencies) / 1e6:.3f} ms"
    )


if __name__ == "__main__":
    main()
