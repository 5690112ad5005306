"""Evaluate a routing policy for one record: a Decision, with the trace of why."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from routing.bestfit import FitRequest, SkillModel, lead_segment
from routing.conditions import FieldFacts, show
from routing.engine.distribution import DistributionState, PoolChoice, choose
from routing.engine.screen import Run, screen
from routing.engine.sticky import StickyIndex
from routing.engine.windows import full, timed_tallies
from routing.model import NO_MATCH_METHOD, CrmSnapshot, Decision, Lead, Match
from routing.policy import (
    ACCOUNT,
    AT_CAP_HOLD,
    AT_CAP_OVERFLOW,
    BEST_FIT,
    CUSTOMER,
    OFF_SHIFT_WAIT,
    OPEN_OPPORTUNITY,
    UNOWNED,
    AvailabilityPolicy,
    ByFact,
    Cases,
    FirstOf,
    OwnerFilter,
    Pool,
    RecordFacts,
    RoutingPolicy,
    Rule,
    Status,
    Target,
    ToOwnerOf,
    ToPool,
    ToQueue,
    ToUser,
    schedule_of,
)
from routing.routed import OWN_ACCOUNT_OBJECTS, own_account
from routing.world import World, routing_order

if TYPE_CHECKING:
    from routing.policy.scoring import SignalScore

FALLBACK_RULE = "fallback"
WAIT_CAP, WAIT_SHIFT = "a cap window", "a shift"  # what a waiting record waits for
STICKY_RULE = Rule("sticky", description="")
_NOT_A_USER = "\0"
_SIGNAL_ROWS = 4096  # trace lines kept for reuse (the score objects they were built from too)
DATA_ERRORS = (ValueError, TypeError, KeyError, AttributeError, ArithmeticError, IndexError)
# Every lost race means another worker's pick went through, so the state keeps moving
# forward; a pick that still loses this many times in a row is an error, never a fallback.
_COMMIT_ATTEMPTS = 1000


class StateContention(RuntimeError):
    """Not bad data: the record is left undecided, to be routed again, rather than given to
    whatever rule comes next."""


class Matcher(Protocol):
    def match(self, lead: Lead) -> Match: ...


@dataclass(slots=True)
class Resolution:
    owner_id: str | None
    why: str
    pool: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    held: bool = False  # held for approval: the rule decides, and nobody is assigned
    waiting_until: float | None = None  # at cap, the pool holds the record until then

    @property
    def decides(self) -> bool:
        return self.owner_id is not None or self.held or self.waiting_until is not None


@dataclass(slots=True)
class _Outcome:
    rule: Rule
    resolution: Resolution
    path: list[str]


class Router:
    def __init__(
        self,
        policy: RoutingPolicy,
        world: World,
        state: DistributionState,
        matcher: Matcher | None = None,
        model: SkillModel | None = None,
        open_lead_owners: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        earlier: CrmSnapshot | None = None,
    ) -> None:
        """`open_lead_owners`: email → owner of the newest open lead with it, when the caller
        keeps it current (`routing.engine.live`); else it is computed from `world.snapshot`.
        `clock`: the routing time of a record, which caps over time count in; by default its
        creation time (a replay), the worker passes the wall clock. `earlier`: the records a
        returning person is looked for in (sticky owners), when the caller keeps them current;
        else `world.snapshot`."""
        self._earlier = earlier
        self.policy = policy
        self.clock = clock or arrival_time
        self.world = world
        self.state = state
        self.matcher = matcher
        self.model = model  # best fit's skill model; None: best-fit pools use their fallback
        self._unavailable = {
            uid: why_unavailable(u.is_active, u.fields, policy.away_fields)
            for uid, u in world.users.items()
        }
        timed = policy.availability != AvailabilityPolicy()
        self._schedules = (
            {uid: schedule_of(u, policy.availability) for uid, u in world.users.items()}
            if timed
            else {}
        )
        self._statuses: dict[str, Status] = {}
        self._screens: dict[int, dict[int, Run]] = {}  # by the rules tuple (policy, steps)
        self._sticky_index: StickyIndex | None = None
        self._signal_rows: dict[int, tuple[SignalScore, dict[str, Any]]] = {}
        self._sticky_trace: dict[str, Any] | None = None  # the record being routed's
        self._pools_of: dict[str, list[Pool]] = {}
        for pool in policy.pools.values():
            for user_id in dict.fromkeys(pool.member_ids):
                self._pools_of.setdefault(user_id, []).append(pool)
        self._screens_of: dict[int, tuple[Rule, ...]] = {}
        self._lead: Lead | None = None  # the record being routed: availability is as of then
        self._at: float | None = None
        self._open_lead_owner_by_email = (
            open_lead_owners
            if open_lead_owners is not None
            else _open_lead_owners_by_email(world.snapshot, policy)
        )

    def unavailable(self, user_id: str) -> str | None:
        why = self._unavailable.get(user_id, _NOT_A_USER)
        if why is not None or not self._schedules:
            return "not a user in the CRM" if why is _NOT_A_USER else why
        known, at = self._statuses.get(user_id), self._at  # the hot path: it still holds
        if known is not None and at is not None and known.valid_from <= at < known.until:
            return known.why
        status = self._status(user_id)
        return status.why if status is not None else None

    def back_at(self, user_id: str) -> float | None:
        """When a rep off shift, on holiday or out of office is available again."""
        status = self._status(user_id) if self._schedules else None
        return status.back_at if status is not None else None

    def as_of(self, at: datetime) -> None:
        """Answer who is available as of `at`, with no record being routed: the SLA ladder
        asks who can take a reassigned lead now."""
        self._lead, self._at = None, at.timestamp()

    def _status(self, user_id: str) -> Status | None:
        schedule = self._schedules.get(user_id)
        if schedule is None:
            return None
        if self._at is None:
            if self._lead is None:  # neither routing a record nor asked as of an instant
                return None
            self._at = self.clock(self._lead).timestamp()
        known = self._statuses.get(user_id)
        if known is not None and self._at < known.until and known.valid_from <= self._at:
            return known
        status = replace(schedule.status(self._at), valid_from=self._at)
        self._statuses[user_id] = status
        return status

    def schedule_problems(self) -> list[str]:
        """Reps whose schedule cannot be read, with why: they are treated as unavailable."""
        return [
            f"user {self.world.owner_name(uid)} ({uid}): {s.problem}"
            for uid, s in sorted(self._schedules.items())
            if s.problem is not None
        ]

    def is_routable(self, lead: Lead) -> bool:
        if lead.object not in self.policy.objects:
            return False
        if (lead.owner_id or UNOWNED) not in self.policy.routable_owner_ids:
            return False
        return self.policy.routable_when.holds(FieldFacts("lead.", lead.fields))

    def route(self, lead: Lead, match: Match | None = None) -> Decision:
        if match is None:
            match = self._match(lead)
        self._lead, self._at, self._sticky_trace = lead, None, None
        facts = RecordFacts(lead, match, self.world, self.policy, self._duplicate_owner(lead))
        rules_trace: list[dict[str, Any]] = []
        try:
            outcome = self._sticky(lead, facts) if self.policy.sticky is not None else None
            if outcome is None:
                outcome = self._first_applying(self.policy.rules, facts, rules_trace, [])
        except (
            DATA_ERRORS
        ) as exc:  # bad data must never lose a record; infrastructure errors propagate
            rules_trace.append(
                {"rule": "(error)", "applied": False, "why": f"{type(exc).__name__}: {exc}"}
            )
            outcome = None
        return self._decide(lead, match, facts, outcome, rules_trace)

    def _sticky(self, lead: Lead, facts: RecordFacts) -> _Outcome | None:
        """Back to the owner of an earlier record of the person, if they can take it now;
        what was found and why it did not stick goes to the trace either way."""
        sticky = self.policy.sticky
        assert sticky is not None
        if self._sticky_index is None:
            snapshot = self._earlier or self.world.snapshot
            self._sticky_index = StickyIndex(snapshot.leads, snapshot.contacts, self.world.users)
        now = self.clock(lead)
        found = self._sticky_index.candidates(
            lead, sticky, now.timestamp(), facts.account is not None
        )
        tried: list[str] = []
        for seen in found:
            name = self.world.owner_name(seen.owner_id)
            why_not = self._cannot_take(seen.owner_id, now)
            if why_not is None:
                why = f"returning person: back to {name}, owner of {seen.describe()}"
                self._sticky_trace = {**seen.to_json(), "stuck": True, "why": why}
                return _Outcome(STICKY_RULE, Resolution(seen.owner_id, why), [STICKY_RULE.name])
            tried.append(f"{name}, owner of {seen.describe()}, {why_not}")
        if tried:
            self._sticky_trace = {"stuck": False, "why": "not back to " + "; ".join(tried)}
        return None

    def _cannot_take(self, user_id: str, now: datetime) -> str | None:
        """Why a sticky owner cannot take the lead now: unavailable or at a pool's cap."""
        why = self.unavailable(user_id)
        if why:
            return f"is {why}"
        for pool in self._pools_of.get(user_id, ()):
            tallies = timed_tallies(pool, now) if pool.capped_over_time else None
            member = tallies.members[pool.member_ids.index(user_id)] if tallies else ()
            reading = self.state.read(
                pool.name, [user_id], tallies.moved(member) if tallies else ()
            )
            load = reading.loads.get(user_id, 0)
            if pool.cap is not None and load >= pool.cap:
                return f"is at cap ({load}/{pool.cap} open leads) in pool '{pool.name}'"
            tally = full(member, reading.counts)
            if tally is not None:
                return f"is {tally.describe(reading.counts[tally.key])} in pool '{pool.name}'"
        return None

    def _match(self, lead: Lead) -> Match:
        """An account or an opportunity is its own account's, never matched by name."""
        if lead.object in OWN_ACCOUNT_OBJECTS:
            return self._own_account(lead)
        if self.matcher is None:
            return _no_match(lead, "matching was not run")
        try:
            return self.matcher.match(lead)
        except DATA_ERRORS as exc:
            return _no_match(lead, f"matching failed on this record ({type(exc).__name__}: {exc})")

    def _own_account(self, lead: Lead) -> Match:
        account_id = own_account(lead)
        if account_id is not None and account_id in self.world.accounts:
            return Match(lead.id, account_id, "record", 1.0, "the record's own account")
        why = f"its account {account_id} is not in the CRM" if account_id else "it has no account"
        return _no_match(lead, why)

    def _duplicate_owner(self, lead: Lead) -> str | None:
        email = (lead.email or "").strip().casefold()
        return self._open_lead_owner_by_email.get(email) if email else None

    def _first_applying(
        self,
        rules: tuple[Rule, ...],
        facts: RecordFacts,
        trace: list[dict[str, Any]],
        path: list[str],
    ) -> _Outcome | None:
        runs = self._screens.get(id(rules))
        if runs is None or self._screens_of.get(id(rules)) is not rules:
            runs = self._screen(rules)
        position, count = 0, len(rules)
        while position < count:
            run = runs.get(position)
            if run is None:
                single = rules[position]
                outcome = self._try(single, single.when.why_not(facts), facts, trace, path)
                if outcome is not None:
                    return outcome
                position += 1
                continue
            for failed, candidate in run.segments(facts):
                trace += [{"rule": name, "applied": False, "why": why} for name, why in failed]
                if candidate is None:
                    break
                outcome = self._try(candidate, candidate.when.why_not(facts), facts, trace, path)
                if outcome is not None:
                    return outcome
            position += len(run.rules)
        return None

    def _try(
        self,
        rule: Rule,
        why_not: str | None,
        facts: RecordFacts,
        trace: list[dict[str, Any]],
        path: list[str],
    ) -> _Outcome | None:
        """One rule, given why its condition does not hold (None: it holds)."""
        if why_not is not None:
            trace.append({"rule": rule.name, "applied": False, "why": why_not})
            return None
        if rule.step is not None:
            trace.append(
                {"rule": rule.name, "applied": True, "why": f"hands over to step '{rule.step}'"}
            )
            return self._first_applying(
                self.policy.steps[rule.step], facts, trace, [*path, rule.name]
            )
        assert rule.target is not None
        resolution = self._resolve(rule.target, facts)
        entry: dict[str, Any] = {
            "rule": rule.name,
            "applied": resolution.owner_id is not None,
            "why": resolution.why,
        }
        if resolution.detail:
            entry["pool"] = resolution.detail
        trace.append(entry)
        if resolution.decides:
            return _Outcome(rule, resolution, [*path, rule.name])
        return None

    def _screen(self, rules: tuple[Rule, ...]) -> dict[int, Run]:
        runs = self._screens[id(rules)] = screen(rules)
        self._screens_of[id(rules)] = rules
        return runs

    # --- targets -------------------------------------------------------------------------

    def _resolve(self, target: Target, facts: RecordFacts) -> Resolution:
        if isinstance(target, ToUser):
            return self._to_user(target)
        if isinstance(target, ToQueue):
            return Resolution(target.queue_id, f"to {self.world.owner_name(target.queue_id)}")
        if isinstance(target, ToPool):
            return self._to_pool(target.pool, facts)
        if isinstance(target, ToOwnerOf):
            return self._to_owner_of(target, facts)
        if isinstance(target, ByFact):
            return self._by_fact(target, facts)
        if isinstance(target, Cases):
            return self._cases(target, facts)
        return self._first_of(target, facts)

    def _to_user(self, target: ToUser) -> Resolution:
        name = self.world.owner_name(target.user_id)
        if target.when_available:
            why = self.unavailable(target.user_id)
            if why:
                return Resolution(None, f"{name} is {why}")
            return Resolution(target.user_id, f"to {name}, who is available")
        return Resolution(target.user_id, f"to {name}")

    def _to_pool(self, pool_name: str, facts: RecordFacts) -> Resolution:
        pool = self.policy.pools[pool_name]
        fit = self._fit_request(pool.name, facts) if pool.method == BEST_FIT else None
        now = self.clock(facts.lead) if pool.capped_over_time else None
        for _ in range(_COMMIT_ATTEMPTS):
            returns = self.back_at if pool.off_shift == OFF_SHIFT_WAIT else None
            choice = choose(pool, self.state, self.unavailable, fit, now, returns)
            detail = _pool_detail(pool, choice)
            if choice.held:
                return Resolution(None, choice.why, pool.name, detail, held=True)
            if choice.pick is None:
                return self._no_pick(pool, choice, detail, facts)
            if self.state.commit(choice.pick):
                if choice.pick.tallies and now is not None:
                    detail["counted_at"] = now.astimezone(UTC).isoformat()
                name = self.world.owner_name(choice.pick.user_id)
                why = f"to {name}, {choice.why} of pool '{pool.name}'{self._skipped(choice)}"
                return Resolution(choice.pick.user_id, why, pool.name, detail)
        raise StateContention(
            f"pool '{pool.name}': lost the race for the shared state {_COMMIT_ATTEMPTS} times"
        )

    def _no_pick(
        self, pool: Pool, choice: PoolChoice, detail: dict[str, Any], facts: RecordFacts
    ) -> Resolution:
        why = f"pool '{pool.name}': {choice.why}{self._skipped(choice)}"
        at_cap = choice.capped_until is not None and pool.at_cap != AT_CAP_OVERFLOW
        waits = {
            "a cap reopens": choice.capped_until if at_cap and pool.at_cap == AT_CAP_HOLD else None,
            "the first member is back on shift": choice.on_shift_at,
        }
        if any(t is not None for t in waits.values()):
            when, event = min((t, w) for w, t in waits.items() if t is not None)
            detail["waiting_until"] = _iso(when)
            detail["waiting_for"] = WAIT_CAP if event == "a cap reopens" else WAIT_SHIFT
            why = f"{why}; waits until {_iso(when)}, when {event}"
            return Resolution(None, why, pool.name, detail, waiting_until=when)
        if pool.overflow is not None and not at_cap:
            spill = self._resolve(pool.overflow, facts)
            spill.why = f"{why}; overflow {spill.why}"
            # an overflow into another pool keeps that pool's pick (and slot) on top
            spill.detail = {**spill.detail, "overflowed_from": detail} if spill.detail else detail
            return spill
        return Resolution(None, why, detail=detail)

    def _skipped(self, choice: PoolChoice) -> str:
        skipped = [
            f"{self.world.owner_name(c.user_id)} {c.skipped}"
            for c in choice.considered
            if c.skipped
        ]
        return f" (skipped: {'; '.join(skipped)})" if skipped else ""

    def _fit_request(self, pool_name: str, facts: RecordFacts) -> FitRequest:
        seed = f"{facts.lead.id}:{pool_name}"  # a replay draws the same exploration
        model = self.model
        if model is None:
            return FitRequest(None, "", seed)
        settings = self.policy.pools[pool_name].best_fit
        wanted = settings.segments if settings else ()
        trained = model.segment_names
        if trained != tuple(wanted):
            note = f"model {model.version} is for segments {trained}, the pool asks for {wanted}"
            return FitRequest(None, "", seed, note)
        segment = lead_segment(model.settings.segments, facts.lead, facts.account)
        return FitRequest(model, segment, seed)

    def _accepts(self, owner_id: str | None, accepts: OwnerFilter) -> str | None:
        """Why this owner is not acceptable, or None when it is."""
        if owner_id is None:
            return "has no owner"
        user = self.world.user(owner_id)
        name = self.world.owner_name(owner_id)
        if user is None:
            return f"is owned by {name}, not a user"
        if owner_id in accepts.excluded:
            return f"is owned by {name}, who is excluded"
        if accepts.must_be_active and not user.is_active:
            return f"is owned by {name}, who is inactive"
        if accepts.must_be_available and self.unavailable(owner_id):
            return f"is owned by {name}, who is {self.unavailable(owner_id)}"
        if accepts.team is not None and owner_id not in accepts.team:
            return f"is owned by {name}, who is not in team '{accepts.team_name}'"
        return None

    def _to_owner_of(self, target: ToOwnerOf, facts: RecordFacts) -> Resolution:
        if facts.account is None:
            return Resolution(None, "no matched account")
        if target.source == OPEN_OPPORTUNITY:
            return self._open_opportunity_owner(target.accepts, facts)
        if target.source == CUSTOMER:
            account = facts.customer
            if account is None:
                return Resolution(None, "no customer account in the family")
        elif target.source == ACCOUNT:
            account = facts.account
        else:
            assert facts.family is not None
            account = facts.family.ultimate_parent
            assert account is not None
        rejected = self._accepts(account.owner_id, target.accepts)
        if rejected:
            return Resolution(None, f"{account.name} {rejected}")
        name = self.world.owner_name(account.owner_id)
        return Resolution(account.owner_id, f"to {name}, owner of {account.name}")

    def _open_opportunity_owner(self, accepts: OwnerFilter, facts: RecordFacts) -> Resolution:
        assert facts.family is not None
        rejected: list[str] = []
        for account in facts.family.accounts:
            for opp in self.world.open_opportunities.get(account.id, ()):
                why_not = self._accepts(opp.owner_id, accepts)
                if why_not is None:
                    name = self.world.owner_name(opp.owner_id)
                    when = opp.created_date.date().isoformat() if opp.created_date else "undated"
                    why = (
                        f"to {name}, owner of the newest open opportunity of {account.name} "
                        f"('{opp.fields.get('Name') or opp.id}', created {when})"
                    )
                    return Resolution(opp.owner_id, why)
                rejected.append(f"'{opp.fields.get('Name') or opp.id}' {why_not}")
        if rejected:
            return Resolution(None, "no eligible open opportunity: " + "; ".join(rejected))
        return Resolution(None, "no open opportunity in the account family")

    def _by_fact(self, target: ByFact, facts: RecordFacts) -> Resolution:
        value = facts.fact(target.fact)
        key = value.casefold() if isinstance(value, str) else str(value).casefold()
        chosen = target.choices.get(key, target.default)
        if chosen is None:
            return Resolution(None, f"no target for {target.fact} {show(value)}")
        resolution = self._resolve(chosen, facts)
        resolution.why = f"{target.fact} {show(value)}: {resolution.why}"
        return resolution

    def _cases(self, target: Cases, facts: RecordFacts) -> Resolution:
        for case in target.cases:
            if case.when.holds(facts):
                resolution = self._resolve(case.target, facts)
                resolution.why = f"{case.when.explain(facts)}: {resolution.why}"
                return resolution
        if target.default is None:
            return Resolution(None, "no case applied and there is no default")
        return self._resolve(target.default, facts)

    def _first_of(self, target: FirstOf, facts: RecordFacts) -> Resolution:
        misses: list[str] = []
        for option in target.targets:
            resolution = self._resolve(option, facts)
            if resolution.owner_id is not None:
                return resolution
            misses.append(resolution.why)
        return Resolution(None, "; ".join(dict.fromkeys(misses)))

    # --- the decision --------------------------------------------------------------------

    def _decide(
        self,
        lead: Lead,
        match: Match,
        facts: RecordFacts,
        outcome: _Outcome | None,
        rules_trace: list[dict[str, Any]],
    ) -> Decision:
        if outcome is None:
            owner_id = self.policy.fallback_owner_id
            rule_name, scored, pool = FALLBACK_RULE, True, None
            fallback = self.world.owner_name(owner_id)
            reason = f"No rule applied, so it went to the fallback owner {fallback}."
        else:
            res = outcome.resolution
            waits = res.held or res.waiting_until is not None
            owner_id, rule_name, scored, pool = (
                res.owner_id or ("" if not waits else lead.owner_id or ""),
                outcome.rule.name,
                outcome.rule.scored,
                res.pool,
            )
            reason = f"Rule {rule_name}: {_sentence(outcome.rule.description, res.why)}"
        if pool is None and owner_id in self.world.users:
            # a pool pick already counted itself when it was committed
            self.state.move_load(lead.owner_id, owner_id)
        scored_result = facts.scored if scored else None
        trace = self._trace(facts, rules_trace, outcome)
        return Decision(
            record_id=lead.id,
            object=lead.object,
            owner_id=owner_id,
            previous_owner_id=lead.owner_id,
            account_id=match.account_id,
            match_method=match.method,
            rule=rule_name,
            score=scored_result.total if scored_result else 0,
            tier=scored_result.tier if scored_result else None,
            pool=pool,
            reason=reason,
            trace=trace,
        )

    def _trace(
        self,
        facts: RecordFacts,
        rules_trace: list[dict[str, Any]],
        outcome: _Outcome | None,
    ) -> dict[str, Any]:
        located = facts.located
        trace: dict[str, Any] = {
            "match": facts.match.to_json(),
            "family": [a.id for a in facts.family.accounts] if facts.family else [],
            "rules": rules_trace,
            "path": outcome.path if outcome else [FALLBACK_RULE],
        }
        if self.model is not None:
            trace["model_version"] = self.model.version
        if self._sticky_trace is not None:
            trace["sticky"] = self._sticky_trace
        if outcome is not None and outcome.resolution.held:
            trace["held_for_approval"] = held_for_approval(outcome.resolution)
        if outcome is not None and outcome.resolution.waiting_until is not None:
            trace["waiting"] = waiting_for(outcome.resolution)
        if facts.family and facts.family.problem:
            trace["family_problem"] = facts.family.problem
        title_role = facts.title_role_if_read()
        if title_role is not None:
            trace["title"] = title_role.to_json()
        if located is not None:
            trace["territory"] = {
                "name": located.territory.name if located.territory else None,
                "region": located.territory.region if located.territory else None,
                "source": facts.location_source,
                "read": list(located.location.notes),
                "why": located.why,
            }
        if outcome is None or outcome.rule.scored:
            scored = facts.scored
            if scored is not None:
                trace["score"] = {
                    "total": scored.total,
                    "tier": scored.tier,
                    "breakdown": [self._signal_row(s) for s in scored.breakdown],
                }
        return trace

    def _signal_row(self, score: SignalScore) -> dict[str, Any]:
        """A signal's line of the trace, a copy of the one built for the same score: scores are
        remembered per value read, so the same few recur."""
        known = self._signal_rows.get(id(score))
        if known is None or known[0] is not score:
            row = {
                "signal": score.name,
                "field": score.field,
                "source": score.source,
                "value": _jsonable(score.value),
                "points": score.points,
                "why": score.why,
            }
            if len(self._signal_rows) >= _SIGNAL_ROWS:
                self._signal_rows.clear()
            known = self._signal_rows[id(score)] = (score, row)
        return dict(known[1])


def held_for_approval(resolution: Resolution) -> dict[str, Any]:
    """What a person approves: the pool, best fit's recommendation, the fallback's pick."""
    approval = resolution.detail.get("best_fit", {}).get("approval", {})
    return {
        "pool": resolution.pool,
        "recommended": approval.get("recommended"),
        "fallback": approval.get("fallback"),
        "why": resolution.why,
    }


def waiting_for(resolution: Resolution) -> dict[str, Any]:
    """A record a pool holds (at cap, or nobody on shift): which pool, until when (UTC), what
    for, and why."""
    until = resolution.waiting_until or 0.0
    return {
        "pool": resolution.pool,
        "until": _iso(until),
        "for": resolution.detail.get("waiting_for", WAIT_CAP),
        "why": resolution.why,
    }


Clock = Callable[[Lead], datetime]


def wall_clock(_lead: Lead) -> datetime:
    """The live worker routes a record as of now."""
    return datetime.now(UTC)


def arrival_time(lead: Lead) -> datetime:
    """A replay routes a record as of its creation."""
    if lead.created_date is None:
        raise ValueError(f"{lead.id} has no created date to count caps over time from")
    return lead.created_date


def _pool_detail(pool: Pool, choice: PoolChoice) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "pool": pool.name,
        "method": pool.method,
        "cap": pool.cap,
        "considered": [c.to_json() for c in choice.considered],
        # the rotation slot taken: lets a lost state store resume the rotation
        "slot": choice.pick.slot if choice.pick else None,
    }
    if choice.best_fit is not None:
        detail["best_fit"] = choice.best_fit
    return detail


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat()


def _sentence(description: str, why: str) -> str:
    text = f"{description} — {why}" if description else why
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _no_match(lead: Lead, why: str) -> Match:
    return Match(lead.id, None, NO_MATCH_METHOD, 0.0, why)


def why_unavailable(
    is_active: bool, fields: Mapping[str, object], away_fields: tuple[str, ...]
) -> str | None:
    if not is_active:
        return "inactive"
    for name in away_fields:
        value = fields.get(name)
        if value is True or (
            isinstance(value, str) and value.strip().casefold() in ("true", "1", "yes")
        ):
            return f"away ({name})"
    return None


def _open_lead_owners_by_email(snapshot: CrmSnapshot, policy: RoutingPolicy) -> dict[str, str]:
    owners: dict[str, str] = {}
    for lead in sorted(snapshot.leads, key=routing_order):
        email = (lead.email or "").strip().casefold()
        if (
            email
            and lead.owner_id
            and lead.owner_id not in policy.routable_owner_ids
            and lead.object in policy.objects
            and is_open(lead, policy)
        ):
            owners[email] = lead.owner_id
    return owners


def is_open(lead: Lead, policy: RoutingPolicy) -> bool:
    return policy.open_lead_when.holds(FieldFacts("lead.", lead.fields))


def open_lead_loads(snapshot: CrmSnapshot, policy: RoutingPolicy) -> dict[str, int]:
    """Each user's open-lead load as the CRM has it now, in the objects the policy routes (on
    HubSpot, a Leads object and its contact are one person, not two open leads)."""
    loads: dict[str, int] = {}
    for lead in snapshot.leads:
        if lead.object not in policy.objects:
            continue
        owner = lead.owner_id
        if owner is not None and owner in snapshot.users and is_open(lead, policy):
            loads[owner] = loads.get(owner, 0) + 1
    return loads


def route_all(router: Router, leads: Iterable[Lead]) -> Iterator[Decision]:
    """Route every routable record, oldest first (ties by Id), as the playbook requires."""
    for lead in sorted((x for x in leads if router.is_routable(x)), key=routing_order):
        yield router.route(lead)
