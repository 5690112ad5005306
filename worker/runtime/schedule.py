"""Beat's schedule per configured CRM, kept in Redis by RedBeat, so a `leadrelay beat` started
anywhere polls every CRM any worker was started with.

- poll, every LEADRELAY_POLL_SECONDS; a poll not started within one interval expires, since
  the next one reads the same changes;
- sweep, every LEADRELAY_SWEEP_SECONDS: every routable record whatever the watermark;
- retry dead letters, on the sweep schedule.
- SLA clocks: those Redis says are due every minute; those the store says are due on the
  sweep schedule (a lost Redis entry, a claim whose worker died).
- assignment notifications that are due, on the poll schedule; held records whose hold ran
  out, every minute.
- nightly: backfill (when LEADRELAY_BACKFILL_SCOPE is set) and best-fit retraining.
"""

from __future__ import annotations

from datetime import timedelta

from celery import Celery
from celery.schedules import crontab, schedule
from redbeat import RedBeatSchedulerEntry

from worker import names
from worker.runtime.backfill_schedule import schedule_backfill
from worker.settings import Settings
from worker.state.board import ConfiguredCrm

__all__ = ["entry_names", "schedule_crm"]

_EVERY = {
    "poll": names.POLL,
    "sweep": names.SWEEP,
    "retry": names.RETRY_DEAD_LETTERS,
    "sla": names.CHECK_SLAS,
    "sla sweep": names.SWEEP_SLAS,
    "notify": names.SEND_NOTIFICATIONS,
    "holds": names.RELEASE_HOLDS,
}
SLA_CHECK_SECONDS = 60.0  # SLA clocks are checked every minute


def entry_names(crm: ConfiguredCrm) -> list[str]:
    return [f"{what} {crm.key}" for what in _EVERY]


def schedule_crm(app: Celery, crm: ConfiguredCrm, settings: Settings) -> list[str]:
    args = [crm.url, crm.policy]
    names = []
    for name, (what, task) in zip(entry_names(crm), _EVERY.items(), strict=True):
        seconds = {
            "poll": settings.poll_seconds,
            "sla": SLA_CHECK_SECONDS,
            "notify": settings.poll_seconds,
            "holds": SLA_CHECK_SECONDS,
        }.get(what, settings.sweep_seconds)
        entry = RedBeatSchedulerEntry(
            name,
            task,
            schedule(timedelta(seconds=seconds)),
            args=args,
            options={"expires": max(seconds, 1.0)},
            app=app,
        )
        entry.save()
        names.append(name)
    return names + schedule_backfill(app, crm) + schedule_retrain(app, crm)


def schedule_retrain(app: Celery, crm: ConfiguredCrm) -> list[str]:
    """Nightly best-fit retraining (a no-op for a policy without a best_fit pool)."""
    name = f"retrain {crm.key}"
    entry = RedBeatSchedulerEntry(
        name,
        names.RETRAIN_BEST_FIT,
        crontab(minute=17, hour=3),
        args=[crm.url, crm.policy],
        options={"expires": 3600.0},
        app=app,
    )
    entry.save()
    return [name]
