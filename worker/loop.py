"""The worker loop's jobs: poll a CRM, route its routable records, write the owners back in
one batch, record every decision; sweep for anything a poll missed; route given records.

Why it is safe to run any of them twice, or on four machines at once:
- a record is routable only while the CRM says so, and each record is locked (in Redis) and
  re-read after the lock is taken, so a record is never routed by two workers at once nor
  again once its owner is written;
- locks are leases of a few seconds, renewed by a heartbeat while their holder runs
  (`worker.lease`): a dead worker's locks lapse in seconds, and a live one that lost a lease
  (Redis unreachable that long) stops before it records or writes anything;
- rotation cursors and loads live in `RedisState`, whose commit is one compare-and-set script;
- decisions are recorded as pending under the task's id before the write, then settled, so a
  re-delivered task replaces its own pending decisions instead of adding to them;
- a watermark moves only after its batch is written and recorded.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from connectors.base import (
    BudgetReporter,
    ChangeFeed,
    Connector,
    QuotaExhausted,
    RetryableError,
    Throttled,
    Window,
)
from routing.engine import Router, StateContention, open_lead_loads
from routing.model import LEAD, CrmSnapshot, Decision, Lead, OwnerChange
from routing.world import routing_order
from worker.batch_state import BatchedRedisState
from worker.crm_board import CrmBoard
from worker.insights_hooks import after_routing, route_unheld
from worker.jobs import RoutingSession, session_for
from worker.lease import LEASE_S, TAKE_BACK_S, confirm_leases, leased
from worker.logging import get_logger
from worker.reconcile import settle_stale_pending
from worker.redrive import RedriveReport, redrive_dead_letters
from worker.settings import Settings
from worker.sla import start_worker_clocks
from worker.store import DeadLetter, Store
from worker.writes import Written, write_owners

__all__ = ["BatchOutcome", "CrmContext", "poll_crm", "redrive", "route_records", "sweep_crm"]

log = get_logger(__name__)

POLL_LOCK = "__poll__"
REBUILD_LOCK = "__rebuild__"
CHANGE_LOOKBACK = timedelta(seconds=60)
_REBUILD_WAIT_S = 30.0
MAX_POLL_BACKOFF_S = 60.0


@dataclass
class CrmContext:
    """One CRM as the worker sees it; built by `worker.bootstrap`."""

    url: str
    key: str
    policy_path: Path
    connector: Connector
    state: BatchedRedisState
    store: Store
    board: CrmBoard
    settings: Settings
    snapshot: CrmSnapshot | None = None  # change-feed CRMs: the last full read, with changes
    snapshot_read_at: float = 0.0

    @property
    def lock_ttl_s(self) -> float:
        return self.settings.task_time_limit


@dataclass
class BatchOutcome:
    """A task's small result: counts, never records."""

    routed: int = 0
    written: int = 0
    dead_lettered: int = 0
    skipped_locked: int = 0
    skipped: str | None = None
    rebuilt: bool = False
    watermark: str | None = None
    paused_until: str | None = None
    settled: int = 0
    owners: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        summary = asdict(self)
        summary.pop("owners")
        return summary


DecisionSink = Callable[[Decision], None]


# --- the three jobs --------------------------------------------------------------------------


def poll_crm(ctx: CrmContext, task_key: str) -> BatchOutcome:
    """One poll: changes since the watermark (or, for a CRM without a change feed, everything
    routable), routed oldest first by the one task holding the CRM's poll lock."""
    return _under_poll_lock(ctx, lambda: _poll(ctx, task_key))


def sweep_crm(ctx: CrmContext, task_key: str) -> BatchOutcome:
    """Every routable record, whatever the watermark: the safety net, and the start-up pass.
    It also settles decisions left pending by a worker that died mid-batch. It waits out a
    lease's length for the poll lock, so the sweep of a worker started right after a crash is
    not skipped because of the dead worker's poll."""
    return _under_poll_lock(ctx, lambda: _sweep(ctx, task_key), wait_s=LEASE_S + 1)


def _sweep(ctx: CrmContext, task_key: str) -> BatchOutcome:
    snapshot = ctx.connector.snapshot()
    if isinstance(ctx.connector, ChangeFeed):  # the full read the polls lay changes over
        ctx.snapshot, ctx.snapshot_read_at = snapshot, time.monotonic()
    current = {lead.id: lead.owner_id for lead in snapshot.leads}
    settled = settle_stale_pending(
        ctx.store, ctx.key, current, timedelta(seconds=ctx.settings.task_time_limit)
    )
    outcome = _route(ctx, task_key, wanted=None)
    outcome.settled = settled
    return outcome


def route_records(ctx: CrmContext, task_key: str, record_ids: Sequence[str]) -> BatchOutcome:
    """Route the given records if they are still routable (re-read, locked, routed)."""
    paused = _paused(ctx)
    if paused:
        return paused
    return _route(ctx, task_key, wanted=frozenset(record_ids))


def redrive(ctx: CrmContext) -> dict[str, object]:
    """Re-send the owner writes of this CRM's open dead letters (beat runs it on the sweep
    schedule; `leadrelay retry` on demand)."""
    if ctx.board.paused(ctx.key):
        return {"skipped": "paused until the CRM's quota resets"}
    report = redrive_report(ctx, dry_run=ctx.settings.dry_run)
    return {
        "resolved": len(report.resolved),
        "failed": len(report.failed),
        "skipped": len(report.skipped),
        "stopped": report.stopped,
    }


def redrive_report(ctx: CrmContext, *, dry_run: bool) -> RedriveReport:
    report = redrive_dead_letters(
        ctx.store,
        ctx.connector,
        dry_run=dry_run,
        crm=ctx.key,
        skip_if=_owner_changed_since(ctx.connector),
    )
    if report.resume_at is not None and report.stopped:
        ctx.board.pause(ctx.key, report.resume_at, report.stopped)
    return report


def _owner_changed_since(connector: Connector) -> Callable[[DeadLetter], str | None]:
    """Someone reassigned the record by hand since the write failed: theirs stands."""
    owners = {lead.id: lead.owner_id for lead in connector.snapshot().leads}

    def check(letter: DeadLetter) -> str | None:
        current = owners.get(letter.record_id, letter.previous_owner_id)
        if current in (letter.previous_owner_id, letter.owner_id):
            return None
        return f"its owner changed to {current} since the write failed"

    return check


# --- polling ---------------------------------------------------------------------------------


def _under_poll_lock(
    ctx: CrmContext, job: Callable[[], BatchOutcome], wait_s: float = 0.0
) -> BatchOutcome:
    paused = _paused(ctx)
    if paused:
        return paused
    deadline = time.monotonic() + wait_s
    token = ctx.state.lock_record(ctx.key, POLL_LOCK, LEASE_S)
    while token is None and time.monotonic() < deadline:
        time.sleep(0.1)
        token = ctx.state.lock_record(ctx.key, POLL_LOCK, LEASE_S)
    if token is None:
        return BatchOutcome(skipped="another task is polling this CRM")
    with leased(ctx.state, ctx.key, {POLL_LOCK: token}):
        try:
            outcome = job()
        except RetryableError as error:  # down, throttling: no record is lost by waiting
            outcome = _back_off(ctx, error)
        else:
            ctx.state.clear_failed_polls(ctx.key)
    ctx.state.mark_polled(ctx.key)
    ctx.board.note_poll(ctx.key, outcome.to_json())
    _note_budget(ctx)
    return outcome


def _back_off(ctx: CrmContext, error: RetryableError) -> BatchOutcome:
    """The CRM could not be read: pause this CRM's polls for its Retry-After, or for a backoff
    that doubles with each failed poll in a row (up to a minute). What was not routed is still
    routable in the CRM, and the watermark did not move, so the next poll finds it."""
    failures = ctx.state.note_failed_poll(ctx.key)
    if isinstance(error, Throttled) and error.retry_after is not None:
        wait_s = min(max(error.retry_after, 1.0), MAX_POLL_BACKOFF_S)
    else:
        wait_s = min(ctx.settings.poll_seconds * 2 ** (failures - 1), MAX_POLL_BACKOFF_S)
    until = datetime.now(UTC) + timedelta(seconds=wait_s)
    why = f"the CRM failed {failures} poll(s) in a row: {error}"
    ctx.board.pause(ctx.key, until, why)
    log.warning(
        "CRM unavailable; polling backs off", wait_s=wait_s, failures=failures, error=str(error)
    )
    return BatchOutcome(skipped=f"paused: {why}", paused_until=until.isoformat())


def _note_budget(ctx: CrmContext) -> None:
    if isinstance(ctx.connector, BudgetReporter):
        budget = ctx.connector.api_budget()
        if budget is not None:
            ctx.board.note_budget(ctx.key, budget.used, budget.limit)


def _paused(ctx: CrmContext) -> BatchOutcome | None:
    paused = ctx.board.paused(ctx.key)
    if paused is None:
        return None
    return BatchOutcome(skipped=f"paused: {paused['why']}", paused_until=paused["until"])


def _poll(ctx: CrmContext, task_key: str) -> BatchOutcome:
    if not isinstance(ctx.connector, ChangeFeed):
        return _route(ctx, task_key, wanted=None)
    started = datetime.now(UTC)
    watermark = _watermark(ctx)
    changed, new_watermark = _changed_leads(ctx.connector, watermark, started)
    _overlay(ctx, changed)
    wanted = {lead.id for lead in changed}
    outcome = _route(ctx, task_key, wanted=wanted) if wanted else BatchOutcome()
    if new_watermark is not None and not outcome.paused_until:
        ctx.state.set_watermark(ctx.key, LEAD, new_watermark)
        ctx.store.save_watermark(ctx.key, LEAD, new_watermark)
        outcome.watermark = new_watermark.isoformat()
    return outcome


def _watermark(ctx: CrmContext) -> datetime | None:
    """Redis first; after a Redis loss, the copy kept in SQL."""
    return ctx.state.get_watermark(ctx.key, LEAD) or ctx.store.watermark(ctx.key, LEAD)


def _changed_leads(
    feed: ChangeFeed, watermark: datetime | None, now: datetime
) -> tuple[list[Lead], datetime | None]:
    window = Window.following(watermark, now, CHANGE_LOOKBACK)
    leads: list[Lead] = []
    newest: datetime | None = None
    for page in feed.changes(LEAD, window):
        leads.extend(record for record in page.records if isinstance(record, Lead))
        newest = page.watermark or newest
    return leads, newest


# --- routing a batch -------------------------------------------------------------------------


def _session(ctx: CrmContext) -> RoutingSession:
    return session_for(_snapshot(ctx), ctx.policy_path, ctx.state, ctx.settings.home)


def _snapshot(ctx: CrmContext) -> CrmSnapshot:
    """The CRM as it is now. For a CRM with a change feed, reading everything each poll would
    spend its API budget, so the whole snapshot is read once per sweep interval and the leads
    the feed returned since are laid over it."""
    if not isinstance(ctx.connector, ChangeFeed):
        return ctx.connector.snapshot()
    age = time.monotonic() - ctx.snapshot_read_at
    if ctx.snapshot is None or age > ctx.settings.sweep_seconds:
        ctx.snapshot, ctx.snapshot_read_at = ctx.connector.snapshot(), time.monotonic()
    return ctx.snapshot


def _overlay(ctx: CrmContext, changed: Sequence[Lead]) -> None:
    snapshot = _snapshot(ctx)
    leads = {lead.id: lead for lead in snapshot.leads}
    leads.update((lead.id, lead) for lead in changed)
    ctx.snapshot = dataclasses.replace(snapshot, leads=tuple(leads.values()))


def _route(ctx: CrmContext, task_key: str, wanted: Collection[str] | None) -> BatchOutcome:
    first = _session(ctx)
    outcome = BatchOutcome(rebuilt=_ensure_state(ctx, first))
    parked = {letter.record_id for letter in ctx.store.open_dead_letters(ctx.key)}
    candidates = [
        lead
        for lead in _routable(first, wanted)
        if lead.id not in parked  # its owner is decided; `leadrelay retry` writes it
    ]
    if not candidates:
        return outcome
    tokens = ctx.state.lock_records(ctx.key, (lead.id for lead in candidates), LEASE_S)
    outcome.skipped_locked = len(candidates) - len(tokens)  # another worker is routing those
    with leased(ctx.state, ctx.key, tokens):
        batch = _still_routable(ctx, first, [lead for lead in candidates if lead.id in tokens])
        _route_and_write(ctx, first, batch, task_key, outcome)
    return outcome


def _routable(session: RoutingSession, wanted: Collection[str] | None) -> list[Lead]:
    router = session.router
    leads = session.snapshot.leads
    if wanted is not None:
        leads = tuple(lead for lead in leads if lead.id in wanted)
    return sorted((lead for lead in leads if _routable_or_broken(router, lead)), key=routing_order)


def _routable_or_broken(router: Router, lead: Lead) -> bool:
    """A record whose fields cannot even be read is routed (to the fallback, by `_decide`) when
    a routable owner holds it, rather than left waiting unseen or sinking its batch."""
    try:
        return router.is_routable(lead)
    except Exception:  # noqa: BLE001 — one record must not sink the batch
        log.exception("cannot tell whether the record is routable", record_id=lead.id)
        return lead.owner_id in router.policy.routable_owner_ids


def _still_routable(ctx: CrmContext, session: RoutingSession, locked: list[Lead]) -> list[Lead]:
    """The locked records as the CRM has them now: another worker may have written an owner
    since `session` was read. Only the records are re-read; the world they are routed in (users,
    accounts, opportunities) is the session's, a moment older."""
    if isinstance(ctx.connector, ChangeFeed):
        return locked  # the feed is the re-read: the poll lock keeps its batches apart
    snapshot = ctx.connector.snapshot()
    if snapshot.leads is session.snapshot.leads:
        return locked
    wanted = {lead.id for lead in locked}
    current = {lead.id: lead for lead in snapshot.leads if lead.id in wanted}
    return [
        current[lead.id]
        for lead in locked
        if lead.id in current and _routable_or_broken(session.router, current[lead.id])
    ]


def _route_and_write(
    ctx: CrmContext,
    session: RoutingSession,
    batch: Sequence[Lead],
    task_key: str,
    outcome: BatchOutcome,
) -> None:
    decisions = route_unheld(ctx, session, batch, lambda lead: _decide(session, lead))
    outcome.routed = len(decisions)
    if not decisions:
        return
    confirm_leases()  # still ours: nobody else routes these records
    dry_run = ctx.settings.dry_run
    ctx.store.record_decisions(ctx.key, decisions, key=task_key, dry_run=dry_run)
    changes = [d.owner_change() for d in decisions if d.owner_id != d.previous_owner_id]
    written = write_owners(ctx.connector, changes, dry_run=dry_run)
    _settle(ctx, task_key, changes, written, outcome)
    start_worker_clocks(ctx, session.policy, session.snapshot.users, decisions, written.results)
    after_routing(ctx, session, decisions, written.results, task_key)
    outcome.owners = {d.record_id: d.owner_id for d in decisions}
    for decision in decisions:
        log.info(
            "routed",
            record_id=decision.record_id,
            owner_id=decision.owner_id,
            rule=decision.rule,
            reason=decision.reason,
        )


def _settle(
    ctx: CrmContext,
    task_key: str,
    changes: Sequence[OwnerChange],
    written: Written,
    outcome: BatchOutcome,
) -> None:
    if not ctx.settings.dry_run:
        ctx.store.record_write_results(ctx.key, task_key, written.results)
    letters = ctx.store.dead_letter_failures(ctx.key, changes, written.results)
    outcome.written = sum(1 for result in written.results if result.ok)
    outcome.dead_lettered = len(letters)
    for result in written.results:
        if not result.ok:
            log.warning("write failed", record_id=result.record_id, error=result.error)
    if written.quota is not None:
        _pause(ctx, written.quota, outcome)


def _pause(ctx: CrmContext, quota: QuotaExhausted, outcome: BatchOutcome) -> None:
    until = quota.resume_at or datetime.now(UTC) + timedelta(hours=1)
    ctx.board.pause(ctx.key, until, str(quota))
    outcome.paused_until = until.isoformat()
    log.warning("CRM API quota spent; polling paused", resume_at=until.isoformat())


def _decide(session: RoutingSession, lead: Lead) -> Decision | None:
    """A record the engine cannot route (a bug, not bad data, which the engine handles itself)
    goes to the fallback owner with the reason, so it never blocks its batch. Trouble with the
    shared state (a race lost again and again, Redis gone) is not the record's fault: it is
    left routable for the next poll, never given to the fallback."""
    try:
        return session.router.route(lead)
    except (StateContention, redis.RedisError, OSError):
        log.exception("routing deferred: the shared state did not answer", record_id=lead.id)
        return None
    except Exception as error:  # noqa: BLE001 — one record must not sink the batch
        log.exception("routing failed", record_id=lead.id)
        return _fallback_decision(session, lead, error)


def _fallback_decision(session: RoutingSession, lead: Lead, error: Exception) -> Decision:
    fallback = session.policy.fallback_owner_id
    name = session.router.world.owner_name(fallback)
    why = f"{type(error).__name__}: {error}"
    return Decision(
        record_id=lead.id,
        object=lead.object,
        owner_id=fallback,
        previous_owner_id=lead.owner_id,
        account_id=None,
        match_method="none",
        rule="fallback",
        score=0,
        tier=None,
        pool=None,
        reason=f"Routing failed on this record ({why}), so it went to the fallback owner {name}.",
        trace={"error": why, "path": ["fallback"]},
    )


# --- after a Redis loss ----------------------------------------------------------------------


def _ensure_state(ctx: CrmContext, session: RoutingSession) -> bool:
    """Loads from the CRM, cursors from the durable record, rebuilt once by one worker. The
    rebuild lock is a lease: if its holder dies, a waiting worker takes it over in seconds.

    A rebuild opens a take-back window of TAKE_BACK_S: workers that were mid-batch when Redis
    lost its data take their record locks back within a heartbeat or two, and nobody locks a
    record before the window closes, so no batch in flight is routed a second time."""
    deadline = time.monotonic() + _REBUILD_WAIT_S
    rebuilt = False
    built, settling_s = ctx.state.built_and_settled()
    while not built or settling_s > 0:
        if time.monotonic() > deadline:
            raise TimeoutError("the shared routing state was not rebuilt in time; retry later")
        if not built:
            rebuilt = _rebuild_under_lease(ctx, session) or rebuilt
        time.sleep(min(max(settling_s, 0.05), 0.25))
        built, settling_s = ctx.state.built_and_settled()
    return rebuilt


def _rebuild_under_lease(ctx: CrmContext, session: RoutingSession) -> bool:
    token = ctx.state.lock_record(ctx.key, REBUILD_LOCK, LEASE_S)
    if token is None:
        return False  # another worker is rebuilding
    with leased(ctx.state, ctx.key, {REBUILD_LOCK: token}):
        if ctx.state.is_built():
            return False
        loads = open_lead_loads(session.snapshot, session.policy)
        cursors = ctx.store.last_slots_by_pool(ctx.key)
        ctx.state.rebuild(loads, cursors, take_back_s=TAKE_BACK_S)
        log.info("state rebuilt", users=len(loads), pools=len(cursors))
        return True
