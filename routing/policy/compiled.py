"""A routing policy as the engine runs it: references resolved to CRM Ids, conditions
compiled. `config.policy` builds it from YAML; tests and benchmarks may build it directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from routing.conditions import ALWAYS, Condition
from routing.matching import MatchSettings
from routing.policy.availability import AvailabilityPolicy
from routing.policy.hold import HoldPolicy
from routing.policy.notifications import NotificationPolicy
from routing.policy.scoring import ScoringModel
from routing.policy.sla import SlaPolicy
from routing.territory import TerritoryMap
from routing.titles import TitleSettings

ROUND_ROBIN = "round_robin"
LOAD_BALANCED = "load_balanced"
BEST_FIT = "best_fit"
AUTO = "auto"
RECOMMEND = "recommend"
METHODS = (ROUND_ROBIN, LOAD_BALANCED, BEST_FIT)

# caps over time: the window a cap counts in, who it counts, and what a pool does at cap
PERIODS = ("hour", "day", "week", "month")
MEMBER_SCOPE, POOL_SCOPE = "member", "pool"
AT_CAP_OVERFLOW, AT_CAP_NEXT_RULE, AT_CAP_HOLD = "overflow", "next_rule", "hold"
AT_CAP = (AT_CAP_OVERFLOW, AT_CAP_NEXT_RULE, AT_CAP_HOLD)
OFF_SHIFT_OVERFLOW, OFF_SHIFT_WAIT = "overflow", "wait"

OPEN_OPPORTUNITY = "open_opportunity"
CUSTOMER = "customer"
ACCOUNT = "account"
ULTIMATE_PARENT = "ultimate_parent"
OWNER_SOURCES = (OPEN_OPPORTUNITY, CUSTOMER, ACCOUNT, ULTIMATE_PARENT)


UNOWNED = ""  # in routable_owner_ids: records with no owner at all are routable (HubSpot)


@dataclass(frozen=True, slots=True)
class OwnerFilter:
    """Which owners an ownership rule accepts."""

    must_be_active: bool = True
    must_be_available: bool = False
    excluded: frozenset[str] = frozenset()
    team: frozenset[str] | None = None
    team_name: str | None = None


@dataclass(frozen=True, slots=True)
class ToUser:
    user_id: str
    when_available: bool = False


@dataclass(frozen=True, slots=True)
class ToQueue:
    queue_id: str


@dataclass(frozen=True, slots=True)
class ToPool:
    pool: str


@dataclass(frozen=True, slots=True)
class ToOwnerOf:
    source: str  # one of OWNER_SOURCES
    accepts: OwnerFilter = OwnerFilter()


@dataclass(frozen=True, slots=True)
class ByFact:
    fact: str
    choices: Mapping[str, Target]  # keys casefolded
    default: Target | None = None


@dataclass(frozen=True, slots=True)
class Case:
    when: Condition
    target: Target


@dataclass(frozen=True, slots=True)
class Cases:
    cases: tuple[Case, ...]
    default: Target | None = None


@dataclass(frozen=True, slots=True)
class FirstOf:
    targets: tuple[Target, ...]


Target = ToUser | ToQueue | ToPool | ToOwnerOf | ByFact | Cases | FirstOf


@dataclass(frozen=True, slots=True)
class Rule:
    """The first rule that applies decides. A rule applies when its condition holds and
    its target yields an owner; a rule with `step` hands over to a named list of rules."""

    name: str
    when: Condition = ALWAYS
    target: Target | None = None
    step: str | None = None
    scored: bool = True
    description: str = ""


@dataclass(frozen=True, slots=True)
class WindowCap:
    """At most `limit` assignments per `period`: a calendar window in the pool's time zone
    (this hour, today, this week from Monday, this month), or with `rolling` the last hour,
    24 hours, 7 or 30 days. `scope`: each member's own count, or the whole pool's."""

    period: str  # one of PERIODS
    limit: int
    rolling: bool = False
    scope: str = MEMBER_SCOPE


@dataclass(frozen=True, slots=True)
class Member:
    user_id: str
    weight: int = 1
    caps: tuple[WindowCap, ...] | None = None  # this member's own caps; None: the pool's


@dataclass(frozen=True, slots=True)
class BestFit:
    """How a `best_fit` pool chooses: `auto` assigns the best fit; `recommend` records it and
    assigns by `fallback_method`, as does a pool with no model; `recommend` with `approval`
    assigns nothing and holds the recommendation for `leadrelay bestfit approve`."""

    mode: str = "recommend"  # auto | recommend
    objective: str = "win_rate"  # win_rate | expected_value
    segments: tuple[str, ...] = ("Account.Industry",)
    fairness_band: float = 0.25
    window: int = 200
    exploration: float = 0.1
    fallback_method: str = ROUND_ROBIN
    half_life_days: float = 365.0
    min_deals: int = 5
    approval: bool = False  # recommend mode: hold each recommendation for a person to approve


@dataclass(frozen=True, slots=True)
class Pool:
    name: str
    members: tuple[Member, ...]
    method: str = ROUND_ROBIN
    cap: int | None = None
    overflow: Target | None = None
    sequence: tuple[int, ...] = ()  # member index per round-robin slot, weights interleaved
    best_fit: BestFit | None = None
    caps: tuple[WindowCap, ...] = ()  # caps over time, beside `cap` on open leads
    time_zone: str = "UTC"  # where the caps' calendar windows are read
    at_cap: str = AT_CAP_OVERFLOW  # when caps leave nobody: overflow, next rule, or hold
    off_shift: str = OFF_SHIFT_OVERFLOW  # nobody on shift: overflow, or wait for the first
    member_caps: tuple[tuple[WindowCap, ...], ...] = field(init=False, default=())
    pool_caps: tuple[WindowCap, ...] = field(init=False, default=())
    member_ids: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        if not self.sequence:
            object.__setattr__(self, "sequence", smooth_weighted_sequence(self.members))
        shared = tuple(c for c in self.caps if c.scope == MEMBER_SCOPE)
        own = tuple(shared if m.caps is None else m.caps for m in self.members)
        object.__setattr__(self, "member_caps", own)
        object.__setattr__(self, "pool_caps", tuple(c for c in self.caps if c.scope == POOL_SCOPE))
        object.__setattr__(self, "member_ids", tuple(m.user_id for m in self.members))

    @property
    def capped_over_time(self) -> bool:
        return bool(self.pool_caps) or any(self.member_caps)


def smooth_weighted_sequence(members: tuple[Member, ...]) -> tuple[int, ...]:
    """Interleave members by weight (nginx's smooth weighted round robin): weights 2,1,1
    give A B A C rather than A A B C, so a heavy member never takes turns in a burst."""
    current = [0] * len(members)
    total = sum(m.weight for m in members)
    order: list[int] = []
    for _ in range(total):
        for i, member in enumerate(members):
            current[i] += member.weight
        best = max(range(len(members)), key=lambda i: (current[i], -i))
        current[best] -= total
        order.append(best)
    return tuple(order)


@dataclass(frozen=True, slots=True)
class AccountChange:
    """When an account changes hands, what of it follows the new owner: `contacts` (of the
    account), `leads` (open, matched to it) and `opportunities` (open, of the account); with
    `only_owned_by_previous`, only those its previous owner owns."""

    follow: tuple[str, ...]
    only_owned_by_previous: bool = True


@dataclass(frozen=True, slots=True)
class StickyPolicy:
    """A returning person goes back to the rep who had them, within `window_s` seconds,
    looked up `by` email (earlier leads), contact, and account (earlier leads of the same
    company domain), in that order of preference."""

    window_s: float = 90 * 86400.0
    by: tuple[str, ...] = ("email", "contact", "account")


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    name: str
    rules: tuple[Rule, ...]
    fallback_owner_id: str
    routable_owner_ids: frozenset[str] = frozenset()
    routable_when: Condition = ALWAYS
    open_lead_when: Condition = ALWAYS
    customer_when: Condition = ALWAYS
    away_fields: tuple[str, ...] = ()
    availability: AvailabilityPolicy = field(default_factory=AvailabilityPolicy)
    steps: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    pools: Mapping[str, Pool] = field(default_factory=dict)
    scoring: ScoringModel | None = None
    territories: TerritoryMap | None = None
    country_groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    competitor_domains: frozenset[str] = frozenset()
    matching: MatchSettings = field(default_factory=MatchSettings)
    objects: tuple[str, ...] = ("Lead",)
    titles: TitleSettings = field(default_factory=TitleSettings)
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    hold: HoldPolicy = field(default_factory=HoldPolicy)
    notifications: NotificationPolicy = field(default_factory=NotificationPolicy)
    sticky: StickyPolicy | None = None  # None: no sticky owners
    account_change: AccountChange | None = None  # None: an account moves alone
