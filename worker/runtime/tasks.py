"""Thin tasks: a CRM URL, a policy path and ids in → a job → a small JSON result.

All of them are idempotent, so they acknowledge late and are re-queued when their worker dies.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery import Task

from worker import names
from worker.bootstrap import runtime
from worker.jobs import insight_ticks as insights_jobs
from worker.jobs import loop, sla
from worker.jobs.bestfit import retrain
from worker.runtime.app import app
from worker.runtime.backfill_schedule import scheduled_backfill
from worker.settings import Settings

IDEMPOTENT: dict[str, Any] = {"acks_late": True, "reject_on_worker_lost": True, "bind": True}
TaskBody = Callable[..., dict[str, object]]


def _task(name: str) -> Callable[[TaskBody], Any]:
    """`app.task`, typed: Celery ships no annotations."""
    decorator: Callable[[TaskBody], Any] = app.task(name=name, **IDEMPOTENT)
    return decorator


@_task(names.POLL)
def poll(self: Task, crm: str, policy: str) -> dict[str, object]:
    return loop.poll_crm(runtime().crm(crm, policy), _key(self)).to_json()


@_task(names.SWEEP)
def sweep(self: Task, crm: str, policy: str) -> dict[str, object]:
    return loop.sweep_crm(runtime().crm(crm, policy), _key(self)).to_json()


@_task(names.ROUTE_RECORDS)
def route_records(self: Task, crm: str, policy: str, record_ids: list[str]) -> dict[str, object]:
    return loop.route_records(runtime().crm(crm, policy), _key(self), record_ids).to_json()


@_task(names.RETRY_DEAD_LETTERS)
def retry_dead_letters(self: Task, crm: str, policy: str) -> dict[str, object]:
    return loop.redrive(runtime().crm(crm, policy))


@_task(names.CHECK_SLAS)
def check_slas(self: Task, crm: str, policy: str) -> dict[str, object]:
    """Every minute: the clocks Redis says are due."""
    return sla.check_crm_slas(runtime().crm(crm, policy))


@_task(names.SWEEP_SLAS)
def sweep_slas(self: Task, crm: str, policy: str) -> dict[str, object]:
    """On the sweep schedule: the clocks the store says are due (a lost Redis entry, a claim
    whose worker died)."""
    return sla.check_crm_slas(runtime().crm(crm, policy), from_store=True)


@_task(names.SEND_NOTIFICATIONS)
def send_notifications(self: Task, crm: str, policy: str) -> dict[str, object]:
    """Assignment notifications that are due, batched per rep."""
    return insights_jobs.send_crm_notifications(runtime().crm(crm, policy))


@_task(names.RELEASE_HOLDS)
def release_holds(self: Task, crm: str, policy: str) -> dict[str, object]:
    """Held records whose hold ran out, routed with what is there."""
    return insights_jobs.release_crm_holds(runtime().crm(crm, policy), _key(self))


def _long_task(name: str) -> Callable[[TaskBody], Any]:
    """A task that reads and evaluates a whole CRM: the long time limits."""
    limit = Settings().long_task_time_limit
    decorator: Callable[[TaskBody], Any] = app.task(
        name=name, time_limit=limit, soft_time_limit=limit * 0.95, **IDEMPOTENT
    )
    return decorator


@_long_task(names.BACKFILL)
def backfill(self: Task, crm: str, policy: str) -> dict[str, object]:
    """Nightly, when LEADRELAY_BACKFILL_SCOPE is set; resumes from its checkpoint if re-run."""
    rt = runtime()
    connector = rt.connector(crm)
    return scheduled_backfill(
        crm, policy, rt.settings, rt.store, connector=connector, hooks=rt.hooks
    )


@_long_task(names.RETRAIN_BEST_FIT)
def retrain_best_fit(self: Task, crm: str, policy: str) -> dict[str, object]:
    """Nightly: a new best-fit model version from every deal closed so far."""
    rt = runtime()
    trained = retrain(rt.connector(crm), Path(policy), rt.settings.home, rt.store.engine)
    if trained is None:
        return {"skipped": "the policy has no best_fit pool"}
    return {"version": trained.version, "deals": trained.n_train, "new": trained.new}


def _key(task: Task) -> str:
    """The same for a re-delivery of the same message: its decisions replace, not add."""
    return str(task.request.id or "local")
