"""The routing insights that hang on other jobs (`InsightsHooks`, handed to them by
`worker.bootstrap` as their `Hooks`): after a routed batch, release its held records and tell
the new owners; after an SLA tick, tell reassigned records' owners; after a backfill, tell
the owners of what moved.

Each hook is a guest (`guest`): whatever fails inside one is logged and swallowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from config.policy import load_policy
from connectors.base import WriteResult
from routing.model import CrmSnapshot, Decision, Rep
from routing.policy import (
    BACKFILL,
    REASSIGNED,
    ROUTED,
    Assignment,
    RoutingPolicy,
    assignment_values,
)
from routing.sla import start_clock
from worker.jobs.context import (
    BackfillMoved,
    Clock,
    CrmContext,
    Routed,
    SlaChecked,
    guest,
    utc_now,
)
from worker.jobs.holds import RedisHolds, settle_releases
from worker.jobs.notifications import Channels, queue_assignments
from worker.store.insights import InsightsStore
from worker.store.records import WRITTEN, Store, moves

__all__ = ["InsightsHooks", "decision_assignments"]


@dataclass
class InsightsHooks:
    store: Store
    channels: Callable[[], Channels] = Channels.from_env  # read when used: settings may change
    clock: Clock = field(default=utc_now)

    @property
    def _insights(self) -> InsightsStore:
        return InsightsStore(self.store.engine)

    def after_routing(self, ctx: CrmContext, routed: Routed) -> None:
        """Once a batch is written and recorded: release its held records, tell the owners."""
        now = self.clock()
        with guest("hold release", crm=ctx.key):
            holds = RedisHolds(ctx.redis, ctx.state.namespace)
            settle_releases(self._insights, holds, ctx.key, routed.decisions, now)
        if ctx.settings.dry_run:
            return
        with guest("assignment notifications", crm=ctx.key):
            assignments = decision_assignments(
                routed.decisions, routed.results, routed.policy, routed.snapshot, now
            )
            self._queue(ctx.key, routed.policy, routed.snapshot, assignments, f"route/{routed.key}")

    def after_sla_check(self, checked: SlaChecked) -> None:
        """Reassigned records are told to their new owners."""
        users = checked.snapshot.users
        with guest("reassignment notifications", crm=checked.crm):
            moved = [
                e
                for e in checked.escalations
                if e.changes_owner
                and e.record_id not in checked.write_errors
                and e.to_owner_id in users
            ]
            fields = _fields_of(checked.snapshot, {e.record_id for e in moved})
            assignments = [
                _assignment(
                    REASSIGNED,
                    e.record_id,
                    e.object,
                    users[e.to_owner_id],
                    e.why[:1].upper() + e.why[1:] + ("" if e.why.endswith(".") else "."),
                    e.next_clock.due_at if e.next_clock else None,
                    fields.get(e.record_id),
                )
                for e in moved
            ]
            key = f"sla/{checked.at:%Y%m%dT%H%M%S.%f}"
            self._queue(checked.crm, checked.policy, checked.snapshot, assignments, key, checked.at)

    def after_backfill(self, moved: BackfillMoved) -> int:
        """The run's written moves are told to their new owners (once, even across a resume)."""
        with guest("backfill notifications", crm=moved.crm):
            policy = load_policy(moved.policy_path, moved.snapshot)
            if not policy.notifications.enabled:
                return 0
            rows = self._written_moves(moved.crm, moved.run_id)
            fields = _fields_of(moved.snapshot, {m["record_id"] for m in rows})
            users = moved.snapshot.users
            assignments = [
                _assignment(
                    BACKFILL,
                    m["record_id"],
                    m["object"],
                    users[m["to_owner_id"]],
                    m["reason"],
                    None,
                    fields.get(m["record_id"]),
                )
                for m in rows
                if m["to_owner_id"] in users
            ]
            key = f"backfill/{moved.run_id}"
            return self._queue(moved.crm, policy, moved.snapshot, assignments, key)
        return 0

    def _queue(
        self,
        crm: str,
        policy: RoutingPolicy,
        snapshot: CrmSnapshot,
        assignments: Sequence[Assignment],
        key: str,
        at: datetime | None = None,
    ) -> int:
        return queue_assignments(
            self._insights,
            crm,
            policy.notifications,
            snapshot.users,
            assignments,
            self.channels(),
            key=key,
            at=at or self.clock(),
        )

    def _written_moves(self, crm: str, run_id: str) -> list[dict[str, Any]]:
        query = sa.select(
            moves.c.record_id, moves.c.object, moves.c.to_owner_id, moves.c.reason
        ).where(moves.c.crm == crm, moves.c.run_id == run_id, moves.c.status == WRITTEN)
        with self.store.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]


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
