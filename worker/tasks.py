"""Thin tasks: a CRM URL, a policy path and ids in → a job → a small JSON result.

All of them are idempotent, so they acknowledge late and are re-queued when their worker dies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import Task

from worker import insights_jobs, loop, sla
from worker.app import app
from worker.bootstrap import runtime

IDEMPOTENT: dict[str, Any] = {"acks_late": True, "reject_on_worker_lost": True, "bind": True}
TaskBody = Callable[..., dict[str, object]]


def _task(name: str) -> Callable[[TaskBody], Any]:
    """`app.task`, typed: Celery ships no annotations."""
    decorator: Callable[[TaskBody], Any] = app.task(name=name, **IDEMPOTENT)
    return decorator


@_task("leadrelay.poll")
def poll(self: Task, crm: str, policy: str) -> dict[str, object]:
    return loop.poll_crm(runtime().crm(crm, policy), _key(self)).to_json()


@_task("leadrelay.sweep")
def sweep(self: Task, crm: str, policy: str) -> dict[str, object]:
    return loop.sweep_crm(runtime().crm(crm, policy), _key(self)).to_json()


@_task("leadrelay.route_records")
def route_records(self: Task, crm: str, policy: str, record_ids: list[str]) -> dict[str, object]:
    return loop.route_records(runtime().crm(crm, policy), _key(self), record_ids).to_json()


@_task("leadrelay.retry_dead_letters")
def retry_dead_letters(self: Task, crm: str, policy: str) -> dict[str, object]:
    return loop.redrive(runtime().crm(crm, policy))


@_task("leadrelay.check_slas")
def check_slas(self: Task, crm: str, policy: str) -> dict[str, object]:
    """Every minute: the clocks Redis says are due."""
    return sla.check_crm_slas(runtime().crm(crm, policy))


@_task("leadrelay.sweep_slas")
def sweep_slas(self: Task, crm: str, policy: str) -> dict[str, object]:
    """On the sweep schedule: the clocks the store says are due (a lost Redis entry, a claim
    whose worker died)."""
    return sla.check_crm_slas(runtime().crm(crm, policy), from_store=True)


@_task("leadrelay.send_notifications")
def send_notifications(self: Task, crm: str, policy: str) -> dict[str, object]:
    """Assignment notifications that are due, batched per rep."""
    return insights_jobs.send_crm_notifications(runtime().crm(crm, policy))


@_task("leadrelay.release_holds")
def release_holds(self: Task, crm: str, policy: str) -> dict[str, object]:
    """Held records whose hold ran out, routed with what is there."""
    return insights_jobs.release_crm_holds(runtime().crm(crm, policy), _key(self))


def _key(task: Task) -> str:
    """The same for a re-delivery of the same message: its decisions replace, not add."""
    return str(task.request.id or "local")
