"""Where routing insights hook into the jobs of others: the worker loop (hold, then decide and
time each decision; after the write, release holds, queue notifications, count metrics), the
SLA check (reassignments are told; breaches counted) and the backfill (moves are told).

Each hook is a guest: whatever fails inside one is logged and swallowed, so routing is never
blocked or undone by a notification, a metric or a hold's bookkeeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from connectors.base import WriteResult
from routing.model import CrmSnapshot, Decision, Lead, Rep
from routing.policy import (
    BACKFILL,
    REASSIGNED,
    ROUTED,
    Assignment,
    HoldVerdict,
    RoutingPolicy,
    assignment_values,
)
from routing.sla import BREACHED, start_clock
from worker.jobs.holds import RedisHolds, hold_back, settle_releases, with_hold_trace
from worker.jobs.notifications import Channels, queue_assignments
from worker.logging import get_logger
from worker.state.counters import WorkerMetrics
from worker.store.approvals import ApprovalsStore, held_for_approval
from worker.store.insights import InsightsStore

if TYPE_CHECKING:
    from worker.jobs.backfill import BackfillReport, BackfillRequest
    from worker.jobs.loop import CrmContext
    from worker.jobs.session import RoutingSession
    from worker.jobs.sla import CheckReport, SlaRun
    from worker.store.records import Store

log = get_logger(__name__)


@contextmanager
def _guest(what: str, **context: Any) -> Iterator[None]:
    try:
        yield
    except Exception:  # noqa: BLE001 — insights must never sink routing
        log.exception(f"{what} failed; routing goes on", **context)


# --- the worker loop -----------------------------------------------------------------------


def route_unheld(
    ctx: CrmContext,
    session: RoutingSession,
    batch: Sequence[Lead],
    decide: Callable[[Lead], Decision | None],
) -> list[Decision]:
    """Hold what the policy holds; decide the rest, each timed for the latency histogram."""
    to_route: Sequence[Lead] = batch
    released: dict[str, HoldVerdict] = {}
    with _guest("hold", crm=ctx.key):
        to_route, released = hold_back(
            InsightsStore(ctx.store.engine),
            _holds(ctx),
            ctx.key,
            session.policy.hold,
            batch,
            _now(),
        )
    decisions, latencies = [], []
    for lead in to_route:
        started = time.perf_counter()
        decision = decide(lead)
        latencies.append(time.perf_counter() - started)
        if decision is not None:  # None: left for the next poll
            decisions.append(with_hold_trace(decision, released.get(lead.id)))
    decisions = _hold_for_approval(ctx, decisions)
    with _guest("metrics", crm=ctx.key):
        WorkerMetrics(ctx.state._redis).routed(ctx.key, decisions, latencies)
    return decisions


def _hold_for_approval(ctx: CrmContext, decisions: list[Decision]) -> list[Decision]:
    """Decisions best fit holds for approval are recorded as pending, and neither recorded
    as decisions nor written: the record stays routable until a person decides."""
    held = [d for d in decisions if held_for_approval(d) is not None]
    if not held:
        return decisions
    with _guest("approval hold", crm=ctx.key):
        ApprovalsStore(ctx.store.engine).hold(ctx.key, held, _now())
    return [d for d in decisions if held_for_approval(d) is None]


def after_routing(
    ctx: CrmContext,
    session: RoutingSession,
    decisions: Sequence[Decision],
    results: Sequence[WriteResult],
    task_key: str,
) -> None:
    """Once a batch is written and recorded: release its held records, tell the new owners."""
    now = _now()
    with _guest("hold release", crm=ctx.key):
        settle_releases(InsightsStore(ctx.store.engine), _holds(ctx), ctx.key, decisions, now)
    if not ctx.settings.dry_run:
        with _guest("assignment notifications", crm=ctx.key):
            assignments = decision_assignments(
                decisions, results, session.policy, session.snapshot, now
            )
            queue_assignments(
                InsightsStore(ctx.store.engine),
                ctx.key,
                session.policy.notifications,
                session.snapshot.users,
                assignments,
                Channels.from_env(),
                key=f"route/{task_key}",
                at=now,
            )


def _holds(ctx: CrmContext) -> RedisHolds:
    return RedisHolds(ctx.state._redis, ctx.state.namespace)


def decision_assignments(
    decisions: Sequence[Decision],
    results: Sequence[WriteResult],
    policy: RoutingPolicy,
    snapshot: CrmSnapshot,
    at: datetime,
) -> list[Assignment]:
    """The decisions whose new owner, a user, was written: what their owners are told."""
    if not policy.notifications.enabled:
        return []
    written = {r.record_id for r in results if r.ok}
    changed = [
        d
        for d in decisions
        if d.record_id in written
        and d.owner_id != d.previous_owner_id
        and d.owner_id in snapshot.users
    ]
    if not changed:
        return []
    fields = _fields_of(snapshot, {d.record_id for d in changed})
    return [
        _assignment(
            ROUTED,
            d.record_id,
            d.object,
            snapshot.users[d.owner_id],
            d.reason,
            _deadline(d, policy, snapshot.users, at),
            fields.get(d.record_id),
            rule=d.rule,
            tier=d.tier,
        )
        for d in changed
    ]


def _deadline(
    decision: Decision, policy: RoutingPolicy, users: Mapping[str, Rep], at: datetime
) -> datetime | None:
    if not policy.sla.enabled:
        return None
    clock = start_clock(decision, policy, users, at)
    return clock.due_at if clock else None


def _assignment(
    kind: str,
    record_id: str,
    object: str,
    owner: Rep,
    reason: str,
    deadline: datetime | None,
    record: Mapping[str, object] | None,
    *,
    rule: str | None = None,
    tier: str | None = None,
) -> Assignment:
    values = assignment_values(
        kind=kind,
        record_id=record_id,
        object=object,
        owner=owner,
        reason=reason,
        deadline=deadline,
        record=record,
        rule=rule,
        tier=tier,
    )
    return Assignment(record_id, object, owner.id, kind, values)


def _fields_of(snapshot: CrmSnapshot, ids: set[str]) -> dict[str, Mapping[str, object]]:
    return {lead.id: lead.fields for lead in snapshot.leads if lead.id in ids}


# --- SLA reassignments ----------------------------------------------------------------------


def after_sla_check(
    run: SlaRun, policy: RoutingPolicy, snapshot: CrmSnapshot, report: CheckReport
) -> None:
    """Reassigned records are told to their new owners; breaches are counted."""
    now = report.at
    with _guest("reassignment notifications", crm=run.crm):
        moved = [
            e
            for e in report.escalations
            if e.changes_owner
            and e.record_id not in report.write_errors
            and e.to_owner_id in snapshot.users
        ]
        fields = _fields_of(snapshot, {e.record_id for e in moved})
        assignments = [
            _assignment(
                REASSIGNED,
                e.record_id,
                e.object,
                snapshot.users[e.to_owner_id],
                e.why[:1].upper() + e.why[1:] + ("" if e.why.endswith(".") else "."),
                e.next_clock.due_at if e.next_clock else None,
                fields.get(e.record_id),
            )
            for e in moved
        ]
        queue_assignments(
            InsightsStore(run.store.engine),
            run.crm,
            policy.notifications,
            snapshot.users,
            assignments,
            Channels.from_env(),
            key=f"sla/{now:%Y%m%dT%H%M%S.%f}",
            at=now,
        )
    if run.index is not None:
        with _guest("metrics", crm=run.crm):
            breaches = report.outcomes.get(BREACHED, 0)
            WorkerMetrics(run.index._redis).sla_breaches(run.crm, breaches)


# --- backfill moves -------------------------------------------------------------------------


def after_backfill(
    store: Store | None,
    request: BackfillRequest,
    snapshot: CrmSnapshot,
    report: BackfillReport,
) -> int:
    """The run's written moves are told to their new owners (once, even across a resume)."""
    if store is None or request.dry_run:
        return 0
    queued = 0
    with _guest("backfill notifications", crm=request.crm):
        from config.policy import load_policy

        policy = load_policy(request.policy_path, snapshot)
        if not policy.notifications.enabled:
            return 0
        moves = _written_moves(store, request.crm, report.run_id)
        fields = _fields_of(snapshot, {m["record_id"] for m in moves})
        assignments = [
            _assignment(
                BACKFILL,
                m["record_id"],
                m["object"],
                snapshot.users[m["to_owner_id"]],
                m["reason"],
                None,
                fields.get(m["record_id"]),
            )
            for m in moves
            if m["to_owner_id"] in snapshot.users
        ]
        now = _now()
        queued = queue_assignments(
            InsightsStore(store.engine),
            request.crm,
            policy.notifications,
            snapshot.users,
            assignments,
            Channels.from_env(),
            key=f"backfill/{report.run_id}",
            at=now,
        )
    return queued


def _written_moves(store: Store, crm: str, run_id: str) -> list[dict[str, Any]]:
    from worker.store.records import WRITTEN, moves

    query = sa.select(moves.c.record_id, moves.c.object, moves.c.to_owner_id, moves.c.reason).where(
        moves.c.crm == crm, moves.c.run_id == run_id, moves.c.status == WRITTEN
    )
    with store.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def _now() -> datetime:
    return datetime.now(UTC)
