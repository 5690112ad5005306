"""The enrichment hold in the worker: which records of a batch wait, kept in the store (the
record: since/until survive a restart) and mirrored in Redis (a count and a due index).

A held record stays routable in the CRM, so every sweep sees it again; the beat's release
tick routes those whose timeout has passed even when nothing about them changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import redis

from routing.model import Decision, Lead
from routing.policy import HoldPolicy, HoldVerdict, judge_hold
from worker.jobs.context import CrmContext, guest
from worker.jobs.session import RoutingSession
from worker.state.counters import WorkerMetrics
from worker.store.approvals import ApprovalsStore, held_for_approval
from worker.store.insights import InsightsStore

GONE = "gone"  # released because the record stopped being routable (taken by hand, deleted)
TRACE_KEY = "hold"


class RedisHolds:
    """Held records by release time, per CRM namespace: what `leadrelay status` and the
    metrics count without a query. Not the record: the store is."""

    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self._redis = client
        self._key = f"leadrelay:{{{namespace}}}:held"

    def add(self, held: Iterable[tuple[str, datetime]]) -> None:
        scores = {record_id: until.timestamp() for record_id, until in held}
        if scores:
            self._redis.zadd(self._key, scores)

    def remove(self, record_ids: Iterable[str]) -> None:
        ids = list(record_ids)
        if ids:
            self._redis.zrem(self._key, *ids)

    def count(self) -> int:
        return int(self._redis.zcard(self._key))


def hold_back(
    store: InsightsStore,
    index: RedisHolds | None,
    crm: str,
    policy: HoldPolicy,
    batch: Sequence[Lead],
    now: datetime,
) -> tuple[list[Lead], dict[str, HoldVerdict]]:
    """The records to route now, and the verdicts of those released from a hold."""
    if not policy.enabled:
        return list(batch), {}
    subject = {lead.id for lead in batch if policy.rule_for(lead) is not None}
    since = store.held_since(crm, sorted(subject))
    to_route: list[Lead] = []
    released: dict[str, HoldVerdict] = {}
    held: list[tuple[str, str, HoldVerdict]] = []
    for lead in batch:
        if lead.id not in subject:
            to_route.append(lead)
            continue
        verdict = judge_hold(policy, lead, since.get(lead.id, now), now)
        if verdict.held:
            held.append((lead.id, lead.object, verdict))
            continue
        to_route.append(lead)
        if lead.id in since:
            released[lead.id] = verdict
    store.hold(crm, held)
    if index is not None:
        index.add((record_id, v.until) for record_id, _, v in held if v.until)
    return to_route, released


def with_hold_trace(decision: Decision, verdict: HoldVerdict | None) -> Decision:
    if verdict is None:
        return decision
    return replace(decision, trace={**decision.trace, TRACE_KEY: verdict.to_json()})


def settle_releases(
    store: InsightsStore,
    index: RedisHolds | None,
    crm: str,
    decisions: Sequence[Decision],
    now: datetime,
) -> int:
    """Once their decisions are recorded, released records leave the held list."""
    released = {
        d.record_id: str(d.trace[TRACE_KEY]["outcome"])
        for d in decisions
        if isinstance(d.trace.get(TRACE_KEY), Mapping)
    }
    return release(store, index, crm, released, now)


def release(
    store: InsightsStore,
    index: RedisHolds | None,
    crm: str,
    released: Mapping[str, str],
    now: datetime,
) -> int:
    if not released:
        return 0
    count = store.release(crm, released, now)
    if index is not None:
        index.remove(released)
    return count


def route_unheld(
    ctx: CrmContext,
    session: RoutingSession,
    batch: Sequence[Lead],
    decide: Callable[[Lead], Decision | None],
) -> list[Decision]:
    """Hold what the policy holds; decide the rest, each timed for the latency histogram;
    keep back what best fit holds for approval."""
    to_route: Sequence[Lead] = batch
    released: dict[str, HoldVerdict] = {}
    with guest("hold", crm=ctx.key):
        to_route, released = hold_back(
            InsightsStore(ctx.store.engine),
            RedisHolds(ctx.redis, ctx.state.namespace),
            ctx.key,
            session.policy.hold,
            batch,
            ctx.clock(),
        )
    decisions, latencies = [], []
    for lead in to_route:
        started = time.perf_counter()
        decision = decide(lead)
        latencies.append(time.perf_counter() - started)
        if decision is not None:  # None: left for the next poll
            decisions.append(with_hold_trace(decision, released.get(lead.id)))
    decisions = _hold_for_approval(ctx, decisions)
    with guest("metrics", crm=ctx.key):
        WorkerMetrics(ctx.redis).routed(ctx.key, decisions, latencies)
    return decisions


def _hold_for_approval(ctx: CrmContext, decisions: list[Decision]) -> list[Decision]:
    """Decisions best fit holds for approval are recorded as pending, and neither recorded
    as decisions nor written: the record stays routable until a person decides."""
    held = [d for d in decisions if held_for_approval(d) is not None]
    if not held:
        return decisions
    with guest("approval hold", crm=ctx.key):
        ApprovalsStore(ctx.store.engine).hold(ctx.key, held, ctx.clock())
    return [d for d in decisions if held_for_approval(d) is None]
