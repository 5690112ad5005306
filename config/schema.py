"""The routing policy file (YAML), as a schema: what an admin may write, and nothing else.

Every model forbids unknown keys, so a typo is an error with its path, not a silent no-op.
Union members are told apart by their keys (`all`, `user`, `pool`, …) rather than by trial,
so an error names the branch the admin meant. Tags start with `@` and are dropped from paths.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

OPERATOR_KEYS = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "in_group",
    "starts_with",
    "contains",
    "matches",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_set",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- conditions ------------------------------------------------------------------------------


class TestModel(Strict):
    """`{fact: tier, equals: Tier 1}`: one fact, exactly one operator."""

    fact: str = Field(description="a fact name, e.g. tier, territory, lead.Status, account.Type")
    equals: Any = None
    not_equals: Any = None
    in_: list[Any] | None = Field(None, alias="in")
    not_in: list[Any] | None = None
    in_group: str | None = Field(None, description="a name from country_groups")
    starts_with: str | None = None
    contains: str | None = None
    matches: str | None = Field(None, description="a regular expression, case-insensitive")
    gt: float | str | None = None
    gte: float | str | None = None
    lt: float | str | None = None
    lte: float | str | None = None
    is_set: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_operator(cls, data: Any) -> Any:
        if isinstance(data, dict):
            given = [k for k in OPERATOR_KEYS if k in data]
            if len(given) != 1:
                found = ", ".join(given) or "none"
                raise ValueError(
                    f"a test needs exactly one operator (found {found}); "
                    f"use one of: {', '.join(OPERATOR_KEYS)}"
                )
        return data

    def operator(self) -> tuple[str, Any]:
        for key in OPERATOR_KEYS:
            if key in self.model_fields_set or (key == "in" and "in_" in self.model_fields_set):
                return key, getattr(self, "in_" if key == "in" else key)
        raise AssertionError("validated to have one operator")


class AllModel(Strict):
    all: list[ConditionModel]


class AnyModel(Strict):
    any: list[ConditionModel]


class NotModel(Strict):
    not_: ConditionModel = Field(alias="not")


def _condition_kind(data: Any) -> str:
    if isinstance(data, dict):
        for key in ("all", "any", "not"):
            if key in data:
                return f"@{key}"
    elif isinstance(data, BaseModel):
        return {AllModel: "@all", AnyModel: "@any", NotModel: "@not"}.get(type(data), "@test")
    return "@test"


ConditionModel = Annotated[
    Annotated[AllModel, Tag("@all")]
    | Annotated[AnyModel, Tag("@any")]
    | Annotated[NotModel, Tag("@not")]
    | Annotated[TestModel, Tag("@test")],
    Discriminator(_condition_kind),
]


# --- targets ---------------------------------------------------------------------------------


class UserTarget(Strict):
    user: str = Field(description="a user's email or Id")
    when_available: bool = Field(False, description="only when active and not away")


class QueueTarget(Strict):
    queue: str = Field(description="a queue's name or Id")


class PoolTarget(Strict):
    pool: str = Field(description="the name of a pool in `pools`")


class OwnerRule(Strict):
    active: bool = True
    available: bool = False
    exclude: list[str] = Field(
        default_factory=list, description="users (email or Id) never accepted"
    )
    team: str | None = Field(None, description="only owners in this team")


OwnerSource = Literal["open_opportunity", "customer", "account", "ultimate_parent"]


class OwnerOfTarget(Strict):
    owner_of: OwnerSource = Field(
        description="open_opportunity: owner of the newest open opportunity, walking the "
        "account family upward; customer: owner of the first customer account in the family; "
        "account: owner of the matched account; ultimate_parent: owner of the top of the family"
    )
    owner: OwnerRule = Field(default_factory=lambda: OwnerRule.model_validate({}))


class ByFactTarget(Strict):
    by: str = Field(description="a fact whose value picks the target")
    map: dict[str, TargetModel]
    default: TargetModel | None = None


class CaseModel(Strict):
    when: ConditionModel
    assign: TargetModel


class CasesTarget(Strict):
    cases: list[CaseModel]
    default: TargetModel | None = None


class FirstOfTarget(Strict):
    first_of: list[TargetModel]


_TARGET_KEYS = ("user", "queue", "pool", "owner_of", "by", "cases", "first_of")


def _target_kind(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in _TARGET_KEYS:
            if key in data:
                return f"@{key}"
        return None
    kinds: dict[type, str] = {
        UserTarget: "@user",
        QueueTarget: "@queue",
        PoolTarget: "@pool",
        OwnerOfTarget: "@owner_of",
        ByFactTarget: "@by",
        CasesTarget: "@cases",
        FirstOfTarget: "@first_of",
    }
    return kinds.get(type(data))


TargetModel = Annotated[
    Annotated[UserTarget, Tag("@user")]
    | Annotated[QueueTarget, Tag("@queue")]
    | Annotated[PoolTarget, Tag("@pool")]
    | Annotated[OwnerOfTarget, Tag("@owner_of")]
    | Annotated[ByFactTarget, Tag("@by")]
    | Annotated[CasesTarget, Tag("@cases")]
    | Annotated[FirstOfTarget, Tag("@first_of")],
    Discriminator(
        _target_kind,
        custom_error_type="target",
        custom_error_message=f"a target needs one of the keys: {', '.join(_TARGET_KEYS)}",
    ),
]


# --- rules, pools, territories, scoring ----------------------------------------------------------


class RuleModel(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    when: ConditionModel | None = None
    assign: TargetModel | None = None
    step: str | None = Field(None, description="hand over to a named list of rules in `steps`")
    score: bool = Field(True, description="false: records this rule decides are not scored (0)")

    @model_validator(mode="after")
    def _assign_or_step(self) -> RuleModel:
        if (self.assign is None) == (self.step is None):
            raise ValueError("a rule needs exactly one of `assign` or `step`")
        return self


Period = Literal["hour", "day", "week", "month"]


class MemberModel(Strict):
    user: str
    weight: int = Field(1, ge=1)
    caps: dict[Period, int] = Field(
        default_factory=dict,
        description="this member's own limits by period, e.g. {day: 5} for a ramping rep: they "
        "replace the pool's member caps of that period (a period the pool does not cap is "
        "capped per calendar window)",
    )

    @model_validator(mode="after")
    def _no_negative_caps(self) -> MemberModel:
        for period, limit in self.caps.items():
            if limit < 0:
                raise ValueError(f"caps.{period} must be 0 or more")
        return self


class WindowCapModel(Strict):
    """At most `max` assignments per hour, day, week or month."""

    per: Period
    max: int = Field(ge=0)
    rolling: bool = Field(
        False,
        description="the last hour, 24 hours, 7 or 30 days, rather than the calendar's hour, "
        "day, week (from Monday) or month in the pool's time zone",
    )
    scope: Literal["member", "pool"] = Field(
        "member", description="member: each member's own count; pool: the whole pool's"
    )


class BestFitModel(Strict):
    """`method: best_fit`: choose by each rep's record in the lead's segment."""

    mode: Literal["auto", "recommend"] = Field(
        "recommend",
        description="auto: assign the best fit; recommend: record it, assign by fallback_method",
    )
    objective: Literal["win_rate", "expected_value"] = "win_rate"
    segments: list[str] = Field(
        default_factory=lambda: ["Account.Industry"],
        min_length=1,
        description="Object.Field, e.g. Account.Industry, Account.NumberOfEmployees (banded), "
        "Account.BillingCountry, Opportunity.LeadSource",
    )
    fairness_band: float = Field(
        0.25, ge=0, le=1, description="each share stays within ±band of an even share"
    )
    window: int = Field(200, ge=1, description="the pool's recent assignments the band reads")
    exploration: float = Field(0.1, ge=0, le=1, description="share of leads that go to learning")
    fallback_method: Literal["round_robin", "load_balanced"] = "round_robin"
    half_life_days: float = Field(365.0, gt=0, description="a deal this old counts half")
    min_deals: int = Field(5, ge=1, description="fewer deals: the rep gets the segment's prior")
    approval: bool = Field(
        False,
        description="recommend mode: assign nothing, hold the recommendation until "
        "`leadrelay bestfit approve` or `reject`",
    )

    @model_validator(mode="after")
    def _approval_recommends(self) -> BestFitModel:
        if self.approval and self.mode != "recommend":
            raise ValueError("approval: true holds recommendations, so it needs mode: recommend")
        return self


class PoolModel(Strict):
    name: str = Field(min_length=1)
    method: Literal["round_robin", "weighted_round_robin", "load_balanced", "best_fit"] = (
        "round_robin"
    )
    cap: int | None = Field(None, ge=1, description="open leads per member; none = no cap")
    members: list[str | MemberModel] = Field(min_length=1)
    overflow: TargetModel | None = None
    best_fit: BestFitModel | None = None
    caps: list[WindowCapModel] = Field(
        default_factory=list,
        description="caps over time beside `cap` (open leads): a member at one is skipped",
    )
    time_zone: str = Field(
        "UTC", description="an IANA time zone: where the caps' hours, days, weeks, months are read"
    )
    off_shift: Literal["overflow", "wait"] = Field(
        "overflow",
        description="when nobody is available and some are off shift or away: the pool's "
        "overflow (or the next rule), or wait for the first member back",
    )
    at_cap: Literal["overflow", "next_rule", "hold"] = Field(
        "overflow",
        description="when caps over time leave nobody to take a lead: the pool's overflow (or "
        "the next rule without one), the next rule, or hold the lead until a cap reopens",
    )


class TeamModel(Strict):
    users: list[str] = Field(default_factory=list)
    pools: list[str] = Field(default_factory=list, description="every member of these pools")
    hubspot_teams: list[str] = Field(
        default_factory=list, description="on HubSpot: every owner in these HubSpot teams"
    )


class PlaceModel(Strict):
    country: str | None = None
    countries: list[str] | None = None
    group: str | None = Field(None, description="a name from country_groups")
    states: list[str] | None = Field(None, description="only these states/provinces")

    @model_validator(mode="after")
    def _one_kind(self) -> PlaceModel:
        kinds = [k for k in ("country", "countries", "group") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a place needs exactly one of `country`, `countries` or `group`")
        if self.states is not None and self.country is None:
            raise ValueError("`states` goes with a single `country`")
        return self


class TerritoryModel(Strict):
    name: str = Field(min_length=1)
    region: str | None = None
    where: list[PlaceModel] = Field(min_length=1)


class BandModel(Strict):
    min: float
    points: int


class ValuesModel(Strict):
    in_: list[str] = Field(alias="in")
    points: int


class ContainsModel(Strict):
    any: list[str]
    points: int


class SignalModel(Strict):
    name: str
    field: str
    from_: list[Literal["account", "lead", "title"]] = Field(
        ["lead"], alias="from", description="title: the job title's seniority/rank/function(s)"
    )
    bands: list[BandModel] | None = None
    values: list[ValuesModel] | None = None
    contains: list[ContainsModel] | None = None
    otherwise: int = 0
    unknown: int = 0
    zero_is_unknown: bool = False
    separator: str = ";"

    @model_validator(mode="after")
    def _one_kind(self) -> SignalModel:
        kinds = [k for k in ("bands", "values", "contains") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a signal needs exactly one of `bands`, `values` or `contains`")
        return self


class TierModel(Strict):
    name: str
    min: int


class ScoringModelSpec(Strict):
    cap: int = 100
    signals: list[SignalModel]
    tiers: list[TierModel] = Field(min_length=1)


class RoutableModel(Strict):
    owners: list[UserTarget | QueueTarget] = Field(
        min_length=1, description="records owned by these users or queues are routed"
    )
    when: ConditionModel | None = None


class ShiftModel(Strict):
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"],  # type: ignore[arg-type]
    )
    hours: str = Field(
        "09:00-17:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$", description="HH:MM-HH:MM"
    )


class OutOfOfficeModel(Strict):
    start: str = Field(description="the user field where an absence starts (date or datetime)")
    end: str = Field(description="the user field where it ends (a date: the last day off)")


class AvailabilityModel(Strict):
    away_fields: list[str] = Field(
        default_factory=list, description="user fields that mean 'away' when true"
    )
    on_field: str | None = Field(
        default=None, description="a user field reps set themselves: false/off/no = taking no leads"
    )
    time_zone_field: str = Field(
        default="TimeZoneSidKey",
        description="the user field with the rep's IANA time zone (Salesforce TimeZoneSidKey, a "
        "User.csv column; on HubSpot, TimeZoneSidKey reads the users' hs_standard_time_zone)",
    )
    default_time_zone: str | None = Field(
        default=None, description="for reps with no time zone; without it they are unavailable"
    )
    working_hours: list[ShiftModel] = Field(
        default_factory=list, description="everyone's shifts, in each rep's own time zone"
    )
    user_hours: dict[str, list[ShiftModel]] = Field(
        default_factory=dict, description="a rep's own shifts, by email or Id"
    )
    hours_field: str | None = Field(
        default=None,
        description="a user field with the rep's shifts: 'mon-fri 09:00-17:00; sat 10:00-14:00'",
    )
    out_of_office: OutOfOfficeModel | None = None
    calendar_holidays: bool = Field(
        default=False,
        description="reps are off on the holidays of the SLA calendar naming them or their pool",
    )


# --- service levels (SLA) -----------------------------------------------------------------------

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class CalendarModel(Strict):
    time_zone: str = Field(description="an IANA time zone, e.g. America/New_York")
    days: list[Weekday] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"],  # type: ignore[arg-type]
        description="working days",
    )
    hours: str = Field(
        "09:00-17:00",
        pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$",
        description="working hours, HH:MM-HH:MM",
    )
    holidays: list[date] = Field(default_factory=list, description="dates, YYYY-MM-DD")
    users: list[str] = Field(default_factory=list, description="reps (email or Id) working in it")
    pools: list[str] = Field(default_factory=list, description="pools whose members work in it")
    regions: list[str] = Field(
        default_factory=list, description="territories or regions whose leads it times"
    )


class SlaTargetModel(Strict):
    name: str = Field(min_length=1)
    rules: list[str] | None = Field(None, description="only decisions made by these rules")
    tiers: list[str] | None = Field(None, description="only decisions in these tiers")
    pools: list[str] | None = Field(None, description="only decisions picked from these pools")
    minutes: float | None = Field(None, gt=0)
    business_hours: float | None = Field(None, gt=0, description="working time in the calendar")

    @model_validator(mode="after")
    def _one_deadline(self) -> SlaTargetModel:
        if (self.minutes is None) == (self.business_hours is None):
            raise ValueError("a target needs exactly one of `minutes` or `business_hours`")
        return self


class FirstTouchModel(Strict):
    status_leaves: list[str] = Field(
        default_factory=list, description="touched once Status is none of these"
    )
    activity: bool = Field(True, description="an activity logged after routing is a touch")
    fields: list[str] = Field(default_factory=list, description="touched once any is set")
    converted: bool = Field(True, description="a converted lead counts as touched")


class EscalationModel(Strict):
    notify_manager: bool = True
    reassign: bool = Field(True, description="reassign to the next member of the same pool")
    manager_after: int = Field(2, ge=1, description="breaches after which the manager owns it")


class SlaModel(Strict):
    first_touch: FirstTouchModel = Field(default_factory=lambda: FirstTouchModel.model_validate({}))
    calendars: dict[str, CalendarModel] = Field(default_factory=dict)
    default_calendar: str | None = None
    targets: list[SlaTargetModel] = Field(min_length=1, description="the first that applies")
    escalation: EscalationModel = Field(default_factory=lambda: EscalationModel.model_validate({}))


class TitleOverrideModel(Strict):
    seniority: str | None = Field(None, description="c_level, vp, director, manager, ic, …")
    function: str | None = Field(None, description="it, engineering, data, security, …")


class TitlesModel(Strict):
    keywords: dict[str, list[str]] = Field(
        default_factory=dict,
        description="extra words per function or seniority, e.g. data: [lakehouse, dbt]",
    )
    languages: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict,
        description="extra words per language, then per function or seniority, "
        "e.g. nl: {sales: [verkoop], manager: [teamleider]}",
    )
    overrides: dict[str, TitleOverrideModel] = Field(
        default_factory=dict,
        description="exact titles (case and accents ignored) and what they mean",
    )


# --- the enrichment hold and assignment notifications ---------------------------------------


class HoldRuleModel(Strict):
    name: str = Field(min_length=1)
    fields: list[str] = Field(
        min_length=1, description="record fields (API names) enrichment fills, e.g. Industry"
    )
    require: Literal["all", "any"] = Field("all", description="wait for all of them, or any")
    timeout_minutes: float = Field(gt=0, description="then route with what is there")
    objects: list[Literal["Lead", "Contact"]] = Field(default_factory=lambda: ["Lead"])  # type: ignore[arg-type]
    when: ConditionModel | None = Field(None, description="only records that meet this (lead.*)")


class HoldModel(Strict):
    rules: list[HoldRuleModel] = Field(min_length=1, description="the first that applies")


class NotificationTemplatesModel(Strict):
    """`$name` placeholders: owner_name, owner_email, record_id, object, name, company, email,
    reason, deadline, verb, kind, rule, tier; and count in digest_subject."""

    subject: str | None = None
    text: str | None = None
    digest_subject: str | None = None
    digest_line: str | None = None


NotifyKind = Literal["routed", "reassigned", "backfill"]
NotifyChannel = Literal["slack", "email"]


class NotificationsModel(Strict):
    channels: list[NotifyChannel] = Field(
        default_factory=lambda: ["slack", "email"],  # type: ignore[arg-type]
        description="default channels for every rep",
    )
    on: list[NotifyKind] = Field(
        default_factory=lambda: ["routed", "reassigned", "backfill"],  # type: ignore[arg-type]
        description="which assignments are told",
    )
    batch_minutes: float = Field(
        5, ge=0, description="a rep hears at most once per window; the rest goes as a digest"
    )
    digest_max_lines: int = Field(20, ge=1)
    templates: NotificationTemplatesModel = Field(
        default_factory=lambda: NotificationTemplatesModel.model_validate({})
    )
    preference_field: str | None = Field(
        None, description="a User field naming the rep's channels: slack, email, both, none"
    )
    preferences: dict[str, list[Literal["slack", "email", "none"]]] = Field(
        default_factory=dict, description="user (email or Id) → channels; [none] silences"
    )


class HubSpotModel(Strict):
    """What a Salesforce-shaped policy means on HubSpot, which has no queues."""

    queues: dict[str, str] = Field(
        default_factory=dict,
        description="queue name → the HubSpot owner (email or owner Id) acting as that queue, "
        "or `unowned` for records with no owner (routable.owners only)",
    )


class AccountChangeModel(Strict):
    follow: list[Literal["contacts", "leads", "opportunities"]] = Field(
        min_length=1,
        description="what follows an account to its new owner in `backfill --object Account`: "
        "its contacts, the open leads matched to it, its open opportunities",
    )
    only_owned_by_previous: bool = Field(
        default=True,
        description="move only the records the account's previous owner owns (a contact "
        "someone else works stays with them)",
    )


class StickyModel(Strict):
    window_days: int = Field(
        default=90, ge=1, description="how far back an earlier record of the person counts"
    )
    by: list[Literal["email", "contact", "account"]] = Field(
        default_factory=lambda: ["email", "contact", "account"],  # type: ignore[arg-type]
        min_length=1,
        description="where to look, in order: earlier leads with the same email, the contact "
        "with it, earlier leads of the same company domain (for a lead that matched an account)",
    )


class PolicyFile(Strict):
    name: str
    objects: list[Literal["Lead", "Contact", "Account", "Opportunity"]] = Field(
        default_factory=lambda: ["Lead"],  # type: ignore[arg-type]
        description="what the policy routes and may write owners onto: new and returned "
        "records of these objects as they arrive, and `leadrelay backfill --object` each; an "
        "account and an opportunity are matched to their own account, never by name",
    )
    routable: RoutableModel
    open_lead: ConditionModel | None = Field(None, description="what counts toward a rep's load")
    availability: AvailabilityModel = Field(default_factory=AvailabilityModel)
    fallback: UserTarget | QueueTarget
    competitor_domains: list[str] = Field(default_factory=list)
    matching: dict[str, Any] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(
        default_factory=dict,
        description="former names, tickers, short forms → an account (Id or name) or a domain",
    )
    customer_when: ConditionModel | None = Field(
        None, description="which accounts are customers (facts: account.<Field>)"
    )
    country_groups: dict[str, list[str]] = Field(default_factory=dict)
    territories: list[TerritoryModel] = Field(default_factory=list)
    scoring: ScoringModelSpec | None = None
    titles: TitlesModel = Field(default_factory=TitlesModel)
    teams: dict[str, TeamModel] = Field(default_factory=dict)
    pools: list[PoolModel] = Field(default_factory=list)
    steps: dict[str, list[RuleModel]] = Field(default_factory=dict)
    rules: list[RuleModel] = Field(min_length=1)
    sla: SlaModel | None = Field(None, description="response-time clocks and escalation")
    hold: HoldModel | None = Field(None, description="wait for enrichment before routing")
    notifications: NotificationsModel | None = Field(
        None, description="tell a rep at once that a record is theirs, and why"
    )
    hubspot: HubSpotModel | None = Field(
        None, description="on HubSpot only: which owners stand for the policy's queues"
    )
    account_change: AccountChangeModel | None = Field(
        None, description="when an account changes hands, what of it follows the new owner"
    )
    sticky: StickyModel | None = Field(
        None,
        description="a returning person goes back to the rep who had them, if that rep can "
        "take the lead now (active, on shift, under cap); else the rules route it",
    )


for _model in (AllModel, AnyModel, NotModel, ByFactTarget, CaseModel, CasesTarget, FirstOfTarget):
    _model.model_rebuild()
