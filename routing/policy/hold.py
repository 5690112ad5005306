"""The enrichment hold: routing waits until the fields it routes on are filled (by an
enrichment tool writing to the CRM) or a timeout passes, then routes with what is there.

Pure: the worker remembers when it first saw a held record and asks again on each pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from routing.conditions import ALWAYS, Condition, FieldFacts
from routing.model import FieldValue, Lead

HELD, FILLED, TIMED_OUT, NOT_HELD = "held", "filled", "timeout", "not_held"
ALL, ANY = "all", "any"


@dataclass(frozen=True, slots=True)
class HoldRule:
    """Hold records of `objects` that meet `when` until `fields` are filled (all of them, or
    any one with `require=any`), for at most `timeout` from when the worker first saw them."""

    name: str
    fields: tuple[str, ...]
    timeout: timedelta
    objects: tuple[str, ...] = ("Lead",)
    when: Condition = ALWAYS
    require: str = ALL

    def applies_to(self, lead: Lead) -> bool:
        return lead.object in self.objects and self.when.holds(FieldFacts("lead.", lead.fields))

    def missing(self, lead: Lead) -> tuple[str, ...]:
        empty = tuple(f for f in self.fields if not is_filled(lead.fields.get(f)))
        if self.require == ANY and len(empty) < len(self.fields):
            return ()
        return empty


@dataclass(frozen=True, slots=True)
class HoldPolicy:
    rules: tuple[HoldRule, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.rules)

    def rule_for(self, lead: Lead) -> HoldRule | None:
        """The first rule that applies: one record waits for one list of fields."""
        return next((r for r in self.rules if r.applies_to(lead)), None)


@dataclass(frozen=True, slots=True)
class HoldVerdict:
    outcome: str  # HELD, FILLED, TIMED_OUT or NOT_HELD
    why: str
    rule: str | None = None
    missing: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def held(self) -> bool:
        return self.outcome == HELD

    def to_json(self) -> dict[str, Any]:
        """What a released record's decision trace says about its wait."""
        return {
            "outcome": self.outcome,
            "rule": self.rule,
            "missing": list(self.missing),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "why": self.why,
        }


def judge_hold(policy: HoldPolicy, lead: Lead, first_seen: datetime, now: datetime) -> HoldVerdict:
    """Hold or release `lead`, first seen (routable) at `first_seen`, as of `now`."""
    rule = policy.rule_for(lead)
    if rule is None:
        return HoldVerdict(NOT_HELD, "no hold rule applies")
    until = first_seen + rule.timeout
    missing = rule.missing(lead)
    waited = _duration(now - first_seen)
    if not missing:
        wanted = _names(rule.fields, "or" if rule.require == ANY else "and")
        return HoldVerdict(
            FILLED,
            f"{wanted} filled after {waited} (hold '{rule.name}')",
            rule.name,
            (),
            first_seen,
            until,
        )
    if now >= until:
        return HoldVerdict(
            TIMED_OUT,
            f"{_names(missing, 'and')} still empty after {_duration(rule.timeout)} "
            f"(hold '{rule.name}'): routed with what is there",
            rule.name,
            missing,
            first_seen,
            until,
        )
    return HoldVerdict(
        HELD,
        f"waiting for {_names(missing, 'and')} (hold '{rule.name}') until "
        f"{until:%Y-%m-%d %H:%M} UTC",
        rule.name,
        missing,
        first_seen,
        until,
    )


def is_filled(value: FieldValue) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def _names(fields: tuple[str, ...], joiner: str) -> str:
    if len(fields) <= 1:
        return "".join(fields)
    return f"{', '.join(fields[:-1])} {joiner} {fields[-1]}"


def _duration(span: timedelta) -> str:
    minutes = max(0, round(span.total_seconds() / 60))
    if minutes < 120:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
