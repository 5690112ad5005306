"""The scheduled backfill: once a day, from beat, with the same guard rails as the CLI.

Off unless LEADRELAY_BACKFILL_SCOPE is set. A run that would move more than
LEADRELAY_BACKFILL_MAX_MOVES records moves nothing and says so; one that runs out of API budget
keeps its checkpoint and the next night's run (or a manual `leadrelay backfill`) resumes it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from celery import Celery
from celery.schedules import crontab
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from redbeat import RedBeatSchedulerEntry

from connectors.base import Connector
from routing.replay import Guards
from worker import names
from worker.jobs.backfill import BackfillRequest, run_backfill
from worker.jobs.context import NO_HOOKS, Hooks
from worker.settings import Settings
from worker.state.board import ConfiguredCrm
from worker.store.records import Store

__all__ = ["BackfillSchedule", "scheduled_backfill", "schedule_backfill"]


class BackfillSchedule(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # LEADRELAY_BACKFILL_SCOPE: inactive-owners, territory or all; unset: no scheduled backfill.
    scope: Literal["inactive-owners", "territory", "all"] | None = Field(
        default=None, alias="LEADRELAY_BACKFILL_SCOPE"
    )
    # LEADRELAY_BACKFILL_OBJECT: Lead, Contact or Account.
    object: Literal["Lead", "Contact", "Account"] = Field(
        default="Lead", alias="LEADRELAY_BACKFILL_OBJECT"
    )
    # LEADRELAY_BACKFILL_AT: when, every day, in UTC (HH:MM).
    at: str = Field(default="02:00", pattern=r"^\d{1,2}:\d{2}$", alias="LEADRELAY_BACKFILL_AT")
    # LEADRELAY_BACKFILL_MAX_MOVES: move nothing if more than this many would move.
    max_moves: int = Field(default=1000, ge=0, alias="LEADRELAY_BACKFILL_MAX_MOVES")
    # LEADRELAY_BACKFILL_EXCLUDE_ACTIVE_DAYS: hold records with activity in the last D days.
    exclude_active_days: int = Field(
        default=30, ge=0, alias="LEADRELAY_BACKFILL_EXCLUDE_ACTIVE_DAYS"
    )
    # LEADRELAY_BACKFILL_INCLUDE_OPEN_OPPORTUNITIES: also move records with open opportunities.
    include_open_opportunities: bool = Field(
        default=False, alias="LEADRELAY_BACKFILL_INCLUDE_OPEN_OPPORTUNITIES"
    )


def scheduled_backfill(
    crm: str,
    policy: str,
    settings: Settings,
    store: Store,
    schedule: BackfillSchedule | None = None,
    now: datetime | None = None,
    *,
    connector: Connector,
    hooks: Hooks = NO_HOOKS,
) -> dict[str, object]:
    """What beat's task runs; returns a small JSON result."""
    schedule = schedule or BackfillSchedule()
    if schedule.scope is None:
        return {"skipped": "LEADRELAY_BACKFILL_SCOPE is not set"}
    guards = Guards(
        now=now or datetime.now(UTC),
        exclude_active_days=schedule.exclude_active_days,
        move_open_opportunities=schedule.include_open_opportunities,
        max_moves=schedule.max_moves,
    )
    request = BackfillRequest(crm, Path(policy), schedule.scope, guards, schedule.object)
    report = run_backfill(connector, request, home=settings.home, store=store, hooks=hooks)
    return {
        "run_id": report.run_id,
        "evaluated": report.plan.evaluated,
        "planned": 0 if report.plan.over_limit else len(report.plan.moves),
        "over_limit": report.plan.over_limit,
        "held": len(report.plan.held),
        "written": report.written,
        "failed": len(report.failed),
        "stopped": report.stopped,
        "resume_at": report.resume_at.isoformat() if report.resume_at else None,
    }


def schedule_backfill(
    app: Celery, crm: ConfiguredCrm, schedule: BackfillSchedule | None = None
) -> list[str]:
    """The beat entry for one CRM (kept in Redis by RedBeat); none while the scope is unset."""
    schedule = schedule or BackfillSchedule()
    if schedule.scope is None:
        return []
    hour, minute = schedule.at.split(":")
    name = f"backfill {crm.key}"
    entry = RedBeatSchedulerEntry(
        name,
        names.BACKFILL,
        crontab(minute=minute, hour=hour),
        args=[crm.url, crm.policy],
        options={"expires": 3600.0},  # a night's run not started within the hour waits
        app=app,
    )
    entry.save()
    return [name]
