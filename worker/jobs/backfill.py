"""The backfill job: read the CRM, plan the moves, write them in chunks, resumably.

A real run saves its plan under LEADRELAY_HOME/backfill/ before the first write and advances a
checkpoint after every chunk. Run again after a crash, it takes the saved plan and goes on from
the checkpoint; every move is checked against the owner the CRM holds now, so a chunk that was
written just before the crash is not written twice, and a record someone changed meanwhile is
left alone. A spent API budget stops the run cleanly with the checkpoint kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from config.errors import PolicyError, PolicyProblem
from config.policy import load_policy, read_policy_file
from connectors.base import Connector, QuotaExhausted, QuotaExhaustedDuringWrite, WriteResult
from routing.engine import open_lead_loads
from routing.model import CrmSnapshot, Lead, OwnerChange
from routing.ownership import OwnerRule, object_fix, object_refusal
from routing.policy import RoutingPolicy
from routing.replay import (
    BackfillPlan,
    BackfillPlanner,
    Guards,
    Held,
    LedgerState,
    Move,
    followers,
    iter_chunks,
    records_in_scope,
)
from routing.world import World
from worker.jobs.context import NO_HOOKS, BackfillMoved, Hooks
from worker.jobs.policy.fields import read_policy_fields
from worker.jobs.session import build_matcher, check_writable
from worker.store.records import Store

log = structlog.get_logger(__name__)

Progress = Callable[[int, int], None]  # (moves done, moves planned)


@dataclass(frozen=True, slots=True)
class BackfillRequest:
    crm: str
    policy_path: Path
    scope: str
    guards: Guards
    object: str = "Lead"
    dry_run: bool = False
    chunk_size: int | None = None  # None: what suits the connector
    fresh: bool = False  # ignore a saved checkpoint


@dataclass
class BackfillReport:
    plan: BackfillPlan
    dry_run: bool
    run_id: str
    resumed_at: int | None = None  # moves already done by the run this one resumed
    written: int = 0
    already_done: int = 0  # the CRM already had the new owner (written before a crash)
    changed_meanwhile: list[Move] = field(default_factory=list)
    failed: list[tuple[Move, WriteResult]] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (the API budget)
    resume_at: datetime | None = None

    @property
    def complete(self) -> bool:
        return self.stopped is None and not self.plan.over_limit


def run_backfill(
    connector: Connector,
    request: BackfillRequest,
    *,
    home: Path,
    store: Store | None = None,
    on_progress: Progress | None = None,
    hooks: Hooks = NO_HOOKS,
) -> BackfillReport:
    refuse_unrouted_object(request)
    if not request.dry_run:
        check_writable(connector)  # the bundled sample: refused before anything is read
    read_policy_fields(connector, request.policy_path)
    snapshot = connector.snapshot()
    checkpoint = Checkpoint(home / "backfill" / run_key(request))
    if request.fresh:
        checkpoint.clear()
    saved = None if request.dry_run else checkpoint.load()
    if saved is not None:
        plan, done, run_id = saved
        report = BackfillReport(plan, False, run_id, resumed_at=done)
        log.info("backfill_resumed", crm=request.crm, done=done, planned=len(plan.moves))
    else:
        plan, done = plan_backfill(snapshot, request), 0
        run_id = f"{checkpoint.folder.name}-{request.guards.now:%Y%m%dT%H%M%S}"
        report = BackfillReport(plan, request.dry_run, run_id)
        if request.dry_run or plan.over_limit or not plan.moves:
            return report
        checkpoint.save(plan, run_id)
    _write_moves(connector, snapshot, request, report, checkpoint, done, store, on_progress)
    if store is not None:
        hooks.after_backfill(BackfillMoved(request.crm, request.policy_path, snapshot, run_id))
    if report.stopped is None:
        checkpoint.clear()
    return report


def refuse_unrouted_object(request: BackfillRequest) -> None:
    """Before anything is read or written: a policy moves only the objects it routes."""
    spec = read_policy_file(request.policy_path)
    why = object_refusal(spec.objects, request.object)
    if why is not None:
        path = "objects" if "objects" in spec.model_fields_set else ""
        problem = PolicyProblem(
            path, f"--object {request.object}: {why}", object_fix(request.object)
        )
        raise PolicyError(str(request.policy_path), [problem])


def plan_backfill(snapshot: CrmSnapshot, request: BackfillRequest) -> BackfillPlan:
    policy = load_policy(request.policy_path, snapshot, as_they_arrive=False)
    state = LedgerState(open_lead_loads(snapshot, policy))
    matcher = build_matcher(snapshot, policy) if request.object == "Lead" else None
    planner = BackfillPlanner(
        policy, World(snapshot), state, matcher, request.scope, request.guards
    )
    plan = planner.plan(records_in_scope(snapshot, policy, request.object))
    if request.object == "Account" and policy.account_change is not None:
        plan.moves += followers(snapshot, policy, plan.moves, _account_of(snapshot, policy))
    return _hold_unwritable(plan, OwnerRule.of(policy.objects, snapshot))


def _account_of(snapshot: CrmSnapshot, policy: RoutingPolicy) -> Callable[[Lead], str | None]:
    """Leads follow their account only if the policy says so: the matcher is built then."""
    if policy.account_change is None or "leads" not in policy.account_change.follow:
        return lambda _lead: None
    matcher = build_matcher(snapshot, policy)
    return lambda lead: matcher.match(lead).account_id


def _hold_unwritable(plan: BackfillPlan, rule: OwnerRule) -> BackfillPlan:
    """A move to an owner the CRM does not let own the record is held, and reported."""
    moves = []
    for move in plan.moves:
        why = rule.refusal(move.object, move.to_owner_id)
        if why is None:
            moves.append(move)
        else:
            log.warning("backfill_move_refused", record_id=move.record_id, why=why)
            plan.held.append(Held(move.record_id, move.from_owner_id, move.reason, why))
    plan.moves = moves
    return plan


def _write_moves(
    connector: Connector,
    snapshot: CrmSnapshot,
    request: BackfillRequest,
    report: BackfillReport,
    checkpoint: Checkpoint,
    done: int,
    store: Store | None,
    on_progress: Progress | None,
) -> None:
    moves = report.plan.moves
    objects = {request.object, *(m.object for m in moves)}
    owners = {obj: current_owners(snapshot, obj) for obj in objects}
    size = request.chunk_size or default_chunk_size(connector.name, len(moves))
    if on_progress:
        on_progress(done, len(moves))
    for offset, chunk in iter_chunks(moves, size, done):
        to_write = _sort_chunk(chunk, owners, report)
        try:
            results = _write(connector, to_write)
        except QuotaExhausted as exc:
            partial = exc.results if isinstance(exc, QuotaExhaustedDuringWrite) else []
            _settle(report, store, request.crm, to_write[: len(partial)], partial)
            report.stopped, report.resume_at = str(exc), exc.resume_at
            log.warning("backfill_stopped", crm=request.crm, why=str(exc), done=offset)
            return
        _settle(report, store, request.crm, to_write, results)
        checkpoint.advance(offset + len(chunk))
        if on_progress:
            on_progress(offset + len(chunk), len(moves))


def _sort_chunk(
    chunk: Sequence[Move], owners: Mapping[str, dict[str, str | None]], report: BackfillReport
) -> list[Move]:
    """The moves still to make: not those the CRM already shows, nor those changed by hand.
    `owners`: by object (an account's contacts and leads follow it in the same run)."""
    to_write = []
    for move in chunk:
        now = owners[move.object].get(move.record_id, move.from_owner_id)
        if now == move.to_owner_id:
            report.already_done += 1
        elif now != move.from_owner_id:
            report.changed_meanwhile.append(move)
        else:
            to_write.append(move)
    return to_write


def _write(connector: Connector, moves: Sequence[Move]) -> list[WriteResult]:
    if not moves:
        return []
    changes = [OwnerChange(m.record_id, m.object, m.to_owner_id, m.from_owner_id) for m in moves]
    return connector.write_owners(changes)


def _settle(
    report: BackfillReport,
    store: Store | None,
    crm: str,
    moves: Sequence[Move],
    results: Sequence[WriteResult],
) -> None:
    for move, result in zip(moves, results, strict=True):
        if result.ok:
            report.written += 1
        else:
            report.failed.append((move, result))
    if store is not None and moves:
        store.record_moves(crm, report.run_id, moves, results)
        changes = [
            OwnerChange(m.record_id, m.object, m.to_owner_id, m.from_owner_id) for m in moves
        ]
        store.dead_letter_failures(crm, changes, results)


def current_owners(snapshot: CrmSnapshot, object: str) -> dict[str, str | None]:
    if object == "Account":
        return {a.id: a.owner_id for a in snapshot.accounts.values()}
    if object == "Opportunity":
        return {o.id: o.owner_id for o in snapshot.opportunities}
    owners = {r.id: r.owner_id for r in snapshot.leads if r.object == object}
    if object == "Contact":
        owners.update({c.id: c.owner_id for c in snapshot.contacts if c.id not in owners})
    return owners


def default_chunk_size(connector_name: str, moves: int) -> int:
    """Salesforce: one Bulk API 2.0 job per 10,000; HubSpot: ten batch calls per chunk; the
    CSV CRM: one atomic rewrite of the file for the whole run."""
    if connector_name.startswith("salesforce"):
        return 10_000
    if connector_name.startswith("hubspot"):
        return 1_000
    return max(moves, 1)


def run_key(request: BackfillRequest) -> str:
    """Same CRM, object, scope and policy text: the same run, which a rerun resumes."""
    digest = hashlib.sha256()
    for part in (request.crm, request.object, request.scope):
        digest.update(part.encode() + b"\0")
    digest.update(request.policy_path.read_bytes())
    return digest.hexdigest()[:16]


class Checkpoint:
    """`plan.jsonl` (the moves, in order) and `progress.json` (how many are done)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def _plan(self) -> Path:
        return self.folder / "plan.jsonl"

    @property
    def _progress(self) -> Path:
        return self.folder / "progress.json"

    def save(self, plan: BackfillPlan, run_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(m.to_json(), ensure_ascii=False) + "\n" for m in plan.moves)
        _replace(self._plan, lines)
        self._write_progress({"run_id": run_id, "evaluated": plan.evaluated, "done": 0})

    def load(self) -> tuple[BackfillPlan, int, str] | None:
        if not self._progress.exists() or not self._plan.exists():
            return None
        progress = self._read_progress()
        with self._plan.open(encoding="utf-8") as handle:
            moves = [Move.from_json(json.loads(line)) for line in handle if line.strip()]
        plan = BackfillPlan(moves=moves, evaluated=int(progress["evaluated"]))
        return plan, int(progress["done"]), str(progress["run_id"])

    def advance(self, done: int) -> None:
        self._write_progress({**self._read_progress(), "done": done})

    def clear(self) -> None:
        for path in (self._progress, self._plan):
            path.unlink(missing_ok=True)
        if self.folder.exists() and not any(self.folder.iterdir()):
            self.folder.rmdir()

    def _read_progress(self) -> dict[str, Any]:
        progress: dict[str, Any] = json.loads(self._progress.read_text(encoding="utf-8"))
        return progress

    def _write_progress(self, progress: dict[str, Any]) -> None:
        _replace(self._progress, json.dumps(progress))


def _replace(path: Path, text: str) -> None:
    """Write-then-rename: a crash leaves the old file or the new one, never half of either."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
