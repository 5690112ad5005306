"""Proving best fit on the CRM's own history: train on deals closed before a date, replay the
later ones, and compare the deals that went to the rep the model would have chosen with the
others — next to round robin, whose choice carries no information and shows the noise.

The uplift is the win rate of test deals whose actual rep was the model's choice minus that of
the other test deals, with a bootstrap 95% interval; an interval that includes zero means the
history shows no skill the model can use, and the report says so.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from routing.bestfit._stats import Rates, bootstrap_uplift
from routing.bestfit.choice import candidate, choose_best_fit, draw
from routing.bestfit.model import WIN_RATE, ClosedDeal, Estimate, SkillModel, SkillSettings, train

_BINS = 10


@dataclass(frozen=True, slots=True)
class EvalSettings:
    skill: SkillSettings
    objective: str = WIN_RATE
    fairness_band: float = 0.25
    window: int = 200
    exploration: float = 0.1
    seed: int = 20_240_601
    resamples: int = 2000


@dataclass(frozen=True)
class Evaluation:
    model: SkillModel
    summary: dict[str, Any]
    test: tuple[ClosedDeal, ...]
    reps: tuple[str, ...]


def evaluate(
    deals: Sequence[ClosedDeal], train_until: datetime, settings: EvalSettings
) -> Evaluation:
    training = [d for d in deals if d.closed < train_until]
    test = tuple(sorted((d for d in deals if d.closed >= train_until), key=_replay_order))
    model = train(training, settings.skill, train_until)
    reps = tuple(sorted({d.owner_id for d in test}))  # the reps still closing deals
    choices = _model_choices(model, test, reps, settings.objective)
    rotation = [reps[i % len(reps)] for i in range(len(test))] if reps else []
    summary: dict[str, Any] = {
        "train_until": train_until.isoformat(),
        "segments": [str(s) for s in settings.skill.segments],
        "model_version": model.version,
        "n_train": len(training),
        "n_test": len(test),
        "reps": len(reps),
        "kappa": round(model.kappa, 2),
        **_comparison(test, choices, settings),
        "calibration": _calibration(model, test),
        "round_robin": {
            **_comparison(test, rotation, settings),
            "calibration": _calibration(model, test, flat=True),
        },
        "routing": _replay(model, test, reps, settings),
    }
    summary["effect_found"] = summary["ci_low"] is not None and summary["ci_low"] > 0
    summary["verdict"] = _verdict(summary)
    return Evaluation(model, summary, test, reps)


def _replay_order(deal: ClosedDeal) -> tuple[datetime, str]:
    return deal.closed, deal.id


def _ranked(model: SkillModel, segment: str, reps: Sequence[str], objective: str) -> list[str]:
    """The reps sharing the best expected outcome in the segment (several only on a tie)."""
    scores = {r: model.estimate(r, segment).scored(objective)[0] for r in reps}
    top = max(scores.values())
    return [r for r in reps if scores[r] >= top - 1e-12]


def _model_choices(
    model: SkillModel, test: Sequence[ClosedDeal], reps: Sequence[str], objective: str
) -> list[str]:
    """The model's choice per test deal; exact ties take turns, so a model that knows nothing
    spreads its choices like round robin."""
    best: dict[str, list[str]] = {}
    choices = []
    for i, deal in enumerate(test):
        tied = best.get(deal.segment)
        if tied is None:
            tied = best[deal.segment] = _ranked(model, deal.segment, reps, objective)
        choices.append(tied[i % len(tied)])
    return choices


def _comparison(
    test: Sequence[ClosedDeal], choices: Sequence[str], settings: EvalSettings
) -> dict[str, Any]:
    counts = Counter((d.owner_id == c, d.won) for d, c in zip(test, choices, strict=True))
    rates = Rates(
        counts[True, True],
        counts[True, True] + counts[True, False],
        counts[False, True],
        counts[False, True] + counts[False, False],
    )
    low, high = bootstrap_uplift(rates, settings.seed, settings.resamples)
    uplift = rates.uplift()
    return {
        "uplift": None if uplift is None else round(uplift, 4),
        "ci_low": None if low is None else round(low, 4),
        "ci_high": None if high is None else round(high, 4),
        "chosen": _group(rates.chosen_won, rates.chosen_n),
        "other": _group(rates.other_won, rates.other_n),
    }


def _group(won: int, n: int) -> dict[str, Any]:
    return {"n": n, "won": won, "win_rate": round(won / n, 4) if n else None}


def _calibration(
    model: SkillModel, test: Sequence[ClosedDeal], flat: bool = False
) -> dict[str, Any]:
    """How the predicted win rates (the model's for the actual rep, or the team's for round
    robin) compare with what happened: per bin, the Brier score and the expected error."""
    bins = [[0, 0.0, 0] for _ in range(_BINS)]  # n, sum of predictions, won
    brier = brier_base = 0.0
    base = model.team.p
    for deal in test:
        p = base if flat else model.estimate(deal.owner_id, deal.segment).p
        outcome = 1.0 if deal.won else 0.0
        row = bins[min(_BINS - 1, int(p * _BINS))]
        row[0] += 1
        row[1] += p
        row[2] += int(deal.won)
        brier += (p - outcome) ** 2
        brier_base += (base - outcome) ** 2
    n = len(test) or 1
    rows = [
        {
            "low": i / _BINS,
            "high": (i + 1) / _BINS,
            "n": int(r[0]),
            "predicted": round(r[1] / r[0], 4),
            "observed": round(r[2] / r[0], 4),
        }
        for i, r in enumerate(bins)
        if r[0]
    ]
    ece = sum(r["n"] * abs(r["predicted"] - r["observed"]) for r in rows) / n
    return {
        "bins": rows,
        "brier": round(brier / n, 5),
        "brier_base_rate": round(brier_base / n, 5),
        "ece": round(ece, 4),
    }


def _replay(
    model: SkillModel, test: Sequence[ClosedDeal], reps: Sequence[str], settings: EvalSettings
) -> dict[str, Any]:
    """Route the test deals again with the pool's rules (band, window, exploration), everyone
    available, and report each rep's share next to round robin's even one."""
    if not reps:
        return {"shares": {}, "max_share_deviation": None, "how": {}}
    recent: deque[str] = deque(maxlen=settings.window)
    counts: Counter[str] = Counter()
    window_counts: Counter[str] = Counter()
    how: Counter[str] = Counter()
    estimates: dict[str, list[Estimate]] = {}
    for deal in test:
        ests = estimates.get(deal.segment)
        if ests is None:
            ests = estimates[deal.segment] = [model.estimate(r, deal.segment) for r in reps]
        candidates = [
            candidate(r, e, settings.objective, window_counts[r])
            for r, e in zip(reps, ests, strict=True)
        ]
        choice = choose_best_fit(
            candidates, settings.fairness_band, settings.exploration, draw(f"{deal.id}:replay")
        )
        chosen = choice.chosen.user_id
        if len(recent) == recent.maxlen:
            window_counts[recent[0]] -= 1
        recent.append(chosen)
        window_counts[chosen] += 1
        counts[chosen] += 1
        how[choice.how] += 1
    even = 1 / len(reps)
    shares = {r: round(counts[r] / len(test), 4) for r in reps}
    deviation = max(abs(s - even) / even for s in shares.values())
    return {
        "shares": shares,
        "even_share": round(even, 4),
        "max_share_deviation": round(deviation, 4),
        "fairness_band": settings.fairness_band,
        "how": dict(how),
    }


def _verdict(summary: dict[str, Any]) -> str:
    if summary["uplift"] is None:
        return "not enough test deals on both sides to measure an uplift"
    interval = (
        f"{summary['uplift']:+.3f} (95% CI {summary['ci_low']:+.3f} to {summary['ci_high']:+.3f})"
    )
    if summary["effect_found"]:
        return f"deals that went to the model's choice won more: {interval}"
    return (
        f"no rep effect found: {interval} includes zero, so best fit will spread leads "
        "as evenly as round robin"
    )
