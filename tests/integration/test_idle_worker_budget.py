"""An idle worker's API bill, through the real poll, sweep, retry and SLA jobs against the
Salesforce fake org and the HubSpot stand-in: a poll in which nothing changed reads the change
queries and nothing else, the retry and SLA jobs with nothing to do read nothing, and a sweep
says up front what it will spend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tests.integration.budget_worker_support import Worker, hubspot_worker, salesforce_worker
from worker.jobs import loop
from worker.jobs.sla import check_crm_slas

OLD = timedelta(minutes=5)  # modified before the poll's look-back: an idle poll sees nothing
Opener = Callable[[Path, str, str], AbstractContextManager[Worker]]


@pytest.fixture(params=["salesforce", "hubspot"])
def worker(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str, redis_url: str
) -> Iterator[Worker]:
    opener: Opener = {"salesforce": salesforce_worker, "hubspot": hubspot_worker}[request.param]
    with opener(tmp_path, database_url, redis_url) as running:
        running.add_leads(30, OLD)
        assert loop.sweep_crm(running.ctx, "start-up").routed == 30
        loop.poll_crm(running.ctx, "first poll")  # the first poll loads from the beginning
        yield running


def test_an_idle_poll_reads_only_the_change_queries(worker: Worker) -> None:
    before = len(worker.requests())
    assert loop.poll_crm(worker.ctx, "idle poll").routed == 0
    made = worker.requests()[before:]
    if worker.ctx.url.startswith("salesforce"):
        # one query per object polled, each a SystemModstamp window
        objects = [call.split(" FROM ")[1].split()[0] for call in made]
        assert all("SystemModstamp >=" in call for call in made) and made
        assert len(objects) == len(set(objects))
    else:  # one search per object type, each once; owners are not re-read every poll
        assert all(call.endswith("/search") for call in made) and made
        assert len(made) == len(set(made))


def test_retry_and_sla_jobs_with_nothing_to_do_read_nothing(worker: Worker) -> None:
    assert worker.spent(lambda: loop.redrive(worker.ctx)) == 0  # no dead letter open
    assert worker.spent(lambda: check_crm_slas(worker.ctx)) == 0  # 30 clocks, none due
    assert worker.spent(lambda: check_crm_slas(worker.ctx, from_store=True)) == 0


def test_a_sweep_logs_what_it_will_read_before_reading_it(worker: Worker) -> None:
    with capture_logs() as logs:
        spent = worker.spent(lambda: loop.sweep_crm(worker.ctx, "sweep"))
    [said] = [e for e in logs if e["event"] == "sweep_api_estimate"]
    assert said["calls"] == spent  # nothing to route: the sweep's calls are its read
    assert "30 leads" in said["counts"]
