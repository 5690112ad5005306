"""Response-time clocks: when one starts, whether the owner touched the record in time, and
what the escalation ladder does on a breach. Pure: the worker reads the CRM, keeps the clocks
and carries out the escalations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from routing.calendar import deadline
from routing.engine import Availability, DistributionState, Pick, choose
from routing.model import CONTACT, LEAD, Decision, FieldValue, Rep
from routing.policy import (
    MANAGER,
    NOTIFY,
    REASSIGN,
    ByFact,
    Cases,
    FirstOf,
    FirstTouchRule,
    RoutingPolicy,
    Rule,
    SlaPolicy,
    Target,
    ToOwnerOf,
)

# what became of a clock
MET, BREACHED, REOWNED, GONE, SUPERSEDED = "met", "breached", "reowned", "gone", "superseded"
PENDING = "pending"  # not due and not touched yet
_COMMIT_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class Clock:
    """One owner's time to first touch on one record. A reassignment starts a new clock for
    the new owner that carries the breaches so far and who breached."""

    record_id: str
    object: str
    owner_id: str
    started_at: datetime
    due_at: datetime
    target: str
    rule: str
    tier: str | None = None
    pool: str | None = None
    team: str | None = None
    calendar: str | None = None
    ownership: bool = False
    breaches: int = 0
    breached_owner_ids: tuple[str, ...] = ()
    routed_at: datetime | None = None  # when the first clock of this chain started

    @property
    def key(self) -> str:
        """Stable across retries of the same start, distinct for each link of the chain."""
        return f"{self.object}/{self.record_id}/{self.started_at.timestamp():.3f}/{self.breaches}"

    @property
    def chain_started_at(self) -> datetime:
        return self.routed_at or self.started_at


class Timed(Protocol):
    """What judging a clock reads: whose it is and when it started and runs out."""

    @property
    def owner_id(self) -> str: ...

    @property
    def started_at(self) -> datetime: ...

    @property
    def due_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class RecordNow:
    """What the CRM says about a clocked record at check time."""

    record_id: str
    owner_id: str | None
    status: str | None = None
    first_activity_at: datetime | None = None
    fields: Mapping[str, FieldValue] | None = None
    is_converted: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: str  # MET, BREACHED, REOWNED, GONE or PENDING
    touched_at: datetime | None = None  # when the touch happened, when the CRM says
    why: str = ""

    @property
    def escalates(self) -> bool:
        return self.outcome == BREACHED and self.touched_at is None


# --- starting ---------------------------------------------------------------------------------


TIMED_OBJECTS = frozenset({LEAD, CONTACT})


def start_clock(
    decision: Decision, policy: RoutingPolicy, users: Mapping[str, Rep], at: datetime
) -> Clock | None:
    """The clock a written decision starts, or None (no target, owned by a queue, or not a
    person: speed to lead is timed on leads and contacts, not on accounts or opportunities)."""
    sla = policy.sla
    if decision.owner_id not in users or decision.object not in TIMED_OBJECTS:
        return None
    target = sla.target_for(decision.rule, decision.tier, decision.pool)
    if target is None:
        return None
    calendar = sla.calendars.for_rep(decision.owner_id, decision_places(decision))
    return Clock(
        record_id=decision.record_id,
        object=decision.object,
        owner_id=decision.owner_id,
        started_at=at,
        due_at=deadline(at, target.due, calendar if target.due.in_business_hours else None),
        target=target.name,
        rule=decision.rule,
        tier=decision.tier,
        pool=decision.pool,
        team=sla.team_of.get(decision.owner_id),
        calendar=calendar.name if calendar and target.due.in_business_hours else None,
        ownership=decision.rule in sla.ownership_rules,
    )


def decision_places(decision: Decision) -> tuple[str | None, ...]:
    """The lead's territory then macro-region, as the decision's trace recorded them."""
    territory = decision.trace.get("territory") or {}
    return (territory.get("name"), territory.get("region"))


def restart(clock: Clock, owner_id: str, at: datetime, policy: SlaPolicy) -> Clock:
    """The next link of the chain: the same target, counted afresh for `owner_id` from `at`."""
    target = next(t for t in policy.targets if t.name == clock.target)
    calendar = policy.calendars.calendars.get(clock.calendar or "")
    return replace(
        clock,
        owner_id=owner_id,
        started_at=at,
        due_at=deadline(at, target.due, calendar),
        team=policy.team_of.get(owner_id),
        breaches=clock.breaches + 1,
        breached_owner_ids=(*clock.breached_owner_ids, clock.owner_id),
        routed_at=clock.chain_started_at,
    )


def ownership_rules(rules: Iterable[Rule]) -> frozenset[str]:
    """Rules that give a record to the owner of its opportunity, customer or account."""
    return frozenset(r.name for r in rules if r.target is not None and _by_ownership(r.target))


def _by_ownership(target: Target) -> bool:
    if isinstance(target, ToOwnerOf):
        return True
    if isinstance(target, FirstOf):
        return bool(target.targets) and all(_by_ownership(t) for t in target.targets)
    if isinstance(target, ByFact):
        options = [*target.choices.values(), *([target.default] if target.default else [])]
        return bool(options) and all(_by_ownership(t) for t in options)
    if isinstance(target, Cases):
        options = [c.target for c in target.cases] + ([target.default] if target.default else [])
        return bool(options) and all(_by_ownership(t) for t in options)
    return False


# --- first touch ------------------------------------------------------------------------------


def judge(clock: Timed, now: RecordNow | None, rule: FirstTouchRule, at: datetime) -> Verdict:
    """Met, breached, re-owned by someone else, gone from the CRM, or still pending."""
    if now is None:
        return Verdict(GONE, why="the record is no longer in the CRM")
    if now.owner_id != clock.owner_id:
        return Verdict(REOWNED, why=f"re-owned by {now.owner_id or 'nobody'} before escalation")
    touched, touched_at, how = first_touch(clock, now, rule)
    if touched:
        if touched_at is not None and touched_at > clock.due_at:
            return Verdict(BREACHED, touched_at, f"first touched late ({how})")
        return Verdict(MET, touched_at, how)
    if at >= clock.due_at:
        return Verdict(BREACHED, why="not touched by the deadline")
    return Verdict(PENDING, why="not touched yet; the deadline has not passed")


def first_touch(
    clock: Timed, now: RecordNow, rule: FirstTouchRule
) -> tuple[bool, datetime | None, str]:
    """(touched, when if the CRM says, how). A status change carries no time of its own."""
    fields = now.fields or {}
    for name in rule.fields:
        value = fields.get(name)
        if value is not None and value is not False and value != "":
            when = value if isinstance(value, datetime) else None
            return True, when, f"{name} is set"
    activity = now.first_activity_at
    if rule.activity and activity is not None and activity >= clock.started_at:
        return True, activity, "an activity was logged"
    if rule.converted_counts and now.is_converted:
        return True, None, "the record was converted"
    status = (now.status or "").strip().casefold()
    if rule.status_leaves and status and status not in rule.status_leaves:
        return True, None, f"Status is now '{now.status}'"
    return False, None, ""


# --- escalation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Escalation:
    """What one breach does. `pick` is the pool pick already committed to the distribution
    state; `next_clock` is the clock that keeps running (None: the chain ends)."""

    record_id: str
    object: str
    action: str  # NOTIFY, REASSIGN or MANAGER
    from_owner_id: str
    to_owner_id: str
    breaches: int
    notify_ids: tuple[str, ...]
    why: str
    next_clock: Clock | None = None
    pick: Pick | None = None

    @property
    def changes_owner(self) -> bool:
        return self.to_owner_id != self.from_owner_id

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "object": self.object,
            "from_owner_id": self.from_owner_id,
            "to_owner_id": self.to_owner_id,
            "action": self.action,
            "breaches": self.breaches,
            "notified": list(self.notify_ids),
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class Team:
    """What the ladder needs to know about people: users, who is unavailable and why, and
    who triages when a manager is missing (the policy's fallback owner)."""

    users: Mapping[str, Rep]
    unavailable: Availability
    fallback_id: str | None = None

    def name(self, user_id: str | None) -> str:
        user = self.users.get(user_id or "")
        return user.name if user else (user_id or "nobody")

    def manager_of(self, user_id: str) -> tuple[str | None, str]:
        """The manager to escalate to, and how they were found."""
        rep = self.users.get(user_id)
        manager = self.users.get(rep.manager_id or "") if rep else None
        if manager is not None and manager.is_active and manager.id != user_id:
            return manager.id, f"{manager.name}, {self.name(user_id)}'s manager"
        missing = (
            "has no manager" if manager is None else f"has an inactive manager ({manager.name})"
        )
        fallback = self.users.get(self.fallback_id or "")
        if fallback is not None and fallback.is_active and fallback.id != user_id:
            return (
                fallback.id,
                f"{fallback.name} (the fallback owner: {self.name(user_id)} {missing})",
            )
        return None, f"{self.name(user_id)} {missing} and there is no fallback user"


def escalate(
    clock: Clock,
    at: datetime,
    policy: RoutingPolicy,
    team: Team,
    state: DistributionState,
) -> Escalation:
    """The ladder for one breach, as of `at`. A pool reassignment is committed to `state`
    like a routing pick (same rotation and caps), never to a rep who breached on this lead."""
    ladder = policy.sla.ladder
    breaches = clock.breaches + 1
    manager_id, manager_why = team.manager_of(clock.owner_id)
    owner = team.users.get(clock.owner_id)
    owner_gone = owner is None or not owner.is_active
    notify = (manager_id,) if ladder.notify_manager and manager_id else ()
    make = _Maker(clock, breaches, notify)
    if clock.ownership and not owner_gone:
        return make(NOTIFY, clock.owner_id, f"ownership-routed: kept; escalated to {manager_why}")
    if clock.ownership or breaches >= ladder.manager_after or not ladder.reassign:
        return _to_manager(make, manager_id, manager_why, clock, owner_gone, breaches)
    if clock.pool is not None and clock.pool in policy.pools:
        reassigned = _reassign(clock, policy, team, state, at)
        if isinstance(reassigned, Pick):
            nxt = restart(clock, reassigned.user_id, at, policy.sla)
            why = f"reassigned in pool '{clock.pool}' to {team.name(reassigned.user_id)}"
            return make(REASSIGN, reassigned.user_id, why, nxt, reassigned)
        return _to_manager(make, manager_id, f"{manager_why}; {reassigned}", clock, True, breaches)
    if owner_gone:
        return _to_manager(make, manager_id, manager_why, clock, True, breaches)
    nxt = restart(clock, clock.owner_id, at, policy.sla)
    return make(
        NOTIFY, clock.owner_id, f"no pool to reassign in: kept; notified {manager_why}", nxt
    )


class _Maker:
    def __init__(self, clock: Clock, breaches: int, notify: tuple[str, ...]) -> None:
        self.clock, self.breaches, self.notify = clock, breaches, notify

    def __call__(
        self,
        action: str,
        to_owner_id: str,
        why: str,
        next_clock: Clock | None = None,
        pick: Pick | None = None,
    ) -> Escalation:
        c = self.clock
        return Escalation(
            c.record_id,
            c.object,
            action,
            c.owner_id,
            to_owner_id,
            self.breaches,
            self.notify,
            why,
            next_clock,
            pick,
        )


def _to_manager(
    make: _Maker,
    manager_id: str | None,
    manager_why: str,
    clock: Clock,
    owner_gone: bool,
    breaches: int,
) -> Escalation:
    if manager_id is None:
        why = f"{manager_why}: kept by {'its inactive owner' if owner_gone else 'its owner'}"
        return make(NOTIFY, clock.owner_id, why)
    return make(MANAGER, manager_id, f"after {breaches} breach(es), assigned to {manager_why}")


def _reassign(
    clock: Clock, policy: RoutingPolicy, team: Team, state: DistributionState, at: datetime
) -> Pick | str:
    """A committed pick of the next available member of the clock's pool, or why none."""
    pool = policy.pools[clock.pool or ""]
    breached = {*clock.breached_owner_ids, clock.owner_id}
    unavailable = _excluding(breached, team.unavailable)
    for _ in range(_COMMIT_ATTEMPTS):
        choice = choose(pool, state, unavailable, now=at)
        if choice.pick is None:
            skipped = "; ".join(
                f"{team.name(c.user_id)} {c.skipped}"
                for c in choice.considered
                if c.skipped and c.user_id not in breached
            )
            return f"nobody else in pool '{pool.name}' can take it ({skipped or choice.why})"
        if state.commit(choice.pick):
            return choice.pick
    return f"pool '{pool.name}': the shared state kept changing"


def _excluding(breached: set[str], unavailable: Availability) -> Callable[[str], str | None]:
    def why(user_id: str) -> str | None:
        if user_id in breached:
            return "already breached on this lead"
        return unavailable(user_id)

    return why
