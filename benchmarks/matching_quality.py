"""Precision and recall of lead-to-account matching on the labelled evaluation set, beside two
baselines measured in the same run.

    python benchmarks/data/make_matching_eval.py   # only to regenerate the set (deterministic)
    python benchmarks/matching_quality.py [--errors]

- exact-name baseline: names equal after dropping trailing legal forms (cleanco), lower-casing
  and dropping punctuation; the first such account wins.
- rapidfuzz baseline: the account whose name has the best token_sort_ratio, if ≥ 90.
- LeadRelay: routing.matching.AccountMatcher with default settings.

A match is correct when it is the expected account. Precision = correct / matches made;
recall = correct / leads that have an expected account. Targets: precision ≥ 0.99 with
recall ≥ 0.90.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cleanco import basename
from rapidfuzz import fuzz, process, utils

from routing.matching import AccountMatcher
from routing.model import Account, Lead

DATA = Path(__file__).resolve().parent / "data"
Matcher = Callable[[Lead], str | None]


@dataclass
class Score:
    matched: int = 0
    correct: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.matched if self.matched else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def load() -> tuple[list[Account], list[tuple[Lead, str | None, str]]]:
    with (DATA / "matching_eval_accounts.csv").open(encoding="utf-8") as handle:
        accounts = [
            Account(
                row["Id"],
                row["Name"],
                row["Website"] or None,
                billing_country=row["BillingCountry"],
            )
            for row in csv.DictReader(handle)
        ]
    with (DATA / "matching_eval_leads.csv").open(encoding="utf-8") as handle:
        leads = [
            (
                Lead(
                    row["Id"],
                    email=row["Email"] or None,
                    company=row["Company"] or None,
                    country=row["Country"] or None,
                ),  # fmt: skip
                row["ExpectedAccountId"] or None,
                row["Category"],
            )
            for row in csv.DictReader(handle)
        ]
    return accounts, leads


def exact_name_baseline(accounts: list[Account]) -> Matcher:
    def normal(name: str | None) -> str:
        text = basename(basename(name or ""))  # twice, for a stacked `Co., Ltd.`
        return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())

    by_name: dict[str, str] = {}
    for account in accounts:
        by_name.setdefault(normal(account.name), account.id)
    return lambda lead: by_name.get(normal(lead.company)) if lead.company else None


def rapidfuzz_baseline(accounts: list[Account]) -> Matcher:
    names = [account.name for account in accounts]

    def match(lead: Lead) -> str | None:
        if not lead.company:
            return None
        best = process.extractOne(
            lead.company, names, scorer=fuzz.token_sort_ratio, processor=utils.default_process,
            score_cutoff=90,
        )  # fmt: skip
        return accounts[best[2]].id if best else None

    return match


def evaluate(
    matcher: Matcher, leads: list[tuple[Lead, str | None, str]]
) -> tuple[Score, dict[str, Score], list[str], float]:
    overall, by_category, errors = Score(), {}, []
    started = time.perf_counter()
    for lead, expected, category in leads:
        found = matcher(lead)
        for score in (overall, by_category.setdefault(category, Score())):
            score.expected += expected is not None
            score.matched += found is not None
            score.correct += found is not None and found == expected
        if found != expected:
            errors.append(
                f"{category:28} {lead.company!r:45} {lead.email!r:38} got {found} want {expected}"
            )
    return overall, by_category, errors, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="matching precision and recall")
    parser.add_argument("--errors", action="store_true", help="list LeadRelay's mistakes")
    args = parser.parse_args()
    accounts, leads = load()
    with_account = sum(expected is not None for _, expected, _ in leads)
    without = len(leads) - with_account
    print(f"evaluation set: {len(accounts)} accounts, {len(leads)} leads "
          f"({with_account} with an expected account, {without} expected none)")  # fmt: skip
    print(f"categories: {dict(Counter(category for _, _, category in leads).most_common())}")
    leadrelay = AccountMatcher(accounts)
    contenders = {
        "exact-name baseline": exact_name_baseline(accounts),
        "rapidfuzz baseline (token_sort_ratio >= 90)": rapidfuzz_baseline(accounts),
        "LeadRelay": lambda lead: leadrelay.match(lead).account_id,
    }
    print(f"\n{'matcher':45} {'precision':>9} {'recall':>7} {'F1':>6} {'wrong':>6} {'seconds':>8}")
    results = {}
    for title, matcher in contenders.items():
        overall, by_category, errors, seconds = evaluate(matcher, leads)
        results[title] = (by_category, errors)
        wrong = overall.matched - overall.correct
        print(f"{title:45} {overall.precision:9.4f} {overall.recall:7.4f} {overall.f1:6.4f} "
              f"{wrong:6d} {seconds:8.2f}")  # fmt: skip
    print("\nLeadRelay by category (precision / recall):")
    for category, score in sorted(results["LeadRelay"][0].items()):
        scores = f"{score.precision:7.4f} / {score.recall:7.4f}"
        print(f"  {category:30} {scores}  (n={score.expected} expected)")
    if args.errors:
        print("\nLeadRelay mistakes:")
        print("\n".join(results["LeadRelay"][1]))


if __name__ == "__main__":
    main()
