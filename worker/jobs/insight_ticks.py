"""Beat's insight ticks for one CRM: send the assignment notifications that are due, and route
the held records whose hold has run out (a held record nobody edits is still released)."""

from __future__ import annotations

from datetime import UTC, datetime

from worker.jobs.context import CrmContext
from worker.jobs.holds import GONE, RedisHolds, release
from worker.jobs.loop import route_records
from worker.jobs.notifications import Channels, Sender, send_due
from worker.state.counters import WorkerMetrics
from worker.store.insights import InsightsStore

NOTIFY_LOCK = "__notify__"


def send_crm_notifications(
    ctx: CrmContext, *, send: Sender | None = None, now: datetime | None = None
) -> dict[str, object]:
    """One sender per CRM at a time: a slow tick is not overlapped by the next."""
    token = ctx.state.lock_record(ctx.key, NOTIFY_LOCK, ctx.lock_ttl_s)
    if token is None:
        return {"skipped": "another task is sending this CRM's notifications"}
    try:
        report = send_due(
            InsightsStore(ctx.store.engine),
            ctx.key,
            send or Channels.from_env().send,
            now or datetime.now(UTC),
        )
    finally:
        ctx.state.unlock_record(ctx.key, NOTIFY_LOCK, token)
    counts = {
        "sent": report.sent,
        "failed_attempt": report.failed_attempts,
        "given_up": report.given_up,
    }
    WorkerMetrics(ctx.redis).notifications(ctx.key, counts)
    return dict(report.to_json())


def release_crm_holds(
    ctx: CrmContext, task_key: str, *, now: datetime | None = None
) -> dict[str, object]:
    """Route the held records whose time is up; those the CRM no longer has routable (taken by
    hand, deleted) leave the held list as gone."""
    at = now or datetime.now(UTC)
    store = InsightsStore(ctx.store.engine)
    due = store.due_holds(ctx.key, at)
    if not due:
        return {"due": 0}
    outcome = route_records(ctx, task_key, due)
    gone = 0
    if not (outcome.skipped or outcome.skipped_locked or outcome.paused_until):
        still = store.due_holds(ctx.key, at)
        holds = RedisHolds(ctx.redis, ctx.state.namespace)
        gone = release(store, holds, ctx.key, dict.fromkeys(still, GONE), at)
    return {"due": len(due), "routed": outcome.routed, "gone": gone}
