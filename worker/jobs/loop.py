"""The worker loop's jobs: poll a CRM, route its routable records, write the owners back in
one batch, record every decision; sweep for anything a poll missed; route given records.

Why it is safe to run any of them twice, or on four machines at once:
- a record is routable only while the CRM says so, and each record is locked (in Redis) and
  re-read after the lock is taken, so a record is never routed by two workers at once nor
  again once its owner is written;
- locks are leases of a few seconds, renewed by a heartbeat while their holder runs
  (`worker.state.lease`): a dead worker's locks lapse in seconds, and a live one that lost a lease
  (Redis unreachable that long) stops before it records or writes anything;
- rotation cursors and loads live in `RedisState`, whose commit is one compare-and-set script;
- decisions are recorded as pending under the task's id before the write, then settled, so a
  re-delivered task replaces its own pending decisions instead of adding to them;
- a watermark moves only after its batch is written and recorded;
- a record that holds the owner LeadRelay last wrote to it is not routed again (an event
  echoing our own write, a second delivery); one a person handed back to a routing owner is.

The session a batch routes in (compiled policy, matcher index, world) is kept warm on the
`CrmContext` between batches and kept current by the records each batch reads
(`worker.jobs.warm_session`); a cold one is never built per poll.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import redis

from config.errors import PolicyError
from config.policy import load_policy
from connectors.base import (
    BudgetReporter,
    ChangeFeed,
    QuotaExhausted,
    RetryableError,
    Throttled,
    Window,
    WriteResult,
)
from routing.engine import LiveCrm, Router, StateContention, open_lead_loads
from routing.model import (
    LEAD,
    CrmSnapshot,
    Decision,
    FieldValue,
    Lead,
    OwnerChange,
)
from routing.ownership import OwnerRule
from routing.world import routing_order
from worker.jobs.caps import recorded_tallies
from worker.jobs.context import CrmContext, Routed
from worker.jobs.follow import follow_handovers
from worker.jobs.holds import route_unheld
from worker.jobs.policy.fields import read_policy_fields
from worker.jobs.policy.source import (
    PolicySource,
    as_origin,
    copy_of,
    current_source,
    last_loaded,
    remember_loaded,
)
from worker.jobs.reconcile import settle_stale_pending
from worker.jobs.redrive import RedriveReport, SkipCheck, either, redrive_dead_letters, unwritable
from worker.jobs.rereads import (
    LOOKBACK,
    current_owners,
    not_our_own_echo,
    refresh_context,
    reread_leads,
    reread_matched_accounts,
    say_why_not_routed,
)
from worker.jobs.session import RoutingSession
from worker.jobs.sla import start_worker_clocks
from worker.jobs.warm_session import WarmSession
from worker.jobs.writes import Written, write_owners
from worker.logging import get_logger
from worker.state.board import log_sweep_spend
from worker.state.lease import LEASE_S, TAKE_BACK_S, confirm_leases, leased
from worker.store.records import DeadLetter

__all__ = ["BatchOutcome", "poll_crm", "redrive", "route_records", "sweep_crm"]

log = get_logger(__name__)

POLL_LOCK = "__poll__"
REBUILD_LOCK = "__rebuild__"
CHANGE_LOOKBACK = LOOKBACK  # a feed window reaches back this far, for late commits
_REBUILD_WAIT_S = 30.0
MAX_POLL_BACKOFF_S = 60.0


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
    followed: int = 0  # records moved after their account changed hands
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
    log_sweep_spend(ctx.key, ctx.connector, ctx.snapshot)
    started = datetime.now(UTC)
    snapshot = ctx.connector.snapshot()
    with ctx.session_lock:
        ctx.context_since = started  # the feed of the rest resumes from this read
        _warm(ctx, full_read=snapshot)
        current = _owners_of_every_record(snapshot)
        settled = settle_stale_pending(
            ctx.store, ctx.key, current, timedelta(seconds=ctx.settings.task_time_limit)
        )
        outcome = _followed(ctx, task_key, _route(ctx, task_key, wanted=None, read=False))
    outcome.settled = settled
    return outcome


def _owners_of_every_record(snapshot: CrmSnapshot) -> dict[str, str | None]:
    """What a decision left pending by a dead worker is settled against: the owner of its
    record now, whatever its object."""
    owners: dict[str, str | None] = {a.id: a.owner_id for a in snapshot.accounts.values()}
    owners.update((o.id, o.owner_id) for o in snapshot.opportunities)
    owners.update((c.id, c.owner_id) for c in snapshot.contacts)
    owners.update((lead.id, lead.owner_id) for lead in snapshot.leads)
    return owners


def route_records(
    ctx: CrmContext, task_key: str, record_ids: Sequence[str], object: str = LEAD
) -> BatchOutcome:
    """Route the given records (an event named them) as the CRM has them now: each is locked,
    re-read by Id, and routed only if it is routable and does not hold the owner LeadRelay
    last wrote to it (an event that echoes our own write, or a second delivery)."""
    paused = _paused(ctx)
    if paused:
        return paused
    with ctx.session_lock:
        outcome = _route(ctx, task_key, wanted=list(dict.fromkeys(record_ids)), event=True)
        return _followed(ctx, task_key, outcome)


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
        skip_if=either(_unwritable(ctx), _owner_changed_since(ctx)),
    )
    if report.resume_at is not None and report.stopped:
        ctx.board.pause(ctx.key, report.resume_at, report.stopped)
    return report


def _unwritable(ctx: CrmContext) -> SkipCheck:
    """`redrive.unwritable` over the records held (or read) at the first letter: with none
    open, an idle retry reads nothing."""
    checks: list[SkipCheck] = []

    def check(letter: DeadLetter) -> str | None:
        if not checks:
            checks.append(unwritable(ctx.policy_path, ctx.snapshot or ctx.connector.snapshot()))
        return checks[0](letter)

    return check


def _owner_changed_since(ctx: CrmContext) -> Callable[[DeadLetter], str | None]:
    """Someone reassigned the record by hand since the write failed: theirs stands."""
    owners = current_owners(ctx.connector, ctx.store.open_dead_letters(ctx.key))

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
        with ctx.session_lock:
            return _followed(ctx, task_key, _route(ctx, task_key, wanted=None))
    started = datetime.now(UTC)
    watermark = _watermark(ctx)
    changed, new_watermark = _changed_leads(ctx.connector, watermark, started)
    with ctx.session_lock:
        warm = _warm(ctx)
        warm.apply(changed)
        refresh_context(ctx, warm)
        wanted = [lead.id for lead in changed] + warm.live.others.take_touched()
        outcome = _route(ctx, task_key, wanted=wanted, read=False) if wanted else BatchOutcome()
        outcome = _followed(ctx, task_key, outcome)
    if new_watermark is not None and not outcome.paused_until:
        ctx.state.set_watermark(ctx.key, LEAD, new_watermark)
        ctx.store.save_watermark(ctx.key, LEAD, new_watermark)
        outcome.watermark = new_watermark.isoformat()
    return outcome


def _followed(ctx: CrmContext, task_key: str, outcome: BatchOutcome) -> BatchOutcome:
    """After a batch: what follows the accounts that changed hands (`worker.jobs.follow`)."""
    if ctx.warm is not None and not outcome.paused_until:
        outcome.followed = follow_handovers(ctx, ctx.warm, task_key)
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


def _warm(
    ctx: CrmContext, full_read: CrmSnapshot | None = None, *, refresh: bool = True
) -> WarmSession:
    """The session kept between batches, current. It is built on first use and again when a
    new policy version is published (or, for a policy never published, the file changes) and
    that version loads; one that does not is refused and the session routes on
    (`worker.jobs.policy.source`). A CRM without a change feed (CSV) is read whole each batch, which
    costs nothing when its files did not change, and only the differences are applied. A CRM
    with a feed is read whole once per sweep interval (its API budget), and polls, events and
    re-reads apply the records they read in between. An event never waits for a full read
    (`refresh=False`): it re-reads its own records."""
    source = current_source(ctx.store.engine, ctx.policy_path)
    if ctx.warm is not None and ctx.warm.version != source.version and _accepts(ctx, source):
        log.info("policy changed: session rebuilt", policy=source.label)
        ctx.warm, full_read = None, None  # it may read new fields: read them, and the CRM again
    elif ctx.warm is not None and ctx.refused and ctx.warm.version == source.version:
        ctx.refused = None  # the file is back to the version that routes
        ctx.board.note_policy(ctx.key, ctx.warm.label or source.label, None)
    if ctx.warm is None:
        return _open_warm(ctx, source, full_read)
    if full_read is None and refresh and _full_read_due(ctx):
        full_read = _read_all(ctx)
    if full_read is not None:
        _mark_full_read(ctx)
        ctx.warm.replace_all(full_read)
    return ctx.warm


def _read_all(ctx: CrmContext) -> CrmSnapshot:
    started = datetime.now(UTC)
    snapshot = ctx.connector.snapshot()
    ctx.context_since = started
    return snapshot


def _mark_full_read(ctx: CrmContext) -> None:
    ctx.full_read_at = ctx.context_read_at = time.monotonic()
    ctx.context_since = ctx.context_since or datetime.now(UTC)


def _open_warm(ctx: CrmContext, source: PolicySource, full_read: CrmSnapshot | None) -> WarmSession:
    """A new session on `source`; if it does not load, on the version that loaded last here."""
    earlier = last_loaded(ctx.settings.home, source.name)
    candidates = [source] + ([earlier] if earlier and earlier.version != source.version else [])
    refused: PolicyError | None = None
    for candidate in candidates:
        try:
            return _open_with(ctx, candidate, full_read)
        except PolicyError as error:
            refused = refused or error
            _refuse(ctx, candidate, error, instead=earlier if candidate is source else None)
            full_read = None  # the next candidate may read other fields
    assert refused is not None
    ctx.board.note_poll(
        ctx.key, {"skipped": f"not routed: no version of the policy loads: {refused}"}
    )
    raise refused


def _open_with(ctx: CrmContext, source: PolicySource, full_read: CrmSnapshot | None) -> WarmSession:
    home = ctx.settings.home
    with as_origin(source):
        path = copy_of(source, home)
        read_policy_fields(ctx.connector, path)
        full_read = full_read or _read_all(ctx)
        _mark_full_read(ctx)
        warm = WarmSession.open(full_read, path, home, version=source.version, label=source.label)
    ctx.warm = warm
    remember_loaded(home, source)
    if ctx.refused and ctx.refused["version"] in (source.version, None):
        ctx.refused = None
    ctx.board.note_policy(ctx.key, source.label, ctx.refused)
    _keep_out_of_gc()
    return warm


def _accepts(ctx: CrmContext, source: PolicySource) -> bool:
    """Whether a new version loads against the CRM as the session holds it: its fields are
    readable and it compiles. Refused once per version, then left alone until the next one."""
    assert ctx.warm is not None
    if ctx.refused and ctx.refused["version"] == source.version:
        return False
    try:
        with as_origin(source):
            path = copy_of(source, ctx.settings.home)
            read_policy_fields(ctx.connector, path)
            load_policy(path, ctx.warm.live.snapshot())
    except PolicyError as error:
        read_policy_fields(ctx.connector, ctx.warm.policy_path)  # what the session reads
        _refuse(ctx, source, error)
        return False
    ctx.refused = None
    return True


def _refuse(
    ctx: CrmContext, source: PolicySource, error: PolicyError, instead: PolicySource | None = None
) -> None:
    """Noted once per version; `instead`: what a process that has no session yet tries next."""
    if ctx.refused and ctx.refused["version"] == source.version:
        return
    ctx.refused = {
        "version": source.version,
        "label": source.label,
        "origin": source.origin,
        "why": str(error),
        "at": datetime.now(UTC).isoformat(),
    }
    routing = (ctx.warm.label if ctx.warm else instead.label if instead else None) or "nothing"
    log.error("policy_refused", policy=source.label, origin=source.origin, routing=routing,
              problems=str(error))  # fmt: skip
    ctx.board.note_policy(ctx.key, routing, ctx.refused)


def _keep_out_of_gc() -> None:
    """A session over a million accounts is tens of millions of objects: every full collection
    would walk them all (seconds, in the middle of a batch). They live as long as the process
    and hold no cycles worth collecting, so the collector is told to leave them be."""
    gc.collect()
    gc.freeze()


def _full_read_due(ctx: CrmContext) -> bool:
    if not isinstance(ctx.connector, ChangeFeed):
        return True
    return time.monotonic() - ctx.full_read_at > ctx.settings.sweep_seconds


def _route(
    ctx: CrmContext,
    task_key: str,
    wanted: Sequence[str] | None,
    *,
    read: bool = True,
    event: bool = False,
) -> BatchOutcome:
    """`wanted` None: every routable record; else those records. An event's records are
    locked and re-read whatever the session holds (it may not know them yet); the others are
    locked and re-read only if the session holds them routable."""
    warm = _warm(ctx, refresh=not event) if read else ctx.warm
    assert warm is not None
    if event:  # a process that only routes events keeps what decisions read current too
        refresh_context(ctx, warm, at_most_every=ctx.settings.poll_seconds)
    first = warm.session(ctx.state, ctx.clock)
    outcome = BatchOutcome(rebuilt=_ensure_state(ctx, first))
    parked = {letter.record_id for letter in ctx.store.open_dead_letters(ctx.key)}
    if event:
        candidates = [i for i in wanted or () if i not in parked]
    else:
        routable = _routable(first, wanted, warm.live)
        candidates = [lead.id for lead in routable if lead.id not in parked]
    # a parked record's owner is decided; `leadrelay retry` writes it
    if not candidates:
        return outcome
    tokens = ctx.state.lock_records(ctx.key, candidates, LEASE_S)
    outcome.skipped_locked = len(candidates) - len(tokens)  # another worker is routing those
    with leased(ctx.state, ctx.key, tokens):
        locked = [record_id for record_id in candidates if record_id in tokens]
        batch = _still_routable(ctx, warm, locked, event=event)
        session = warm.session(ctx.state, ctx.clock)
        results = _route_and_write(ctx, session, batch, task_key, outcome)
        _remember_owners(ctx, warm, batch, results, outcome.owners)
    return outcome


def _routable(session: RoutingSession, wanted: Sequence[str] | None, held: LiveCrm) -> list[Lead]:
    """Of every record the policy routes (`wanted` None) or of these, the routable ones."""
    router = session.router
    leads: Iterable[Lead] = held.routed()
    if wanted is not None:
        found = (held.routed_record(record_id) for record_id in dict.fromkeys(wanted))
        leads = [lead for lead in found if lead is not None]
    return sorted((lead for lead in leads if _routable_or_broken(router, lead)), key=routing_order)


def _routable_or_broken(router: Router, lead: Lead) -> bool:
    """A record whose fields cannot even be read is routed (to the fallback, by `_decide`) when
    a routable owner holds it, rather than left waiting unseen or sinking its batch."""
    try:
        return router.is_routable(lead)
    except Exception:  # noqa: BLE001 — one record must not sink the batch
        log.exception("cannot tell whether the record is routable", record_id=lead.id)
        return lead.owner_id in router.policy.routable_owner_ids


def _still_routable(
    ctx: CrmContext, warm: WarmSession, locked: Sequence[str], *, event: bool
) -> list[Lead]:
    """The locked records as the CRM has them now (another worker may have written an owner
    since they were read; a feed's search may lag), laid over the session; those routable and
    not holding the owner LeadRelay last wrote, oldest first. For an event, the accounts the
    records match are re-read too, so the decision sees them as they are now."""
    if not locked:
        return []
    current = reread_leads(ctx, warm, locked)
    if event:
        reread_matched_accounts(ctx, warm, current)
    router = warm.session(ctx.state, ctx.clock).router
    routable = [lead for lead in current if _routable_or_broken(router, lead)]
    if event:
        say_why_not_routed(ctx, locked, current, routable)
    return sorted(not_our_own_echo(ctx, routable), key=routing_order)


def _route_and_write(
    ctx: CrmContext,
    session: RoutingSession,
    batch: Sequence[Lead],
    task_key: str,
    outcome: BatchOutcome,
) -> list[WriteResult]:
    decisions = route_unheld(ctx, session, batch, lambda lead: _stamped(session, lead))
    outcome.routed = len(decisions)
    if not decisions:
        return []
    confirm_leases()  # still ours: nobody else routes these records
    dry_run = ctx.settings.dry_run
    ctx.store.record_decisions(ctx.key, decisions, key=task_key, dry_run=dry_run)
    changes = [d.owner_change() for d in decisions if d.owner_id != d.previous_owner_id]
    changes = _writable(session, changes)
    written = write_owners(ctx.connector, changes, dry_run=dry_run)
    _settle(ctx, task_key, changes, written, outcome)
    start_worker_clocks(ctx, session.policy, session.snapshot.users, decisions, written.results)
    routed = Routed(session.policy, session.snapshot, decisions, written.results, task_key)
    ctx.hooks.after_routing(ctx, routed)
    outcome.owners = {d.record_id: d.owner_id for d in decisions}
    for decision in decisions:
        log.info(
            "routed",
            record_id=decision.record_id,
            owner_id=decision.owner_id,
            rule=decision.rule,
            reason=decision.reason,
        )
    return written.results


def _remember_owners(
    ctx: CrmContext,
    warm: WarmSession,
    batch: Sequence[Lead],
    results: Sequence[WriteResult],
    owners: Mapping[str, str],
) -> None:
    """The owners just written, laid over the session until the CRM's next read of them: the
    next batch's loads and candidates see them without reading the records again."""
    if ctx.settings.dry_run:
        return
    ok = {result.record_id for result in results if result.ok}
    warm.apply(
        dataclasses.replace(lead, owner_id=owners[lead.id], fields=_with_owner(lead, owners))
        for lead in batch
        if lead.id in ok and lead.id in owners
    )


def _with_owner(lead: Lead, owners: Mapping[str, str]) -> dict[str, FieldValue]:
    return {**lead.fields, "OwnerId": owners[lead.id]}


def _writable(session: RoutingSession, changes: list[OwnerChange]) -> list[OwnerChange]:
    """The changes the policy may write; a refused one is left untouched and logged."""
    allowed, refused = OwnerRule.of(session.policy.objects, session.snapshot).split(changes)
    for change, why in refused:
        log.error("owner write refused", record_id=change.record_id, why=why)
    return allowed


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


def _stamped(session: RoutingSession, lead: Lead) -> Decision | None:
    """The decision, naming the policy version that made it."""
    decision = _decide(session, lead)
    if decision is None:
        return None
    return dataclasses.replace(decision, policy_version=session.policy_version)


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
        tallies = recorded_tallies(ctx.store, ctx.key, session.policy, datetime.now(UTC))
        ctx.state.rebuild(loads, cursors, take_back_s=TAKE_BACK_S, tallies=tallies)
        log.info("state rebuilt", users=len(loads), pools=len(cursors))
        return True
