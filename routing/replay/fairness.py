"""Fairness you can show: each pool member's share of the pool's leads in a window, against
the share their weight and their hours on shift entitle them to.

A member's fair share is weight × time available, over the pool's total of the same: a rep
on shift 40 % of the window with weight 1, beside one on shift 80 % with weight 1, is due a
third. Availability is the rep's schedule (shifts in their own time zone, out of office,
holidays); with no schedule in the policy everyone counts as available all the time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from routing.model import Rep
from routing.policy import Pool, RoutingPolicy, Schedule, schedule_of


@dataclass(frozen=True, slots=True)
class MemberShare:
    pool: str
    user_id: str
    name: str
    weight: int
    leads: int
    share: float | None  # of the pool's leads in the window; None when it handed out none
    on_shift: float  # the fraction of the window they were available, 0–1
    fair_share: float | None  # weight × on shift, normalised over the pool; None: nobody was

    @property
    def ratio(self) -> float | None:
        """Share over fair share: 1 is exactly fair, 0.5 half what was due."""
        if self.share is None or not self.fair_share:
            return None
        return self.share / self.fair_share

    def describe(self) -> str:
        share = "no leads" if self.share is None else f"{self.share:.0%} of the pool's leads"
        due = "nobody was on shift" if self.fair_share is None else f"{self.fair_share:.0%}"
        return (
            f"{self.name} {share}; weighted share while on shift {due} "
            f"(weight {self.weight}, on shift {self.on_shift:.0%} of the hours)"
        )


def fair_shares(
    policy: RoutingPolicy,
    users: Mapping[str, Rep],
    leads: Mapping[str, Mapping[str, int]],
    start: datetime,
    end: datetime,
) -> list[MemberShare]:
    """Every member of every pool, in policy order. `leads`: pool → user → leads it gave them."""
    schedules: dict[str, Schedule] = {}
    rows: list[MemberShare] = []
    for pool in policy.pools.values():
        rows += _pool_shares(pool, policy, users, leads.get(pool.name, {}), schedules, start, end)
    return rows


def _pool_shares(
    pool: Pool,
    policy: RoutingPolicy,
    users: Mapping[str, Rep],
    given: Mapping[str, int],
    schedules: dict[str, Schedule],
    start: datetime,
    end: datetime,
) -> list[MemberShare]:
    span = max((end - start).total_seconds(), 1e-9)
    weights: dict[str, int] = {}
    for member in pool.members:
        weights[member.user_id] = weights.get(member.user_id, 0) + member.weight
    on_shift = {
        uid: _available(uid, policy, users, schedules, start, end) / span for uid in weights
    }
    due = {uid: weights[uid] * on_shift[uid] for uid in weights}
    total_due, total = sum(due.values()), sum(given.get(uid, 0) for uid in weights)
    return [
        MemberShare(
            pool.name,
            uid,
            users[uid].name if uid in users else uid,
            weights[uid],
            given.get(uid, 0),
            given.get(uid, 0) / total if total else None,
            on_shift[uid],
            due[uid] / total_due if total_due else None,
        )
        for uid in weights
    ]


def _available(
    user_id: str,
    policy: RoutingPolicy,
    users: Mapping[str, Rep],
    schedules: dict[str, Schedule],
    start: datetime,
    end: datetime,
) -> float:
    user = users.get(user_id)
    if user is None:
        return 0.0
    if not policy.availability.timed:
        return (end - start).total_seconds()
    schedule = schedules.get(user_id)
    if schedule is None:
        schedule = schedules[user_id] = schedule_of(user, policy.availability)
    return schedule.available_seconds(start.timestamp(), end.timestamp())
