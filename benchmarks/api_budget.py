"""API budget per CRM: what an idle worker, 1,000 routed leads and the SLA check cost in calls.

    python benchmarks/api_budget.py

Runs the worker's real jobs (poll, sweep, dead-letter retry, SLA tick and sweep, notifications,
holds) against the Salesforce fake org and the HubSpot stand-in of the tests, counting every
HTTP call they see, with real Redis (LEADRELAY_TEST_REDIS_URL or REDIS_URL, else the embedded
server) and SQLite. An idle hour is computed from the measured calls of each job times the
default schedule (poll every LEADRELAY_POLL_SECONDS, sweep/retry/SLA sweep every
LEADRELAY_SWEEP_SECONDS, SLA tick and holds every minute, notifications every poll). The
sweep reads the whole CRM, so its cost grows with the org: the last lines estimate it for a
200k-record org from the connectors' page sizes (connectors/estimate.py, pinned by tests).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from connector_calls import hubspot_quiet_poll, salesforce_quiet_poll  # noqa: E402

from connectors.estimate import Counts, snapshot_calls  # noqa: E402
from tests.integration.budget_worker_support import (  # noqa: E402
    Worker,
    hubspot_worker,
    salesforce_worker,
)
from worker.jobs import loop  # noqa: E402
from worker.jobs.insight_ticks import release_crm_holds, send_crm_notifications  # noqa: E402
from worker.jobs.sla import check_crm_slas, check_slas, worker_run  # noqa: E402
from worker.runtime.schedule import SLA_CHECK_SECONDS  # noqa: E402
from worker.settings import Settings  # noqa: E402
from worker.state.embedded import EmbeddedRedis  # noqa: E402

OLD = timedelta(minutes=5)
LEADS = 1_000
UNTOUCHED = 10  # of the 1,000 due clocks, this many breach and are reassigned
Opener = Callable[[Path, str, str], AbstractContextManager[Worker]]


@dataclass
class Bill:
    poll: int = 0
    sweep: int = 0
    retry: int = 0
    sla_tick: int = 0
    sla_sweep: int = 0
    notify: int = 0
    holds: int = 0
    route_1000: int = 0
    sla_1000: int = 0
    sla_zero_due: int = 0  # a tick with the 1,000 clocks open, none due yet

    def idle_hour(self, settings: Settings) -> float:
        per_hour = 3600.0
        return (
            per_hour / settings.poll_seconds * (self.poll + self.notify)
            + per_hour / settings.sweep_seconds * (self.sweep + self.retry + self.sla_sweep)
            + per_hour / SLA_CHECK_SECONDS * (self.sla_tick + self.holds)
        )


def measure(open_worker: Opener, folder: Path, redis_url: str) -> Bill:
    bill = Bill()
    with open_worker(folder, f"sqlite:///{folder / 'budget.db'}", redis_url) as worker:
        ctx = worker.ctx
        worker.add_leads(20, OLD)
        loop.sweep_crm(ctx, "start-up")  # routes the 20, fills the worker's copy
        loop.poll_crm(ctx, "first poll")  # loads the change feed from the beginning
        bill.poll = worker.spent(lambda: loop.poll_crm(ctx, "idle poll"))
        bill.sweep = worker.spent(lambda: loop.sweep_crm(ctx, "idle sweep"))
        bill.retry = worker.spent(lambda: loop.redrive(ctx))
        bill.sla_tick = worker.spent(lambda: check_crm_slas(ctx))
        bill.sla_sweep = worker.spent(lambda: check_crm_slas(ctx, from_store=True))
        bill.notify = worker.spent(lambda: send_crm_notifications(ctx, send=_no_send))
        bill.holds = worker.spent(lambda: release_crm_holds(ctx, "holds"))
        _touch_all(worker)  # the 20 first clocks close as met before the 1,000 are timed
        check_slas(worker_run(ctx), datetime.now(UTC) + timedelta(minutes=10))

        new = worker.add_leads(LEADS, timedelta(seconds=1))
        outcome = worker_spent_outcome(worker, lambda: loop.poll_crm(ctx, "1,000 new"))
        bill.route_1000, routed = outcome
        assert routed == LEADS, routed
        before = worker.calls()
        zero_due = check_crm_slas(ctx)
        bill.sla_zero_due = worker.calls() - before
        assert zero_due["checked"] == 0, zero_due
        worker.touch(new[UNTOUCHED:])
        at = datetime.now(UTC) + timedelta(minutes=10)
        before = worker.calls()
        report = check_slas(worker_run(ctx), at)
        bill.sla_1000 = worker.calls() - before
        assert report.checked == LEADS and len(report.escalations) == UNTOUCHED, report
    return bill


def worker_spent_outcome(worker: Worker, job: Callable[[], loop.BatchOutcome]) -> tuple[int, int]:
    before = worker.calls()
    outcome = job()
    return worker.calls() - before, outcome.routed


def _no_send(channel: str, recipient: str | None, subject: str, text: str) -> None:
    """No channel is configured: nothing is due to send, and nothing would be sent."""


def _touch_all(worker: Worker) -> None:
    leads = worker.ctx.snapshot.leads if worker.ctx.snapshot else ()
    worker.touch([lead.id for lead in leads])


@contextmanager
def redis_url(folder: Path) -> Iterator[str]:
    url = os.environ.get("LEADRELAY_TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(folder / "redis")
    started = server.ensure()
    try:
        yield started.url
    finally:
        if started.owned:
            server.stop()


def big_org_sweep(connector_name: str) -> int:
    """A sweep's read of a 200k-record org: 100k leads, 60k accounts, 30k contacts, 10k deals."""
    counts = Counts(users=300, queues=20, accounts=60_000, contacts=30_000,
                    opportunities=10_000, leads=100_000)  # fmt: skip

    @dataclass
    class Named:
        name: str

    return snapshot_calls(Named(connector_name), counts)


def main() -> None:
    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    settings = Settings()
    print(
        f"default schedule: poll {settings.poll_seconds:g} s, sweep/retry/SLA sweep "
        f"{settings.sweep_seconds:g} s, SLA tick {SLA_CHECK_SECONDS:g} s"
    )
    quiet = {"Salesforce": salesforce_quiet_poll(), "HubSpot": hubspot_quiet_poll()}
    with tempfile.TemporaryDirectory() as temporary, redis_url(Path(temporary)) as url:
        for name, opener in (("Salesforce", salesforce_worker), ("HubSpot", hubspot_worker)):
            folder = Path(temporary) / name
            folder.mkdir()
            bill = measure(opener, folder, url)
            per_object = ", ".join(f"{o} {n}" for o, n in quiet[name].items())
            print(f"\n{name} (fake org / stand-in)")
            print(f"  quiet poll of every object (connector)  {per_object}")
            print(
                f"  worker jobs, calls each: poll {bill.poll}, sweep {bill.sweep}, retry "
                f"{bill.retry}, SLA tick {bill.sla_tick}, SLA sweep {bill.sla_sweep}, notify "
                f"{bill.notify}, holds {bill.holds}"
            )
            print(f"  API calls per idle hour                  {bill.idle_hour(settings):,.0f}")
            print(f"  API calls per 1,000 routed leads (poll)  {bill.route_1000}")
            print(f"  SLA tick, 0 due clocks (1,000 open)      {bill.sla_zero_due}")
            print(
                f"  SLA tick, 1,000 due clocks               {bill.sla_1000}   "
                f"({UNTOUCHED} untouched: reassigned in the pool)"
            )
            sweep = big_org_sweep(name.lower())
            hourly = 3600 / settings.sweep_seconds * sweep
            print(
                f"  a sweep of a 200k-record org (estimate)  {sweep:,} calls, {hourly:,.0f}/h "
                f"({hourly * 24:,.0f}/day)"
            )


if __name__ == "__main__":
    main()
