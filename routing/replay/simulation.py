"""Simulation: replay the leads created in a window under a candidate policy and a baseline,
and say what changes.

Each side routes the window's leads in routing order with a distribution state of its own,
seeded as the live run was: the open-lead loads held at the window's start (leads created
before it). The routers see the CRM as it stood then, so a lead of the window is never its
own duplicate. Without a baseline policy the baseline is what happened: the current owners.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from routing.engine import FALLBACK_RULE, Matcher, MemoryState, Router, open_lead_loads
from routing.model import CrmSnapshot, Decision, Lead, Match
from routing.policy import RoutingPolicy
from routing.replay.fairness import MemberShare, fair_shares
from routing.world import World, routing_order

AS_OWNED = "as owned now"


@dataclass(frozen=True, slots=True)
class Outcome:
    owner_id: str | None
    rule: str
    pool: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Change:
    record_id: str
    object: str
    created_date: datetime | None
    before: Outcome
    after: Outcome


@dataclass(frozen=True, slots=True)
class PoolStats:
    name: str
    members: tuple[str, ...]  # available members only: the ones who can take leads
    routed: int  # leads of the window picked from this pool
    load: int  # open leads its active members hold at the window's end
    max_min_ratio: float | None  # None: someone holds none while another holds some
    overflows: int  # times the pool had nobody under its cap
    over_cap: tuple[str, ...]  # members above the cap at the end (ownership rules can do it)
    cap: int | None


@dataclass
class Side:
    name: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    loads: dict[str, int] = field(default_factory=dict)  # open leads per user at the end
    by_rule: Counter[str] = field(default_factory=Counter)
    pools: dict[str, PoolStats] = field(default_factory=dict)
    fallbacks: list[str] = field(default_factory=list)
    gini: float = 0.0  # over the available members of every pool
    shares: list[MemberShare] = field(default_factory=list)  # pool members' against fair

    @property
    def overflows(self) -> int:
        return sum(p.overflows for p in self.pools.values())


@dataclass
class SimulationReport:
    start: datetime
    end: datetime
    leads: int
    start_loads: dict[str, int]
    baseline: Side
    candidate: Side
    changes: list[Change]


@dataclass(frozen=True, slots=True)
class PolicySide:
    name: str
    policy: RoutingPolicy
    matcher: Matcher | None


def simulate(
    snapshot: CrmSnapshot,
    candidate: PolicySide,
    baseline: PolicySide | None,
    start: datetime,
    end: datetime,
) -> SimulationReport:
    if baseline is not None and baseline.matcher is candidate.matcher is not None:
        shared = _Remembering(candidate.matcher)
        candidate, baseline = replace(candidate, matcher=shared), replace(baseline, matcher=shared)
    window, before = split_window(snapshot.leads, start, end)
    objects = set(candidate.policy.objects) | set(baseline.policy.objects if baseline else ())
    window = [lead for lead in window if lead.object in objects]
    at_start = replace(snapshot, leads=tuple(before))
    seed = open_lead_loads(at_start, candidate.policy)
    world = World(at_start)
    after = _replay(candidate, world, seed, window)
    after.shares = _shares(candidate.policy, world, after, start, end)
    if baseline is not None:
        base = _replay(baseline, world, seed, window)
        base.shares = _shares(baseline.policy, world, base, start, end)
    else:
        base = _as_owned(candidate.policy, world, seed, window)
    changes = [
        Change(
            lead.id, lead.object, lead.created_date, base.outcomes[lead.id], after.outcomes[lead.id]
        )
        for lead in window
        if base.outcomes[lead.id].owner_id != after.outcomes[lead.id].owner_id
    ]
    return SimulationReport(start, end, len(window), seed, base, after, changes)


def split_window(
    leads: Iterable[Lead], start: datetime, end: datetime
) -> tuple[list[Lead], list[Lead]]:
    """(created in [start, end), in routing order; created before start)."""
    inside, before = [], []
    for lead in leads:
        created = lead.created_date
        if created is not None and start <= created < end:
            inside.append(lead)
        elif created is None or created < start:
            before.append(lead)
    inside.sort(key=routing_order)
    return inside, before


def _replay(side: PolicySide, world: World, seed: Mapping[str, int], leads: Sequence[Lead]) -> Side:
    state = MemoryState(seed)
    router = Router(side.policy, world, state, side.matcher)
    result = Side(side.name)
    decisions = [router.route(lead) for lead in leads]
    for decision in decisions:
        result.outcomes[decision.record_id] = Outcome(
            decision.owner_id, decision.rule, decision.pool, decision.reason
        )
        result.by_rule[decision.rule] += 1
        if decision.rule == FALLBACK_RULE:
            result.fallbacks.append(decision.record_id)
    result.loads = {user: state.load(user) for user in world.users}
    routed = Counter(d.pool for d in decisions if d.pool is not None)
    overflows = Counter(pool for d in decisions for pool in _full_pools(d))
    _pool_stats(result, side.policy, router, routed, overflows)
    return result


def _shares(
    policy: RoutingPolicy, world: World, side: Side, start: datetime, end: datetime
) -> list[MemberShare]:
    given: dict[str, Counter[str]] = {}
    for outcome in side.outcomes.values():
        if outcome.pool is not None and outcome.owner_id:
            given.setdefault(outcome.pool, Counter())[outcome.owner_id] += 1
    return fair_shares(policy, world.users, given, start, end)


class _Remembering:
    """Both sides match with the same settings: match each lead once."""

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher
        self._seen: dict[str, Match] = {}

    def match(self, lead: Lead) -> Match:
        found = self._seen.get(lead.id)
        if found is None:
            found = self._seen[lead.id] = self._matcher.match(lead)
        return found


def _as_owned(
    policy: RoutingPolicy, world: World, seed: Mapping[str, int], leads: Sequence[Lead]
) -> Side:
    """What happened. Pools are the candidate's, so that loads and fairness compare like for
    like; a pool 'handed out' the window's leads its members own now."""
    result = Side(AS_OWNED)
    loads = dict(seed)
    for lead in leads:
        owner = lead.owner_id
        why = f"owned by {world.owner_name(owner)} in the CRM now"
        result.outcomes[lead.id] = Outcome(owner, AS_OWNED, None, why)
        result.by_rule[AS_OWNED] += 1
        if owner is not None and owner in world.users:
            loads[owner] = loads.get(owner, 0) + 1
    result.loads = {user: loads.get(user, 0) for user in world.users}
    owned = Counter(lead.owner_id for lead in leads if lead.owner_id)
    routed = Counter(
        {
            p.name: sum(owned[u] for u in {m.user_id for m in p.members})
            for p in policy.pools.values()
        }
    )
    _pool_stats(result, policy, Router(policy, world, MemoryState()), routed, Counter())
    return result


def _pool_stats(
    side: Side,
    policy: RoutingPolicy,
    router: Router,
    routed: Mapping[str, int],
    overflows: Counter[str],
) -> None:
    """Fairness counts the members who can take leads: an away or inactive rep holding none
    is not unfairness."""
    everyone: set[str] = set()
    for pool in policy.pools.values():
        members = tuple(
            dict.fromkeys(m.user_id for m in pool.members if not router.unavailable(m.user_id))
        )
        everyone.update(members)
        loads = [side.loads.get(m, 0) for m in members]
        side.pools[pool.name] = PoolStats(
            name=pool.name,
            members=members,
            routed=routed.get(pool.name, 0),
            load=sum(loads),
            max_min_ratio=max_min_ratio(loads),
            overflows=overflows[pool.name],
            over_cap=tuple(
                m for m in members if pool.cap is not None and side.loads.get(m, 0) > pool.cap
            ),
            cap=pool.cap,
        )
    side.gini = gini([side.loads.get(user, 0) for user in sorted(everyone)])


def _full_pools(decision: Decision) -> Iterable[str]:
    """Pools tried for this record that had nobody under their cap."""
    for entry in decision.trace.get("rules", ()):
        detail = entry.get("pool")
        if not detail:
            continue
        considered = detail.get("considered") or []
        skipped = [c.get("skipped") or "" for c in considered]
        if skipped and all(skipped) and any(s.startswith("at cap") for s in skipped):
            yield str(detail["pool"])


def max_min_ratio(values: Sequence[int]) -> float | None:
    """1.0 is perfectly even; None when someone has nothing while another has something."""
    if not values or max(values) == 0:
        return 1.0
    return max(values) / min(values) if min(values) else None


def gini(values: Sequence[int]) -> float:
    """0 is perfectly even, 1 is one person holding everything."""
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    n = len(ordered)
    weighted = sum((rank + 1) * value for rank, value in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n
