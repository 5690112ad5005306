"""Service levels as the engine runs them: response-time targets, business calendars, what
counts as a first touch, and the escalation ladder. `config.policy` compiles them from the
policy's `sla:` section; `RoutingPolicy.sla` holds them (empty: no clocks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from routing.calendar import BusinessCalendar, Deadline

NOTIFY, REASSIGN, MANAGER = "notify", "reassign", "manager"
ACTIONS = (NOTIFY, REASSIGN, MANAGER)


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """A response time for the decisions it selects: by rule, tier or pool. A selector left
    None selects everything; the first target that selects a decision applies."""

    name: str
    due: Deadline
    rules: frozenset[str] | None = None
    tiers: frozenset[str] | None = None
    pools: frozenset[str] | None = None

    def selects(self, rule: str, tier: str | None, pool: str | None) -> bool:
        return _picks(self.rules, rule) and _picks(self.tiers, tier) and _picks(self.pools, pool)


def _picks(allowed: frozenset[str] | None, value: str | None) -> bool:
    return allowed is None or (value is not None and value in allowed)


@dataclass(frozen=True, slots=True)
class FirstTouchRule:
    """What counts as the owner's first touch: the status leaving given values, an activity
    logged after the clock started, or one of the fields being set."""

    status_leaves: frozenset[str] = frozenset()  # casefolded
    activity: bool = True
    fields: tuple[str, ...] = ()
    converted_counts: bool = True


@dataclass(frozen=True, slots=True)
class CalendarChoice:
    """Which calendar a rep works in: the calendar that names the rep (or a pool of theirs),
    else the one that names the lead's territory or region, else the default."""

    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    by_user: Mapping[str, str] = field(default_factory=dict)
    by_region: Mapping[str, str] = field(default_factory=dict)  # casefolded territory/region
    default: str | None = None

    def for_rep(self, user_id: str, places: tuple[str | None, ...]) -> BusinessCalendar | None:
        name = self.by_user.get(user_id)
        for place in places:
            if name is None and place:
                name = self.by_region.get(place.casefold())
        name = name or self.default
        return self.calendars.get(name) if name else None


@dataclass(frozen=True, slots=True)
class EscalationLadder:
    """On a breach: notify the manager; reassign within the pool while breaches are below
    `manager_after`; at `manager_after` breaches assign to the manager. Ownership-routed
    records are escalated to the manager and keep their owner."""

    notify_manager: bool = True
    reassign: bool = True
    manager_after: int = 2


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    targets: tuple[SlaTarget, ...] = ()
    first_touch: FirstTouchRule = field(default_factory=FirstTouchRule)
    calendars: CalendarChoice = field(default_factory=CalendarChoice)
    ladder: EscalationLadder = field(default_factory=EscalationLadder)
    ownership_rules: frozenset[str] = frozenset()  # rules whose target is owner_of
    team_of: Mapping[str, str] = field(default_factory=dict)  # user id → team, for reports

    @property
    def enabled(self) -> bool:
        return bool(self.targets)

    def target_for(self, rule: str, tier: str | None, pool: str | None) -> SlaTarget | None:
        return next((t for t in self.targets if t.selects(rule, tier, pool)), None)
