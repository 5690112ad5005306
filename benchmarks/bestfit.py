"""Best-fit routing: training time and memory, the added cost per routing decision, and the
uplift the evaluation finds on a history with planted skill against the planted one.

    python benchmarks/bestfit.py [--opps 1000000] [--leads 20000] [--eval-opps 200000]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import time
from datetime import UTC, datetime, timedelta

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.bestfit import (
    EvalSettings,
    SkillModel,
    SkillSettings,
    closed_deals,
    evaluate,
    parse_segment_field,
    train,
)
from routing.bestfit.synthetic import INDUSTRIES, planted_uplift, synthetic_history
from routing.engine import MemoryState, Router
from routing.model import CrmSnapshot, Lead, Match, Queue
from routing.world import World

SEGMENTS = (
    parse_segment_field("Account.Industry"),
    parse_segment_field("Account.NumberOfEmployees"),
)
AS_OF = datetime(2025, 1, 1, tzinfo=UTC)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_training(n: int) -> SkillModel:
    started = time.perf_counter()
    history = synthetic_history(n, reps=40, skill=0.15, seed=1)
    generated = time.perf_counter() - started
    rss_before = peak_rss_mb()
    gc.collect()
    started = time.perf_counter()
    deals = closed_deals(history.opportunities, history.accounts, SEGMENTS)
    model = train(deals, SkillSettings(SEGMENTS), AS_OF)
    elapsed = time.perf_counter() - started
    print(
        f"training: {n:,} closed opportunities, 40 reps, segments Industry × size band "
        f"({len(model.cells):,} rep × segment cells): {elapsed:.1f} s "
        f"({n / elapsed:,.0f} deals/s); peak RSS {peak_rss_mb():,.0f} MB "
        f"(of which the snapshot itself {rss_before:,.0f} MB, generated in {generated:.1f} s)"
    )
    return model


def router(model: SkillModel, method: str, n_leads: int) -> tuple[Router, list[Lead]]:
    reps = sorted({rep for rep, _ in model.cells})[:10]
    history = synthetic_history(10, reps=40, seed=2)
    snapshot = CrmSnapshot(history.users, {"Q1": Queue("Q1", "Inbound")})
    pool: dict[str, object] = {"name": "p", "method": method, "members": reps}
    if method == "best_fit":
        pool["best_fit"] = {
            "mode": "auto",
            "segments": [str(s) for s in SEGMENTS],
        }
    spec = PolicyFile.model_validate(
        {
            "name": "bench",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"queue": "Inbound"},
            "pools": [pool],
            "rules": [{"name": "all", "assign": {"pool": "p"}}],
        }
    )
    policy = compile_policy(spec, snapshot, source="bench")
    start = datetime(2025, 2, 1, tzinfo=UTC)
    leads = [
        Lead(
            f"L{i:07d}",
            owner_id="Q1",
            created_date=start + timedelta(seconds=i),
            fields={"Industry": INDUSTRIES[i % 8], "NumberOfEmployees": 10 + (i * 37) % 9000},
        )
        for i in range(n_leads)
    ]
    return Router(policy, World(snapshot), MemoryState(), model=model), leads


def per_decision_us(r: Router, leads: list[Lead]) -> tuple[float, float]:
    times = []
    for lead in leads:
        match = Match(lead.id, None, "none", 0.0)
        t0 = time.perf_counter_ns()
        r.route(lead, match)
        times.append(time.perf_counter_ns() - t0)
    times.sort()
    return statistics.fmean(times) / 1000, times[len(times) // 2] / 1000


def bench_decisions(model: SkillModel, n_leads: int) -> None:
    rr_mean, rr_p50 = per_decision_us(*router(model, "round_robin", n_leads))
    fit_mean, fit_p50 = per_decision_us(*router(model, "best_fit", n_leads))
    print(
        f"routing decision, 10-member pool, {n_leads:,} leads: round robin mean {rr_mean:.1f} µs "
        f"(p50 {rr_p50:.1f}); best fit mean {fit_mean:.1f} µs (p50 {fit_p50:.1f}); "
        f"added {fit_mean - rr_mean:.1f} µs mean, {fit_p50 - rr_p50:.1f} µs p50"
    )


def bench_uplift(n: int) -> None:
    for skill in (0.15, 0.0):
        history = synthetic_history(n, reps=8, skill=skill, seed=3)
        industry = (parse_segment_field("Account.Industry"),)
        deals = list(closed_deals(history.opportunities, history.accounts, industry))
        split = datetime(2024, 7, 1, tzinfo=UTC)
        result = evaluate(deals, split, EvalSettings(SkillSettings(industry)))
        s = result.summary
        planted = planted_uplift(history.truth, result.test, list(result.reps))
        rr = s["round_robin"]
        print(
            f"uplift, planted skill {skill:.2f} ({n:,} deals, 8 reps, train {s['n_train']:,} / "
            f"test {s['n_test']:,}): found {s['uplift']:+.4f} "
            f"[{s['ci_low']:+.4f}, {s['ci_high']:+.4f}] vs planted {planted:+.4f}; "
            f"round robin {rr['uplift']:+.4f} [{rr['ci_low']:+.4f}, {rr['ci_high']:+.4f}]; "
            f"replayed shares max {100 * s['routing']['max_share_deviation']:.1f}% off even"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opps", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--eval-opps", type=int, default=200_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    model = bench_training(args.opps)
    bench_decisions(model, args.leads)
    bench_uplift(args.eval_opps)


if __name__ == "__main__":
    main()
