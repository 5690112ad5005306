"""Backfill: which existing records must change owner, and to whom.

Every record in scope is evaluated as if it were routable, against a look-ahead of the
distribution state that commits nothing, so a record that stays put never takes a rotation
turn or a slot under a cap. Only a record that moves is routed again for real, and its pick
committed (and the old owner's open load released), in a deterministic order: CreatedDate,
then Id. The guard rails hold a record back before anything is committed for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from routing.engine import DATA_ERRORS, FALLBACK_RULE, Matcher, MemoryState, Pick, Router, is_open
from routing.model import (
    ACCOUNT,
    CONTACT,
    LEAD,
    NO_MATCH_METHOD,
    OPPORTUNITY,
    CrmSnapshot,
    Decision,
    Lead,
    Match,
)
from routing.policy import RoutingPolicy
from routing.routed import own_account, records_of
from routing.world import World, routing_order

INACTIVE_OWNERS = "inactive-owners"
TERRITORY = "territory"
ALL = "all"
SCOPES = (INACTIVE_OWNERS, TERRITORY, ALL)
OBJECTS = (LEAD, CONTACT, ACCOUNT, OPPORTUNITY)


@dataclass(frozen=True, slots=True)
class Guards:
    """What holds a record back even when its owner is no longer right."""

    now: datetime
    exclude_active_days: int = 30  # activity in the last D days holds a record; 0: never
    move_open_opportunities: bool = False
    activity_fields: tuple[str, ...] = ("LastActivityDate",)
    max_moves: int | None = None


@dataclass(frozen=True, slots=True)
class Move:
    record_id: str
    object: str
    from_owner_id: str | None
    to_owner_id: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "object": self.object,
            "from_owner_id": self.from_owner_id,
            "to_owner_id": self.to_owner_id,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Move:
        return cls(
            str(row["record_id"]),
            str(row["object"]),
            row.get("from_owner_id"),
            str(row["to_owner_id"]),
            str(row["reason"]),
        )


@dataclass(frozen=True, slots=True)
class Held:
    record_id: str
    owner_id: str | None
    why_move: str
    why_held: str


@dataclass
class BackfillPlan:
    moves: list[Move] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    evaluated: int = 0
    over_limit: bool = False  # more moves than --max-moves: nothing may be written

    @property
    def kept(self) -> int:
        return self.evaluated - len(self.moves) - len(self.held)


class LedgerState(MemoryState):
    """A MemoryState that can look ahead (every pick 'succeeds' and changes nothing), and that
    gives a load back when a record leaves its owner."""

    looking_ahead = False

    def commit(self, pick: Pick) -> bool:
        return True if self.looking_ahead else super().commit(pick)

    def move_load(self, from_user: str | None, to_user: str) -> None:
        if not self.looking_ahead:
            super().move_load(from_user, to_user)

    def release(self, user_id: str | None) -> None:
        if user_id is not None and self._loads.get(user_id, 0) > 0:
            self._loads[user_id] -= 1

    @contextmanager
    def lookahead(self) -> Iterator[None]:
        self.looking_ahead = True
        try:
            yield
        finally:
            self.looking_ahead = False


class BackfillPlanner:
    def __init__(
        self,
        policy: RoutingPolicy,
        world: World,
        state: LedgerState,
        matcher: Matcher | None,
        scope: str,
        guards: Guards,
    ) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown backfill scope {scope!r}; use one of {', '.join(SCOPES)}")
        self.policy = policy
        self.world = world
        self.state = state
        self.matcher = matcher
        self.scope = scope
        self.guards = guards
        self._router = Router(policy, world, state, matcher)

    def plan(self, records: Iterable[Lead]) -> BackfillPlan:
        plan = BackfillPlan()
        for record in sorted(records, key=routing_order):
            plan.evaluated += 1
            outcome = self.evaluate(record)
            if isinstance(outcome, Held):
                plan.held.append(outcome)
            elif outcome is not None:
                plan.moves.append(outcome)
                if self.guards.max_moves is not None and len(plan.moves) > self.guards.max_moves:
                    plan.over_limit = True
                    return plan
        return plan

    def evaluate(self, record: Lead) -> Move | Held | None:
        """None when the owner is still right; a Held when a guard rail keeps it."""
        if self._router.is_routable(record):
            return None  # waiting to be routed: the live router's to take
        match = self._match(record)
        why_move = self._inactive_owner(record) if self.scope != TERRITORY else None
        if why_move is None and self.scope != INACTIVE_OWNERS:
            with self.state.lookahead():
                decision = self._router.route(record, match)
            why_move = self._off_policy(record, decision)
        if why_move is None:
            return None
        why_held = self._held_back(record, match)
        if why_held is not None:
            return Held(record.id, record.owner_id, why_move, why_held)
        return self._move(record, match, why_move)

    # --- is the owner still right? -----------------------------------------------------

    def _inactive_owner(self, record: Lead) -> str | None:
        owner = record.owner_id
        if owner is None:
            return "it has no owner"
        user = self.world.users.get(owner)
        if user is not None:
            return None if user.is_active else f"{user.name} is deactivated"
        if owner in self.world.queues:
            return None
        return f"its owner {owner} is not a user or queue in the CRM"

    def _off_policy(self, record: Lead, decision: Decision) -> str | None:
        owner = record.owner_id
        if owner == decision.owner_id or _member_of_a_pool_tried(self.policy, decision, owner):
            return None
        if owner in self.world.users and decision.owner_id not in self.world.users:
            # a queue or the fallback does not take a record from a rep who works it
            return None
        if decision.rule == FALLBACK_RULE:
            return None
        owner_name = self.world.owner_name(owner)
        if decision.pool is not None:
            return f"{owner_name} is not a member of pool '{decision.pool}' (rule {decision.rule})"
        target = self.world.owner_name(decision.owner_id)
        return f"rule {decision.rule} now gives it to {target}, not {owner_name}"

    # --- guard rails -------------------------------------------------------------------

    def _held_back(self, record: Lead, match: Match) -> str | None:
        if not self.guards.move_open_opportunities and record.object != OPPORTUNITY:
            open_opps = self._open_opportunities(record, match)
            if open_opps:
                return f"it has {open_opps} open opportunit{'y' if open_opps == 1 else 'ies'}"
        days = self.guards.exclude_active_days
        if days > 0:
            last = self._last_activity(record)
            if last is not None and last >= self.guards.now - timedelta(days=days):
                return f"activity on {last.date().isoformat()}, within the last {days} days"
        return None

    def _open_opportunities(self, record: Lead, match: Match) -> int:
        if match.account_id is None:
            return 0
        family = self.world.family(match.account_id).accounts
        return sum(len(self.world.open_opportunities.get(a.id, ())) for a in family)

    def _last_activity(self, record: Lead) -> datetime | None:
        moments = [_moment(record.fields.get(name)) for name in self.guards.activity_fields]
        found = [m for m in moments if m is not None]
        return max(found) if found else None

    # --- the move ----------------------------------------------------------------------

    def _move(self, record: Lead, match: Match, why_move: str) -> Move | Held:
        decision = self._router.route(record, match)
        target, how = decision.owner_id, decision.reason
        if target == record.owner_id or self._is_inactive_user(target):
            if target in self.world.users:
                self.state.release(target)  # the router counted a pick we do not make
            target = self.policy.fallback_owner_id
            how = "The policy picks no other active owner, so the fallback owner takes it."
            if target == record.owner_id:
                return Held(record.id, record.owner_id, why_move, "there is no one to move it to")
            self.state.move_load(record.owner_id, target)
        self.state.release(record.owner_id)
        reason = f"{_capitalised(why_move)}. {how}"
        return Move(record.id, record.object, record.owner_id, target, reason)

    def _is_inactive_user(self, owner_id: str) -> bool:
        user = self.world.users.get(owner_id)
        return user is not None and not user.is_active

    def _match(self, record: Lead) -> Match:
        account_id = own_account(record)
        if account_id is not None and account_id in self.world.accounts:
            return Match(record.id, account_id, "record", 1.0, "the record's own account")
        if self.matcher is None:
            return Match(record.id, None, NO_MATCH_METHOD, 0.0, "matching was not run")
        try:
            return self.matcher.match(record)
        except DATA_ERRORS as exc:
            why = f"matching failed on this record ({type(exc).__name__}: {exc})"
            return Match(record.id, None, NO_MATCH_METHOD, 0.0, why)


def _member_of_a_pool_tried(policy: RoutingPolicy, decision: Decision, owner: str | None) -> bool:
    """The owner belongs to a pool the policy chose for this record. A full pool counts: the
    record's own open load is part of what fills it."""
    for entry in decision.trace.get("rules", ()):
        pool = policy.pools.get((entry.get("pool") or {}).get("pool", ""))
        if pool is not None and any(m.user_id == owner for m in pool.members):
            return True
    return False


def _moment(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str) and value.strip():
        try:
            return _moment(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- which records ---------------------------------------------------------------------


def records_in_scope(snapshot: CrmSnapshot, policy: RoutingPolicy, object: str) -> list[Lead]:
    """The records of one object as the engine evaluates them. Closed or converted leads are
    left alone: they are history, not work."""
    if object in (ACCOUNT, OPPORTUNITY):
        return list(records_of(snapshot, object))
    leads = [r for r in snapshot.leads if r.object == object]
    if object == LEAD:
        return [r for r in leads if not r.is_converted and is_open(r, policy)]
    seen = {r.id for r in leads}
    return leads + [c for c in records_of(snapshot, CONTACT) if c.id not in seen]


def iter_chunks(moves: list[Move], size: int, start: int = 0) -> Iterator[tuple[int, list[Move]]]:
    """(offset, chunk) from `start`, in plan order."""
    for offset in range(start, len(moves), size):
        yield offset, moves[offset : offset + size]
