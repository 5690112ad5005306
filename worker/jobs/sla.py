"""SLA jobs: start clocks for written decisions; check due clocks as of a moment, read first
touches from the CRM in batches, escalate, and record every outcome.

Fire-once: due clocks are claimed in Redis (moved out of sight for a lease) and then in the
store by a conditional UPDATE, so of two beats, or a task and its retry, one fires a clock.
A notification is at-least-once: a task killed between sending and recording sends again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.policy import load_policy, read_policy_file
from config.sla import first_touch_rule
from connectors.base import ChangeFeed, Connector, FirstTouchSource, Window, WriteResult
from routing.bulk import collector_paused
from routing.engine import DistributionState, MemoryState, Router, open_lead_loads
from routing.model import CrmSnapshot, Decision, Lead, OwnerChange, Rep
from routing.ownership import OwnerRule
from routing.policy import MANAGER, REASSIGN, FirstTouchRule, RoutingPolicy
from routing.sla import (
    BREACHED,
    PENDING,
    Clock,
    Escalation,
    RecordNow,
    Team,
    escalate,
    judge,
    start_clock,
)
from routing.world import World
from worker.jobs.context import NO_HOOKS, CrmContext, Hooks, SlaChecked
from worker.logging import get_logger
from worker.notify.senders import Message, Notifier, recipients
from worker.state.clocks import RedisClocks
from worker.state.counters import WorkerMetrics
from worker.store.sla import Claim, Closing, SlaStore

log = get_logger(__name__)

LEASE = timedelta(minutes=5)
DeadLetterSink = Callable[[str, OwnerChange, str], object]  # the main store's dead letters
BATCH = 5000  # clocks claimed, judged and closed together: one CRM read per batch


@dataclass
class SlaRun:
    """One CRM's clocks and what a check needs to act on them."""

    crm: str  # the store's key for the CRM
    connector: Connector
    policy_path: Path
    store: SlaStore
    index: RedisClocks | None = None
    notifier: Notifier | None = None
    state: DistributionState | None = None  # None: loads from the CRM, cursors from `cursors`
    cursors: Mapping[str, int] = field(default_factory=dict)
    dead_letter: DeadLetterSink | None = None
    hooks: Hooks = NO_HOOKS  # told of the escalations carried out
    counters: WorkerMetrics | None = None  # breaches counted for /metrics; None: not counted
    # who can take a breached record (users, queues, leads for loads and notices); None: a
    # snapshot of the CRM, read only by a tick that has a breach
    people: Callable[[], CrmSnapshot] | None = None


@dataclass
class CheckReport:
    at: datetime
    checked: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    escalations: list[Escalation] = field(default_factory=list)
    write_errors: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "checked": self.checked,
            "outcomes": self.outcomes,
            "escalations": len(self.escalations),
            "write_errors": len(self.write_errors),
        }


# --- starting --------------------------------------------------------------------------------


def start_clocks(
    run: SlaRun,
    policy: RoutingPolicy,
    users: Mapping[str, Rep],
    decisions: Iterable[Decision],
    writes: Iterable[WriteResult],
    at: datetime,
) -> list[Clock]:
    """A clock for each decision whose new owner was written (and that a target selects)."""
    if not policy.sla.enabled:
        return []
    written = {w.record_id for w in writes if w.ok}
    clocks = [
        clock
        for d in decisions
        if d.owner_id != d.previous_owner_id and d.record_id in written
        for clock in [start_clock(d, policy, users, at)]
        if clock is not None
    ]
    _keep(run, clocks, at)
    return clocks


def _keep(run: SlaRun, clocks: Sequence[Clock], at: datetime) -> None:
    if not clocks:
        return
    run.store.open_clocks(run.crm, clocks, at)
    if run.index is not None:
        run.index.add((c.key, c.due_at) for c in clocks)


# --- checking --------------------------------------------------------------------------------


def check_slas(
    run: SlaRun, at: datetime, *, dry_run: bool = False, from_store: bool = False
) -> CheckReport:
    """Judge every clock due by `at`; escalate the breached. A dry run decides only."""
    with collector_paused():  # a tick makes a claim and a verdict per clock, none of it cyclic
        return _check(run, at, dry_run=dry_run, from_store=from_store)


def _check(run: SlaRun, at: datetime, *, dry_run: bool, from_store: bool) -> CheckReport:
    """Reads from the CRM only what the due clocks need: nothing when none is due; their
    records by Id; and who can take a record (users, availability) only when one breached."""
    report = CheckReport(at)
    keys = _due_keys(run, at, dry_run=dry_run, from_store=from_store)
    if not keys:
        return report
    reads = _TickReads(run)
    rule = first_touch_rule(read_policy_file(run.policy_path).sla)
    breached: list[Clock] = []
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        claims = (
            run.store.peek(run.crm, chunk, at)
            if dry_run
            else run.store.claim(run.crm, chunk, at, LEASE)
        )
        if not dry_run and run.index is not None:
            claimed = {c.key for c in claims}
            run.index.done(k for k in chunk if k not in claimed)  # closed or held elsewhere
        breached += _check_batch(run, reads, claims, rule, report, dry_run)
    if not breached:
        _count_breaches(run, report, dry_run)
        return report
    escalating = _Escalating.read(run, reads, dry_run)
    escalations = [(clock, escalating.escalate(clock, at)) for clock in breached]
    escalations = OwnerRule.of(escalating.policy.objects, escalating.snapshot).escalations(
        escalations
    )
    # one owner write for the whole tick: a CRM write is a batch call (a CSV CRM a rewrite)
    _close(run, _carry_out(run, escalations, report, dry_run, escalating.team), [], dry_run)
    _count_breaches(run, report, dry_run)
    if not dry_run:
        checked = SlaChecked(
            run.crm,
            escalating.policy,
            escalating.snapshot,
            report.at,
            report.escalations,
            report.write_errors,
        )
        run.hooks.after_sla_check(checked)
    return report


class _TickReads:
    """The CRM reads of one tick, each made at most once."""

    def __init__(self, run: SlaRun) -> None:
        self.run = run
        self._snapshot: CrmSnapshot | None = None

    def snapshot(self) -> CrmSnapshot:
        if self._snapshot is None:
            self._snapshot = self.run.connector.snapshot()
        return self._snapshot

    def leads(self) -> Mapping[str, Lead]:
        """The CRM's leads, for a CRM that cannot read first touches by Id (the CSV CRM)."""
        if isinstance(self.run.connector, FirstTouchSource):
            return {}
        return {lead.id: lead for lead in self.snapshot().leads}

    def people(self) -> CrmSnapshot:
        return self.run.people() if self.run.people is not None else self.snapshot()


@dataclass
class _Escalating:
    """What the ladder needs, read once a tick has a breach: the compiled policy, the team
    with who is away, and the rotation (a dry run picks from a copy)."""

    policy: RoutingPolicy
    snapshot: CrmSnapshot
    team: Team
    state: DistributionState
    router: Router  # who is available: shifts and absences as of the breach

    @classmethod
    def read(cls, run: SlaRun, reads: _TickReads, dry_run: bool) -> _Escalating:
        snapshot = reads.people()
        policy = load_policy(run.policy_path, snapshot)
        # a dry run must not move the shared rotation: it picks from a copy
        state = (None if dry_run else run.state) or _resumed_state(snapshot, policy, run.cursors)
        router = Router(policy, World(replace(snapshot, leads=())), state)  # for who is away
        team = Team(snapshot.users, router.unavailable, policy.fallback_owner_id)
        return cls(policy, snapshot, team, state, router)

    def escalate(self, clock: Clock, at: datetime) -> Escalation:
        self.router.as_of(at)  # a reassignment goes to someone on shift then
        return escalate(clock, at, self.policy, self.team, self.state)


def _count_breaches(run: SlaRun, report: CheckReport, dry_run: bool) -> None:
    """Late first touches are breaches too, with nothing to escalate."""
    breaches = report.outcomes.get(BREACHED, 0)
    if dry_run or not breaches or run.counters is None:
        return
    run.counters.sla_breaches(run.crm, breaches)


def _due_keys(run: SlaRun, at: datetime, *, dry_run: bool, from_store: bool) -> list[str]:
    if dry_run or from_store or run.index is None:
        return run.store.due_keys(run.crm, at)
    if not run.index.is_built():
        run.index.rebuild(run.store.unclosed(run.crm))
        log.info("sla index rebuilt from the store", crm=run.crm, open=run.index.open_count())
    return run.index.claim_due(at, LEASE)


def _check_batch(
    run: SlaRun,
    reads: _TickReads,
    claims: Sequence[Claim],
    rule: FirstTouchRule,
    report: CheckReport,
    dry_run: bool,
) -> list[Clock]:
    """Judge a batch read from the CRM at once; close what needs no escalation now and
    return the breached clocks, which stay claimed until the tick carries them out."""
    if not claims:
        return []
    now = read_records(run.connector, reads.leads(), claims, rule.fields)
    closings: list[Closing] = []
    breached: list[str] = []
    pending: list[Claim] = []
    for claim in claims:
        verdict = judge(claim, now.get(claim.record_id), rule, report.at)
        report.checked += 1
        report.outcomes[verdict.outcome] = report.outcomes.get(verdict.outcome, 0) + 1
        if verdict.outcome == PENDING:
            pending.append(claim)
        elif verdict.escalates:
            breached.append(claim.key)
        else:
            closings.append(
                Closing(claim.key, verdict.outcome, report.at, verdict.touched_at, note=verdict.why)
            )
    _close(run, closings, pending, dry_run)
    clocks = run.store.load(run.crm, breached)
    return [clocks[key] for key in breached if key in clocks]


def _close(run: SlaRun, closings: list[Closing], pending: list[Claim], dry_run: bool) -> None:
    if dry_run:
        return
    run.store.close(run.crm, closings)
    run.store.release(run.crm, [c.key for c in pending])
    if run.index is not None:
        run.index.done(c.key for c in closings)
        run.index.add((c.key, c.due_at) for c in pending)


def _carry_out(
    run: SlaRun,
    escalations: Sequence[tuple[Clock, Escalation]],
    report: CheckReport,
    dry_run: bool,
    team: Team,
) -> list[Closing]:
    """Write the new owners in one batch, start the next clocks, notify, and say how each
    breached clock closed."""
    report.escalations += [e for _, e in escalations]
    changes = [
        OwnerChange(e.record_id, e.object, e.to_owner_id, e.from_owner_id)
        for _, e in escalations
        if e.changes_owner
    ]
    results = run.connector.write_owners(changes, dry_run=dry_run) if changes else []
    failed = {r.record_id: r.error or "the CRM refused the write" for r in results if not r.ok}
    report.write_errors.update(failed)
    if dry_run:
        return []
    _dead_letter(run, changes, failed)
    next_clocks = [
        e.next_clock for _, e in escalations if e.next_clock and e.record_id not in failed
    ]
    _keep(run, next_clocks, report.at)
    _notify(run, [e for _, e in escalations], team)
    return [
        Closing(
            clock.key,
            BREACHED,
            report.at,
            action=e.action,
            to_owner_id=e.to_owner_id,
            note=e.why
            + (f"; write failed: {failed[e.record_id]}" if e.record_id in failed else ""),
        )
        for clock, e in escalations
    ]


def _dead_letter(run: SlaRun, changes: Sequence[OwnerChange], failed: Mapping[str, str]) -> None:
    for change in changes:
        if change.record_id in failed:
            log.warning(
                "sla write failed", record_id=change.record_id, error=failed[change.record_id]
            )
            if run.dead_letter is not None:
                run.dead_letter(run.crm, change, failed[change.record_id])


def _notify(run: SlaRun, escalations: Sequence[Escalation], team: Team) -> None:
    if run.notifier is None or not run.notifier.enabled:
        return
    for escalation in escalations:
        if escalation.notify_ids:
            run.notifier.send(breach_message(escalation, team))


def breach_message(escalation: Escalation, team: Team) -> Message:
    owner = team.name(escalation.from_owner_id)
    what = {
        REASSIGN: f"reassigned to {team.name(escalation.to_owner_id)}",
        MANAGER: f"assigned to {team.name(escalation.to_owner_id)}",
    }.get(escalation.action, f"kept by {owner}")
    text = (
        f"{owner} did not touch {escalation.object} {escalation.record_id} in time "
        f"(breach {escalation.breaches}). It was {what}. Why: {escalation.why}."
    )
    emails = [u.email for u in (team.users.get(i) for i in escalation.notify_ids) if u]
    return Message(
        f"SLA breach: {escalation.object} {escalation.record_id}", text, recipients(emails)
    )


# --- reading the CRM ------------------------------------------------------------------------


FIRST_TOUCH_BATCH = 1000


def read_records(
    connector: Connector,
    leads: Mapping[str, Lead],
    clocks: Sequence[Claim],
    fields: Sequence[str] = (),
) -> dict[str, RecordNow]:
    """What the CRM says now about each clocked record, by Id in batches: the connector's
    first touches (with the policy's first-touch `fields`) where it has them, else the
    snapshot's leads (the CSV CRM)."""
    if not isinstance(connector, FirstTouchSource):
        return {
            lead.id: RecordNow(
                lead.id, lead.owner_id, lead.status, None, lead.fields, lead.is_converted
            )
            for lead in (leads.get(c.record_id) for c in clocks)
            if lead is not None
        }
    found: dict[str, RecordNow] = {}
    for object_name, ids in _ids_by_object(clocks).items():
        for start in range(0, len(ids), FIRST_TOUCH_BATCH):
            for touch in connector.first_touches(
                object_name, ids[start : start + FIRST_TOUCH_BATCH], fields
            ):
                found[touch.record_id] = RecordNow(
                    touch.record_id,
                    touch.owner_id,
                    touch.status,
                    touch.touched_at,
                    touch.fields,
                    touch.is_converted,
                )
    return found


def _ids_by_object(clocks: Sequence[Claim]) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for clock in clocks:
        ids.setdefault(clock.object, []).append(clock.record_id)
    return ids


class _ResumedState(MemoryState):
    """Loads as the CRM has them, rotations where the store left them (the CLI)."""

    def __init__(self, loads: Mapping[str, int], cursors: Mapping[str, int]) -> None:
        super().__init__(loads)
        self._cursors.update(cursors)


def _resumed_state(
    snapshot: CrmSnapshot, policy: RoutingPolicy, cursors: Mapping[str, int]
) -> DistributionState:
    return _ResumedState(open_lead_loads(snapshot, policy), cursors)


# --- the worker ------------------------------------------------------------------------------


def worker_run(ctx: CrmContext) -> SlaRun:
    """The SLA side of one CRM in a worker: its Redis due-index, the shared rotation state,
    the store's dead letters, the process's notifier and the hooks bootstrap handed in."""
    return SlaRun(
        crm=ctx.key,
        connector=ctx.connector,
        policy_path=ctx.routed_policy_path,
        store=SlaStore(ctx.store.engine),
        index=RedisClocks(ctx.redis, ctx.state.namespace),
        notifier=ctx.notifier,
        state=ctx.state,
        dead_letter=ctx.store.dead_letter,
        people=lambda: people_now(ctx.connector, ctx.snapshot),
        hooks=ctx.hooks,
        counters=WorkerMetrics(ctx.redis),
    )


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def people_now(connector: Connector, known: CrmSnapshot | None) -> CrmSnapshot:
    """`known` (the worker's copy of the CRM: laid over by every poll, re-read every sweep)
    with its users read afresh by one change query over every user, so a breach goes to who
    is available now for one read, not a snapshot. Without a copy (a process that has not
    polled yet) or a change feed, the snapshot."""
    if known is None or not isinstance(connector, ChangeFeed):
        return connector.snapshot()
    users = {
        rep.id: rep
        for page in connector.changes("User", Window(EPOCH, _now()))
        for rep in page.records
        if isinstance(rep, Rep)
    }
    return replace(known, users=users or known.users)


def start_worker_clocks(
    ctx: CrmContext,
    policy: RoutingPolicy,
    users: Mapping[str, Rep],
    decisions: Sequence[Decision],
    writes: Sequence[WriteResult],
) -> int:
    """Called once a batch's owners are written (not in a dry run: nothing was written)."""
    if ctx.settings.dry_run or not policy.sla.enabled:
        return 0
    return len(start_clocks(worker_run(ctx), policy, users, decisions, writes, ctx.clock()))


def check_crm_slas(ctx: CrmContext, *, from_store: bool = False) -> dict[str, object]:
    """Beat's every-minute tick (and, with `from_store`, the sweep's safety net, which also
    finds clocks whose Redis entry was lost)."""
    report = check_slas(
        worker_run(ctx), ctx.clock(), dry_run=ctx.settings.dry_run, from_store=from_store
    )
    return report.to_json()


def _now() -> datetime:
    return datetime.now(UTC)
