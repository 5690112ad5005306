"""Choosing by best fit among the pool members who can take a lead, fairly.

1. The fairness band: over the pool's last `window` assignments, a member already above
   (1 + band) × an even share sits this one out, and members below (1 − band) × an even share
   go first.
2. The evidence: the members whose interval reaches the best member's lower bound cannot be
   told apart from the best. If that is one member, it gets the lead; if several, the one
   with the fewest recent leads does (then the first listed), which is round robin.
3. Exploration: with probability `exploration`, drawn from the record's Id so a replay makes
   the same choice, the member with the least evidence gets the lead, so new reps are learned.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from routing.bestfit.model import WIN_RATE, Estimate, SkillModel

EVIDENCE = "evidence"
TIE = "tie"
EXPLORATION = "exploration"
FAIRNESS = "fairness"


class FitCandidate(NamedTuple):
    user_id: str
    estimate: Estimate
    score: float
    low: float
    high: float
    recent: int  # assignments in the pool's window


@dataclass(frozen=True, slots=True)
class FitChoice:
    chosen: FitCandidate
    how: str  # EVIDENCE, TIE, EXPLORATION or FAIRNESS (the band left one member)
    allowed: frozenset[str]  # inside the fairness band
    leaders: frozenset[str]  # not separable from the best
    fairness: str | None  # what the band did, if anything


def candidate(user_id: str, estimate: Estimate, objective: str, recent: int) -> FitCandidate:
    if objective == WIN_RATE:
        return FitCandidate(user_id, estimate, estimate.p, estimate.low, estimate.high, recent)
    score, low, high = estimate.scored(objective)
    return FitCandidate(user_id, estimate, score, low, high, recent)


def fit_candidates(
    model: SkillModel,
    segment: str,
    objective: str,
    user_ids: Sequence[str],
    recent: Mapping[str, int],
) -> list[FitCandidate]:
    """As `candidate` for each user, from the model's scores for the segment, computed once."""
    known = model.scored_in(segment, objective)
    out = []
    for user_id in user_ids:
        found = known.get(user_id) or model.score(user_id, segment, objective)
        out.append(
            FitCandidate(
                user_id, found.estimate, found.score, found.low, found.high, recent.get(user_id, 0)
            )
        )
    return out


def draw(seed: str) -> float:
    """A uniform number in [0, 1) fixed by the seed (the record's Id and the pool)."""
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def within_band(
    candidates: Sequence[FitCandidate], band: float
) -> tuple[list[FitCandidate], str | None]:
    total = sum(c.recent for c in candidates)
    even_next = (total + 1) / len(candidates)
    floor = math.floor((1.0 - band) * total / len(candidates))
    owed = [c for c in candidates if c.recent < floor]
    if owed:
        return owed, f"{len(owed)} below the fairness band go first"
    ceiling = max(1.0, (1.0 + band) * even_next)
    under = [c for c in candidates if c.recent + 1 <= ceiling]
    if under and len(under) < len(candidates):
        return under, f"{len(candidates) - len(under)} at the top of the fairness band sit out"
    return list(candidates), None


def choose_best_fit(
    candidates: Sequence[FitCandidate], band: float, exploration: float, chance: float
) -> FitChoice:
    """`candidates` are the available members under the cap, in the pool's order."""
    allowed, fairness = within_band(candidates, band)
    order = {c.user_id: i for i, c in enumerate(allowed)}
    best = max(allowed, key=lambda c: (c.score, -order[c.user_id]))
    leaders = [c for c in allowed if c.high >= best.low]
    allowed_ids = frozenset(order)
    leader_ids = frozenset(c.user_id for c in leaders)
    if chance < exploration and len(allowed) > 1:
        chosen = min(allowed, key=lambda c: (c.estimate.deals, c.recent, order[c.user_id]))
        return FitChoice(chosen, EXPLORATION, allowed_ids, leader_ids, fairness)
    if len(allowed) == 1:
        return FitChoice(best, FAIRNESS, allowed_ids, leader_ids, fairness)
    if len(leaders) == 1:
        return FitChoice(best, EVIDENCE, allowed_ids, leader_ids, fairness)
    chosen = min(leaders, key=lambda c: (c.recent, order[c.user_id]))
    return FitChoice(chosen, TIE, allowed_ids, leader_ids, fairness)


def explain(choice: FitChoice) -> str:
    est = choice.chosen.estimate
    evidence = (
        f"win rate {est.p:.2f} [{est.low:.2f}–{est.high:.2f}] from {est.deals} deals"
        if est.evidence
        else f"no evidence yet ({est.deals} deals; the segment's {est.p:.2f})"
    )
    if choice.how == EVIDENCE:
        text = f"best fit, the evidence sets them apart ({evidence})"
    elif choice.how == FAIRNESS:
        text = f"best fit, held to the fairness band ({evidence})"
    elif choice.how == EXPLORATION:
        text = f"best fit exploring: least evidence in the pool ({evidence})"
    else:
        text = (
            f"best fit: the evidence does not separate {len(choice.leaders)} members, "
            f"so the one with the fewest recent leads ({choice.chosen.recent}; {evidence})"
        )
    return f"{text}; {choice.fairness}" if choice.fairness else text


@dataclass(frozen=True, slots=True)
class FitRequest:
    """What a best-fit pool needs for one record: the model (None: use the fallback method),
    the record's segment, and the seed of its exploration draw."""

    model: SkillModel | None
    segment: str
    seed: str
    note: str = "no model"


def candidate_rows(
    fit: FitRequest, objective: str, candidates: Sequence[FitCandidate], choice: FitChoice
) -> dict[str, dict[str, Any]]:
    assert fit.model is not None
    known = fit.model.scored_in(fit.segment, objective)
    rows = {}
    allowed, leaders = choice.allowed, choice.leaders
    for c in candidates:
        row = dict(known[c.user_id].row)
        row["recent"] = c.recent
        row["in_band"] = c.user_id in allowed
        row["leader"] = c.user_id in leaders
        rows[c.user_id] = row
    return rows


def trace(
    fit: FitRequest, mode: str, objective: str, choice: FitChoice, chance: float
) -> dict[str, Any]:
    assert fit.model is not None
    return {
        "model": fit.model.version,
        "mode": mode,
        "objective": objective,
        "segment": fit.model.segment_parts(fit.segment),
        "choice": choice.chosen.user_id,
        "how": choice.how,
        "exploration_draw": round(chance, 4),
        "fairness": choice.fairness,
    }
