"""Best-fit routing's model: how well each rep does in each segment, learned from the CRM's
own closed deals.

Each rep × segment is a beta-binomial cell. Its prior is the segment's win rate (itself shrunk
toward the team's), with a strength learned from the data (empirical Bayes): when reps really
differ, a cell's own deals soon dominate; when they do not, the prior outweighs them, so two
lucky deals never make a specialist. Deals count less as they age (a half-life), and a cell
with fewer than `min_deals` deals gets the prior outright. Everything a routing decision needs
is computed at training time, so routing reads a dictionary.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

from routing.bestfit._segments import (
    NONE_VALUE,
    SegmentField,
    deal_segment,
    lead_segment,
    parse_segment_field,
    segment_parts,
)
from routing.bestfit._stats import Cell, beta_interval, clamp_rate, prior_strength
from routing.model import Account, Opportunity

__all__ = [
    "NONE_VALUE",
    "ClosedDeal",
    "Estimate",
    "Scored",
    "SegmentField",
    "SkillModel",
    "SkillSettings",
    "closed_deals",
    "lead_segment",
    "parse_segment_field",
    "segment_parts",
    "train",
]

WIN_RATE = "win_rate"
EXPECTED_VALUE = "expected_value"
AMOUNT_PSEUDO_DEALS = 5.0  # won deals' worth of the segment's mean amount in a rep's mean
_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class SkillSettings:
    segments: tuple[SegmentField, ...]
    half_life_days: float = 365.0
    min_deals: int = 5

    def to_json(self) -> dict[str, Any]:
        return {
            "segments": [str(s) for s in self.segments],
            "half_life_days": self.half_life_days,
            "min_deals": self.min_deals,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SkillSettings:
        segments = tuple(parse_segment_field(s) for s in data["segments"])
        return cls(segments, float(data["half_life_days"]), int(data["min_deals"]))


@dataclass(frozen=True, slots=True)
class ClosedDeal:
    id: str
    owner_id: str
    segment: str
    won: bool
    amount: float | None
    closed: datetime
    cycle_days: float | None = None


@dataclass(frozen=True, slots=True)
class Estimate:
    """A rep's expected win rate in a segment, its 95% interval, and the evidence behind it.
    `evidence` is False when the deals are under the minimum and the estimate is the prior."""

    p: float
    low: float
    high: float
    deals: int
    won: int
    amount: float | None = None  # expected amount of a won deal
    cycle_days: float | None = None
    evidence: bool = True

    def scored(self, objective: str) -> tuple[float, float, float]:
        """(score, low, high) under the objective: win rate, or win rate × amount."""
        if objective == EXPECTED_VALUE and self.amount:
            return self.p * self.amount, self.low * self.amount, self.high * self.amount
        return self.p, self.low, self.high

    def to_json(self, digits: int | None = 4) -> dict[str, Any]:
        """Rounded for a trace; `digits=None` keeps full precision, for a stored model."""

        def show(value: float | None) -> float | None:
            return value if value is None or digits is None else round(value, digits)

        return {
            "p": show(self.p),
            "low": show(self.low),
            "high": show(self.high),
            "deals": self.deals,
            "won": self.won,
            "amount": show(self.amount),
            "cycle_days": show(self.cycle_days),
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Estimate:
        return cls(**data)


class Scored(NamedTuple):
    """A rep's estimate in a segment scored under an objective, with its trace row."""

    estimate: Estimate
    score: float
    low: float
    high: float
    row: dict[str, Any]  # as a trace shows it, with the score: copy before adding to it


@dataclass(frozen=True)
class SkillModel:
    version: str
    settings: SkillSettings
    as_of: datetime
    n_train: int
    kappa: float  # deals the prior is worth in a rep × segment cell
    team: Estimate
    segments: Mapping[str, Estimate]  # each segment's own (shrunk) rate
    priors: Mapping[str, Estimate]  # a rep with no evidence in the segment
    cells: Mapping[tuple[str, str], Estimate] = field(repr=False)
    _shown: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    _parts: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)
    _scored: dict[tuple[str, str], dict[str, Scored]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def estimate(self, rep_id: str, segment: str) -> Estimate:
        found = self.cells.get((rep_id, segment))
        if found is not None:
            return found
        return self.priors.get(segment) or self.priors[""]

    @cached_property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(str(s) for s in self.settings.segments)

    def shown(self, estimate: Estimate) -> dict[str, Any]:
        """An estimate of this model as a trace shows it, built once: routing stays fast."""
        row = self._shown.get(id(estimate))
        if row is None:
            row = self._shown[id(estimate)] = estimate.to_json()
        return dict(row)

    def scored_in(self, segment: str, objective: str) -> dict[str, Scored]:
        """Per rep, the estimates in one segment scored under the objective: filled as reps
        are asked for, once per model, so a routing decision reads a dictionary."""
        key = (segment, objective)
        found = self._scored.get(key)
        if found is None:
            found = self._scored[key] = {}
        return found

    def score(self, rep_id: str, segment: str, objective: str) -> Scored:
        known = self.scored_in(segment, objective)
        found = known.get(rep_id)
        if found is None:
            estimate = self.estimate(rep_id, segment)
            score, low, high = estimate.scored(objective)
            row = self.shown(estimate)
            row["score"] = round(score, 4)
            found = known[rep_id] = Scored(estimate, score, low, high, row)
        return found

    def segment_parts(self, segment: str) -> dict[str, str]:
        parts = self._parts.get(segment)
        if parts is None:
            parts = self._parts[segment] = segment_parts(self.settings.segments, segment)
        return dict(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "settings": self.settings.to_json(),
            "as_of": self.as_of.isoformat(),
            "n_train": self.n_train,
            "kappa": self.kappa,
            "team": self.team.to_json(None),
            "segments": {k: v.to_json(None) for k, v in self.segments.items()},
            "priors": {k: v.to_json(None) for k, v in self.priors.items()},
            "cells": [[rep, seg, est.to_json(None)] for (rep, seg), est in self.cells.items()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SkillModel:
        return cls(
            version=data["version"],
            settings=SkillSettings.from_json(data["settings"]),
            as_of=datetime.fromisoformat(data["as_of"]),
            n_train=int(data["n_train"]),
            kappa=float(data["kappa"]),
            team=Estimate.from_json(data["team"]),
            segments={k: Estimate.from_json(v) for k, v in data["segments"].items()},
            priors={k: Estimate.from_json(v) for k, v in data["priors"].items()},
            cells={(rep, seg): Estimate.from_json(est) for rep, seg, est in data["cells"]},
        )


def closed_deals(
    opportunities: Iterable[Opportunity],
    accounts: Mapping[str, Account],
    segments: Sequence[SegmentField],
) -> Iterator[ClosedDeal]:
    """Closed, owned, dated opportunities as deals, each with its segment."""
    for opp in opportunities:
        closed = opp.close_date
        if not opp.is_closed or opp.owner_id is None or closed is None:
            continue
        account = accounts.get(opp.account_id) if opp.account_id else None
        cycle = None
        if opp.created_date is not None:
            cycle = max(0.0, (closed - opp.created_date).total_seconds() / _DAY)
        segment = deal_segment(segments, opp, account)
        yield ClosedDeal(opp.id, opp.owner_id, segment, opp.is_won, opp.amount, closed, cycle)


# --- training -----------------------------------------------------------------------------

# Per group: deals, won, weighted deals, weighted won, sum of squared weights, weighted won
# deals with an amount, weighted amount, deals with a cycle, cycle days.
_N, _WON, _WN, _WW, _W2, _AN, _AMT, _CN, _CYC = range(9)


def _new_stats() -> list[float]:
    return [0.0] * 9


def _add(stats: list[float], won: bool, weight: float, deal: ClosedDeal) -> None:
    stats[_N] += 1
    stats[_WN] += weight
    stats[_W2] += weight * weight
    if won:
        stats[_WON] += 1
        stats[_WW] += weight
        if deal.amount is not None:
            stats[_AN] += weight
            stats[_AMT] += weight * deal.amount
    if deal.cycle_days is not None:
        stats[_CN] += 1
        stats[_CYC] += deal.cycle_days


def train(deals: Iterable[ClosedDeal], settings: SkillSettings, as_of: datetime) -> SkillModel:
    """Learn from deals closed before `as_of`; a deal `half_life_days` old counts half."""
    cells: dict[tuple[str, str], list[float]] = {}
    by_segment: dict[str, list[float]] = {}
    team = _new_stats()
    decay = 0.5 ** (1.0 / (settings.half_life_days * _DAY))
    for deal in deals:
        age = (as_of - deal.closed).total_seconds()
        weight = decay**age if age > 0 else 1.0
        key = (deal.owner_id, deal.segment)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _new_stats()
        segment = by_segment.get(deal.segment)
        if segment is None:
            segment = by_segment[deal.segment] = _new_stats()
        won = deal.won
        _add(cell, won, weight, deal)
        _add(segment, won, weight, deal)
        _add(team, won, weight, deal)
    return _fit(cells, by_segment, team, settings, as_of)


def _rate(stats: Sequence[float]) -> float:
    return stats[_WW] / stats[_WN] if stats[_WN] > 0 else 0.0


def _effective_n(stats: Sequence[float]) -> float:
    return stats[_WN] ** 2 / stats[_W2] if stats[_W2] > 0 else 0.0


def _mean_amount(stats: Sequence[float], prior: float | None) -> float | None:
    if prior is None:
        return stats[_AMT] / stats[_AN] if stats[_AN] > 0 else None
    return (stats[_AMT] + AMOUNT_PSEUDO_DEALS * prior) / (stats[_AN] + AMOUNT_PSEUDO_DEALS)


def _cycle(stats: Sequence[float]) -> float | None:
    return stats[_CYC] / stats[_CN] if stats[_CN] else None


def _posterior(stats: Sequence[float], prior_rate: float, kappa: float) -> tuple[float, ...]:
    alpha = kappa * prior_rate + stats[_WW]
    beta = kappa * (1.0 - prior_rate) + stats[_WN] - stats[_WW]
    low, high = beta_interval(alpha, beta)
    return alpha / (alpha + beta), low, high


def _prior(rate: float, kappa: float, amount: float | None) -> Estimate:
    low, high = beta_interval(kappa * rate, kappa * (1.0 - rate))
    return Estimate(rate, low, high, 0, 0, amount, None, evidence=False)


def _fit(
    cells: Mapping[tuple[str, str], list[float]],
    by_segment: Mapping[str, list[float]],
    team: list[float],
    settings: SkillSettings,
    as_of: datetime,
) -> SkillModel:
    team_rate = clamp_rate(_rate(team)) if team[_WN] else 0.5
    team_amount = _mean_amount(team, None)
    kappa_segment = prior_strength(
        [Cell(_rate(s), _effective_n(s), team_rate) for s in by_segment.values()]
    )
    segments: dict[str, Estimate] = {}
    for name, stats in by_segment.items():
        p, low, high = _posterior(stats, team_rate, kappa_segment)
        amount = _mean_amount(stats, team_amount) if team_amount is not None else None
        segments[name] = Estimate(
            p, low, high, int(stats[_N]), int(stats[_WON]), amount, _cycle(stats)
        )
    evidenced = [
        Cell(_rate(stats), _effective_n(stats), clamp_rate(segments[seg].p))
        for (_, seg), stats in cells.items()
        if stats[_N] >= settings.min_deals
    ]
    kappa = prior_strength(evidenced)
    priors = {seg: _prior(clamp_rate(est.p), kappa, est.amount) for seg, est in segments.items()}
    priors[""] = _prior(team_rate, kappa, team_amount)  # a segment never seen in training
    fitted = {key: _cell(stats, priors[key[1]], kappa, settings) for key, stats in cells.items()}
    team_low, team_high = beta_interval(team[_WW] + 1.0, team[_WN] - team[_WW] + 1.0)
    team_estimate = Estimate(
        team_rate, team_low, team_high, int(team[_N]), int(team[_WON]), team_amount, _cycle(team)
    )
    version = _version(cells, settings, as_of)
    return SkillModel(
        version, settings, as_of, int(team[_N]), kappa, team_estimate, segments, priors, fitted
    )


def _cell(
    stats: Sequence[float], prior: Estimate, kappa: float, settings: SkillSettings
) -> Estimate:
    deals, won, cycle = int(stats[_N]), int(stats[_WON]), _cycle(stats)
    if deals < settings.min_deals:
        return Estimate(prior.p, prior.low, prior.high, deals, won, prior.amount, cycle, False)
    p, low, high = _posterior(stats, prior.p, kappa)
    amount = _mean_amount(stats, prior.amount) if prior.amount is not None else None
    return Estimate(p, low, high, deals, won, amount, cycle)


def _version(
    cells: Mapping[tuple[str, str], Sequence[float]], settings: SkillSettings, as_of: datetime
) -> str:
    """A hash of what was learned from and how: the same deals and settings give the same
    version, so a decision that names it can be reproduced."""
    digest = hashlib.sha256()
    digest.update(json.dumps([settings.to_json(), as_of.isoformat()]).encode())
    for key in sorted(cells):
        stats = cells[key]
        digest.update(json.dumps([*key, *(round(v, 6) for v in stats)]).encode())
    return digest.hexdigest()[:16]
