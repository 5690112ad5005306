"""The evaluation: planted skill is found at about its planted size; on history with no rep
effect no effect is claimed and routing stays as even as round robin."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from routing.bestfit import EvalSettings, SkillSettings, closed_deals, evaluate, parse_segment_field
from routing.bestfit._stats import Rates, binomial, bootstrap_uplift
from routing.bestfit.synthetic import planted_uplift, synthetic_history

INDUSTRY = (parse_segment_field("Account.Industry"),)
SPLIT = datetime(2024, 7, 1, tzinfo=UTC)


def run(skill: float, seed: int, n: int = 30_000) -> tuple[dict[str, object], float | None]:
    history = synthetic_history(n, skill=skill, seed=seed)
    deals = list(closed_deals(history.opportunities, history.accounts, INDUSTRY))
    result = evaluate(deals, SPLIT, EvalSettings(SkillSettings(INDUSTRY)))
    return result.summary, planted_uplift(history.truth, result.test, list(result.reps))


def test_planted_skill_is_found_at_its_planted_size() -> None:
    summary, planted = run(skill=0.15, seed=21)
    assert planted is not None and abs(planted - 0.15) < 1e-9
    assert summary["ci_low"] > 0 and summary["effect_found"]  # type: ignore[operator]
    assert summary["ci_low"] <= planted <= summary["ci_high"]  # type: ignore[operator]
    rr = summary["round_robin"]
    assert rr["ci_low"] <= 0 <= rr["ci_high"]  # type: ignore[index]
    calibration = summary["calibration"]
    assert calibration["brier"] < calibration["brier_base_rate"]  # type: ignore[index]


def test_no_rep_effect_is_no_claim_and_even_routing() -> None:
    summary, planted = run(skill=0.0, seed=32)
    assert planted == 0.0
    assert summary["ci_low"] <= 0 <= summary["ci_high"]  # type: ignore[operator]
    assert not summary["effect_found"]
    assert "no rep effect found" in str(summary["verdict"])
    routing = summary["routing"]
    assert routing["max_share_deviation"] <= 0.1, routing  # type: ignore[index]
    assert routing["how"].get("evidence", 0) < 0.01 * summary["n_test"]  # type: ignore[index,operator]


def test_across_null_histories_the_interval_misses_zero_about_one_time_in_twenty() -> None:
    """A 95% interval misses zero in 5% of histories without skill, either side: no more."""
    uplifts, misses = [], 0
    for seed in range(100, 120):
        summary, _ = run(skill=0.0, seed=seed, n=10_000)
        uplifts.append(float(summary["uplift"]))  # type: ignore[arg-type]
        misses += not summary["ci_low"] <= 0 <= summary["ci_high"]  # type: ignore[operator]
    assert misses <= 3
    assert abs(sum(uplifts) / len(uplifts)) < 0.01


def test_split_counts_and_version() -> None:
    summary, _ = run(skill=0.1, seed=5)
    assert summary["n_train"] + summary["n_test"] == 30_000  # type: ignore[operator]
    assert summary["segments"] == ["Account.Industry"]
    assert len(str(summary["model_version"])) == 16


def test_bootstrap_is_fixed_by_its_seed_and_brackets_the_uplift() -> None:
    rates = Rates(300, 1000, 2000, 9000)
    low, high = bootstrap_uplift(rates, seed=1)
    assert (low, high) == bootstrap_uplift(rates, seed=1)
    uplift = rates.uplift()
    assert uplift is not None and low is not None and high is not None
    assert low < uplift < high and 0.04 < high - low < 0.08


def test_binomial_draws_have_the_right_mean() -> None:
    rng = random.Random(3)
    for n, p in ((10, 0.3), (500, 0.01), (100_000, 0.25), (1000, 0.9)):
        mean = sum(binomial(rng, n, p) for _ in range(2000)) / 2000
        assert abs(mean - n * p) < 0.05 * n * p + 0.5, (n, p, mean)
