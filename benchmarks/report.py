"""Routing insights at scale.

    python benchmarks/report.py [--decisions 1000000] [--assignments 20000] [--reps 200]

1. `leadrelay report`'s computations over N recorded decisions (2,000 reps, 200 pools,
   50 rules), one SLA clock per decision (70% touched), 1% of records moved by a backfill and
   0.5% dead-lettered, in SQLite: the store is filled by bulk insert (not timed), then the
   report is built over everything, over the last 30 days, and with a CRM export of every lead
   (conversion and lead source: the export goes into a temporary table first).
2. Assignment-notification throughput with batching: M assignments for R reps queued in the
   outbox, then sent to a local Slack incoming-webhook server (loopback only) — batched, one
   digest per rep, and, for comparison, a sample sent one message per assignment.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr  # noqa: E402

from routing.model import CrmSnapshot, Lead, Opportunity, Rep  # noqa: E402
from routing.policy import ROUTED, Assignment, NotificationPolicy, assignment_values  # noqa: E402
from worker.jobs.notifications import Channels, SlackBotSettings, queue_assignments, send_due  # noqa: E402
from worker.notify.senders import NotifySettings  # noqa: E402
from worker.reports.queries import build_report  # noqa: E402
from worker.store.insights import InsightsStore  # noqa: E402
from worker.store.records import Store  # noqa: E402

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CRM = "bench"
REPS, POOLS, RULES = 2000, 200, 50
_FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a DateTime in SQLite


def fill(path: Path, count: int) -> None:
    """Bulk insert straight through sqlite3: the report is what is timed, not the filling."""
    rng = random.Random(7)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    connection.executemany(
        "INSERT INTO decisions (crm, decision_key, record_id, object, owner_id,"
        " previous_owner_id, account_id, match_method, rule, score, tier, pool, slot, reason,"
        " trace, decided_at, write_status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (_decision(i, rng) for i in range(count)),
    )
    connection.executemany(
        "INSERT INTO sla_clocks (crm, clock_key, record_id, object, owner_id, target, rule,"
        " tier, pool, team, calendar, ownership, breaches, breached_owner_ids, routed_at,"
        " started_at, due_at, state, outcome, first_touch_at, closed_at, action)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (_clock(i, rng) for i in range(count)),
    )
    connection.executemany(
        "INSERT INTO moves (crm, run_id, record_id, object, from_owner_id, to_owner_id, reason,"
        " status, moved_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            (
                CRM,
                "run",
                f"R{i}",
                "Lead",
                _rep(i),
                _rep(i + 1),
                "Territory changed.",
                "written",
                _when(i, count),
            )
            for i in range(0, count, 100)
        ),  # fmt: skip
    )
    connection.executemany(
        "INSERT INTO dead_letters (crm, record_id, object, owner_id, error, attempts,"
        " first_failed_at, last_failed_at) VALUES (?,?,?,?,?,?,?,?)",
        (
            (
                CRM,
                f"R{i}",
                "Lead",
                _rep(i),
                "INVALID_CROSS_REFERENCE_KEY",
                1,
                _when(i, count),
                _when(i, count),
            )
            for i in range(0, count, 200)
        ),  # fmt: skip
    )
    connection.commit()
    connection.close()


def _rep(i: int) -> str:
    return f"005R{i % REPS:014d}"


def _member(pool: int, rng: random.Random) -> str:
    """Pools of ten reps each; a pool's picks are close to even, with a little skew."""
    return _rep(pool * (REPS // POOLS) + min(9, int(rng.triangular(0, 10, 3))))


def _when(i: int, count: int) -> str:
    """Decisions spread over the last 120 days, oldest first."""
    return (NOW - timedelta(days=120) * (1 - i / count)).strftime(_FMT)


def _decision(i: int, rng: random.Random) -> tuple[Any, ...]:
    rule = "fallback" if i % 50 == 0 else f"rule-{i % RULES}"
    pool = None if rule == "fallback" or i % 5 == 0 else f"pool-{i % POOLS}"
    territory = f"T{i % 40}"
    trace = json.dumps({"path": [rule], "territory": {"name": territory, "region": "R"}})
    tier = ("Tier 1", "Tier 2", "Tier 3")[i % 3]
    owner = _member(i % POOLS, rng) if pool else _rep(rng.randrange(REPS))
    return (CRM, "k", f"R{i}", "Lead", owner, "00GQUEUE", None, "domain",
            rule, i % 100, tier, pool, None, f"Rule {rule}: to a rep.", trace,
            _when(i, _COUNT[0]), "written")  # fmt: skip


def _clock(i: int, rng: random.Random) -> tuple[Any, ...]:
    routed = datetime.strptime(_when(i, _COUNT[0]), _FMT)
    touched = rng.random() < 0.7
    minutes = rng.expovariate(1 / 45)
    outcome = "met" if touched and minutes < 60 else "breached"
    first = (routed + timedelta(minutes=minutes)).strftime(_FMT) if touched else None
    action = None if touched else rng.choice(("reassign", "notify", "manager"))
    return (CRM, f"c{i}", f"R{i}", "Lead", _rep(i), "speed", f"rule-{i % RULES}",
            ("Tier 1", "Tier 2", "Tier 3")[i % 3], None, f"team-{i % 20}", None, False, 0, "[]",
            routed.strftime(_FMT), routed.strftime(_FMT),
            (routed + timedelta(hours=1)).strftime(_FMT), "closed", outcome, first,
            routed.strftime(_FMT), action)  # fmt: skip


_COUNT = [0]


def crm_export(count: int) -> CrmSnapshot:
    leads = tuple(
        Lead(f"R{i}", lead_source=("Web", "Event", "Partner", "Outbound")[i % 4],
             is_converted=i % 10 == 0,
             fields={"ConvertedOpportunityId": f"O{i}"} if i % 10 == 0 else {})
        for i in range(count)
    )  # fmt: skip
    opportunities = tuple(Opportunity(f"O{i}", is_won=i % 30 == 0) for i in range(0, count, 10))
    return CrmSnapshot(leads=leads, opportunities=opportunities)


def time_report(store: Store, since: datetime | None, snapshot: CrmSnapshot | None) -> float:
    started = time.perf_counter()
    report = build_report(store.engine, since=since, until=NOW, snapshot=snapshot)
    took = time.perf_counter() - started
    print(
        f"  {'last 30 days' if since else 'everything':12} {'with CRM' if snapshot else '':8} "
        f"{took:6.2f} s — {report.headline['decisions']:,} decisions, "
        f"{len(report.tables)} tables, median first touch "
        f"{report.headline['median_minutes_to_first_touch']} min"
    )
    return took


# --- notifications ----------------------------------------------------------------------------


@contextmanager
def slack_server() -> Iterator[tuple[str, list[int]]]:
    posts: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            posts.append(1)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/services/T/B/x", posts
    finally:
        server.shutdown()
        server.server_close()


def notifications(store: Store, assignments: int, reps: int) -> None:
    users = {f"005N{i:014d}": Rep(f"005N{i:014d}", f"Rep {i}") for i in range(reps)}
    ids = list(users)
    policy = NotificationPolicy(channels=("slack",))
    items = [
        Assignment(f"L{i}", "Lead", ids[i % reps], ROUTED, assignment_values(
            kind=ROUTED, record_id=f"L{i}", object="Lead", owner=users[ids[i % reps]],
            reason="Rule territory: to a rep, next in rotation of pool 'emea'.",
            deadline=NOW + timedelta(hours=1),
            record={"FirstName": "Ada", "LastName": f"L{i}", "Company": "Acme"}))
        for i in range(assignments)
    ]  # fmt: skip
    insights = InsightsStore(store.engine)
    with slack_server() as (url, posts):
        channels = Channels(NotifySettings(LEADRELAY_SLACK_WEBHOOK_URL=SecretStr(url)),
                            SlackBotSettings())  # fmt: skip
        started = time.perf_counter()
        queued = queue_assignments(insights, CRM, policy, users, items, channels, key="b", at=NOW)
        queue_s = time.perf_counter() - started
        started = time.perf_counter()
        report = send_due(insights, CRM, channels.send, NOW)
        send_s = time.perf_counter() - started
        print(
            f"  batched: {queued:,} assignments queued in {queue_s:.2f} s "
            f"({queued / queue_s:,.0f}/s); sent as {report.batches:,} Slack posts "
            f"(one digest per rep) in {send_s:.2f} s = {report.sent / send_s:,.0f} "
            f"assignments/s; posts received {len(posts):,}"
        )
        sample = 2000
        started = time.perf_counter()
        for i in range(sample):
            channels.send("slack", None, f"New Lead L{i}", "one message per assignment")
        single_s = time.perf_counter() - started
        print(
            f"  unbatched sample: {sample:,} posts, one per assignment, in {single_s:.2f} s "
            f"= {sample / single_s:,.0f} assignments/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--assignments", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()
    _COUNT[0] = args.decisions
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.db"
        with Store(f"sqlite:///{path}") as store:
            store.migrate()
        started = time.perf_counter()
        fill(path, args.decisions)
        print(f"filled {args.decisions:,} decisions and SLA clocks in "
              f"{time.perf_counter() - started:.1f} s (not part of the figures)")  # fmt: skip
        with Store(f"sqlite:///{path}") as store:
            print("report over SQLite:")
            time_report(store, None, None)
            time_report(store, NOW - timedelta(days=30), None)
            export = crm_export(args.decisions)
            time_report(store, None, export)
            print("assignment notifications (local Slack webhook server):")
            notifications(store, args.assignments, args.reps)


if __name__ == "__main__":
    main()
