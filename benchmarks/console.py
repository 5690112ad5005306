"""The web console at scale.

    python benchmarks/console.py [--decisions 1000000] [--requests 40]

1. Page load, server time: each console page requested N times in-process (Starlette's test
   client, no network) on a SQLite store of D decisions — 10% of them today, 50 days in all,
   the Acme rules and reps — filled by bulk insert (not timed), with the Acme sample as the
   live CRM. p50 and p95 per page, after a warm-up.
2. Live-feed delay: the console served by uvicorn on loopback, one browser-like SSE client
   on the feed; a decision is recorded in the store (as a worker records it) and the time
   until its row arrives is measured, 30 times: the feed looks every
   LEADRELAY_CONSOLE_FEED_SECONDS (default 0.5 s), so the delay is that interval at most plus
   the query.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from tests.integration.console_support import (  # noqa: E402
    ADMIN_PASSWORD,
    NOW,
    acme_console,
    console_settings,
    signed_in,
)

IBM_LEAD = "00Q000001700000DEV"


def fill(path: Path, crm: str, count: int, rules: list[str], owners: list[str]) -> None:
    """Bulk insert straight through sqlite3: the pages are what is timed, not the filling."""
    rng = random.Random(19)
    trace = json.dumps({"rules": [{"rule": r, "applied": False, "why": "no"} for r in rules[:6]]})
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    start = NOW - timedelta(days=50)
    today = NOW.replace(hour=0, minute=0, second=0, microsecond=0)

    def rows():  # type: ignore[no-untyped-def]
        for i in range(count):
            if i >= count * 0.9:  # the newest 10% today
                when = today + (NOW - today) * ((i - count * 0.9) / (count * 0.1))
            else:
                when = start + (today - start) * (i / (count * 0.9))
            rule = rng.choice(rules)
            yield (crm, f"bench-{i}", f"00Qbench{i:010d}", "Lead", rng.choice(owners), None, None,
                   "none", rule, rng.randint(0, 100), "Tier 2", None, None,
                   f"Rule {rule}: benchmark", trace, when.strftime("%Y-%m-%d %H:%M:%S.%f"),
                   "written")  # fmt: skip

    connection.executemany(
        "INSERT INTO decisions (crm, decision_key, record_id, object, owner_id,"
        " previous_owner_id, account_id, match_method, rule, score, tier, pool, slot, reason,"
        " trace, decided_at, write_status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows(),
    )
    connection.executemany(
        "INSERT INTO sla_clocks (crm, clock_key, record_id, object, owner_id, target, rule,"
        " ownership, breaches, breached_owner_ids, routed_at, started_at, due_at, state,"
        " outcome, closed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (_clock(crm, i, count, rng, owners) for i in range(count)),
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def _clock(crm: str, i: int, count: int, rng: random.Random, owners: list[str]) -> tuple:  # type: ignore[type-arg]
    """One clock per decision: the newest 0.5% still open (some overdue), the rest closed."""
    due = NOW - timedelta(days=50) + timedelta(days=50) * (i / count)
    is_open = i >= count * 0.995
    text = lambda when: when.strftime("%Y-%m-%d %H:%M:%S.%f")  # noqa: E731
    return (crm, f"c{i}", f"00Qbench{i:010d}", "Lead", rng.choice(owners), "tier 2",
            "tier2-midmarket", 0, 0, "[]", text(due - timedelta(hours=1)),
            text(due - timedelta(hours=1)), text(due + timedelta(hours=2)),
            "open" if is_open else "closed", None if is_open else rng.choice(["met", "breached"]),
            None if is_open else text(due))  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def page_loads(client: TestClient, requests: int) -> None:
    pages = {
        "decisions (newest 100, today's counts)": "/console/",
        "decisions, one rule": "/console/?rule=tier1-healthcare",
        "decisions, one rep": "/console/?owner_id=005000000000009AAA",
        "decisions, last hour": "/console/?since=1h",
        "record (history, recorded trace, fresh explain)": f"/console/records/{IBM_LEAD}",
        "search by email": "/console/records?q=ada.king@ibm.com",
        "policy (diagram, versions)": "/console/policy",
        "operations": "/console/ops",
        "audit": "/console/audit",
    }
    print(f"{'page':50} {'p50 ms':>8} {'p95 ms':>8}")
    for label, path in pages.items():
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        timings = []
        for _ in range(requests):
            began = time.perf_counter()
            answer = client.get(path)
            timings.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200
        print(f"{label:50} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f}")


def feed_delay(rig, cookies: httpx.Cookies, samples: int) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(rig.app, port=port, log_config=None, lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    delays: list[float] = []
    base = f"http://127.0.0.1:{port}/console/decisions/stream"
    decision = next(d for d in rig.decisions if d.record_id == IBM_LEAD)
    with httpx.Client(cookies=cookies, timeout=30) as http:
        for n in range(samples):
            last = rig.store.decisions_for(IBM_LEAD, rig.key)[-1].id
            with http.stream("GET", base, params={"after": last}) as events:
                lines = events.iter_lines()
                next(lines)  # retry: …, sent once connected
                time.sleep(random.random() * 0.5)  # record at a random moment of the poll
                recorded = time.perf_counter()
                rig.record([decision], at=NOW + timedelta(seconds=n + 1))
                for line in lines:
                    if line.startswith("data: ") and IBM_LEAD in line:
                        delays.append((time.perf_counter() - recorded) * 1000)
                        break
    server.should_exit = True
    print(f"live feed delay, recorded → received, {samples} decisions: "
          f"p50 {statistics.median(delays):.0f} ms, p95 {percentile(delays, 0.95):.0f} ms, "
          f"max {max(delays):.0f} ms (feed interval 500 ms)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        database = tmp / "store.db"
        settings = console_settings(LEADRELAY_CONSOLE_STREAM_SECONDS=60,
                                    LEADRELAY_CONSOLE_FEED_SECONDS=0.5)  # fmt: skip
        redis_url = _redis(tmp)
        with acme_console(tmp, redis_url, f"sqlite:///{database}", settings) as rig:
            rules = sorted({d.rule for d in rig.decisions})
            owners = sorted({d.owner_id for d in rig.decisions})
            began = time.perf_counter()
            fill(database, rig.key, args.decisions, rules, owners)
            rig.record(rig.decisions)  # the Acme leads' own decisions, newest
            print(
                f"store: {args.decisions:,} decisions (+{len(rig.decisions)} Acme) and as many "
                f"SLA clocks in SQLite, filled in {time.perf_counter() - began:.0f} s; "
                f"{args.requests} requests a page"
            )  # fmt: skip
            with signed_in(rig.app, ADMIN_PASSWORD) as client:
                page_loads(client, args.requests)
                cookies = httpx.Cookies({k: v for k, v in client.cookies.items()})
            feed_delay(rig, cookies, args.samples)


def _redis(tmp: Path) -> str:
    import os

    if os.environ.get("LEADRELAY_TEST_REDIS_URL"):
        return os.environ["LEADRELAY_TEST_REDIS_URL"]
    from worker.state.embedded import EmbeddedRedis

    return EmbeddedRedis(tmp / "redis").ensure().url


if __name__ == "__main__":
    main()
