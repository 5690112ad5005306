"""Precision and recall of lead-to-account matching, LeadRelay beside baselines measured in the
same run, on the tuning and the holdout part of a set of real names (or the project's own).

    python benchmarks/data/make_patent_matching_eval.py  # once, for assignees and nber
    python benchmarks/data/make_real_matching_eval.py    # only to regenerate the real set
    python benchmarks/matching_quality.py [--errors] [--set assignees|nber|real|project]
                                          [--tuning-only]

The sets (benchmarks/data/README.md): `assignees`, organisation names as typed on US patents,
hand-labelled by PatentsView's annotators (AIR-UMass), and `nber`, NBER's assignee clusters
(both built locally by benchmarks/data/make_patent_matching_eval.py: the package is GPL-3);
`real`, Chicago early-childhood site names as several agencies typed them, hand-clustered by
DataMade (dedupe-examples); `project`, the project's own. Each with decoy accounts and leads.

- cleanco + WRatio: both names through cleanco's basename, the account with the best rapidfuzz
  WRatio, if >= 90.
- tf-idf: char_wb 3-gram tf-idf over the account names (scikit-learn), the account with the best
  cosine, if >= a threshold tuned for F1 on the tuning part.
- LeadRelay: routing.matching.AccountMatcher with default settings.

A match is correct when it is the expected account. Precision = correct / matches made;
recall = correct / leads that have an expected account. Target: R >= 0.92 at P >= 0.99.
Needs the `bench` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import csv
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
Labelled = list[tuple[Lead, str | None, str]]


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


Row = dict[str, str]


def _load_split(
    accounts_csv: Path,
    leads_csv: Path,
    account_kept: Callable[[Row], bool] = lambda row: True,
    lead_kept: Callable[[Row], bool] = lambda row: True,
) -> tuple[list[Account], dict[str, Labelled]]:
    """Accounts, and leads by their part (tuning, holdout), of a set split so."""
    with accounts_csv.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        accounts = [Account(row["Id"], row["Name"]) for row in rows if account_kept(row)]
    parts: dict[str, Labelled] = {"tuning": [], "holdout": []}
    with leads_csv.open(encoding="utf-8") as handle:
        for row in filter(lead_kept, csv.DictReader(handle)):
            lead = Lead(row["Id"], company=row["Company"])
            parts[row["Split"]].append((lead, row["ExpectedAccountId"] or None, row["Category"]))
    return accounts, parts


def load_real() -> tuple[list[Account], dict[str, Labelled]]:
    return _load_split(DATA / "real_matching_accounts.csv", DATA / "real_matching_leads.csv")


def load_assignees(source: str) -> tuple[list[Account], dict[str, Labelled]]:
    """One source of the patent-assignee set: its accounts, and its leads by part. (The two
    sources file some assignees under both; each is matched against its own accounts.)"""
    folder = Path(__file__).resolve().parent / "out" / "patents"
    if not (folder / "leads.csv").exists():
        raise SystemExit(
            "the patent set is built locally: python benchmarks/data/make_patent_matching_eval.py"
        )
    return _load_split(
        folder / "accounts.csv",
        folder / "leads.csv",
        account_kept=lambda row: row["Source"] == source,
        lead_kept=lambda row: row["Assignee"].startswith(source + ":"),
    )


def load_project() -> tuple[list[Account], dict[str, Labelled]]:
    with (DATA / "matching_eval_accounts.csv").open(encoding="utf-8") as handle:
        accounts = [
            Account(row["Id"], row["Name"], row["Website"] or None,
                    billing_country=row["BillingCountry"])
            for row in csv.DictReader(handle)
        ]  # fmt: skip
    with (DATA / "matching_eval_leads.csv").open(encoding="utf-8") as handle:
        leads = [
            (
                Lead(row["Id"], email=row["Email"] or None, company=row["Company"] or None,
                     country=row["Country"] or None),
                row["ExpectedAccountId"] or None,
                row["Category"],
            )
            for row in csv.DictReader(handle)
        ]  # fmt: skip
    return accounts, {"all": leads}


def _clean(name: str | None) -> str:
    return utils.default_process(basename(basename(name or "")))  # twice: a stacked `Co., Ltd.`


def cleanco_wratio_baseline(accounts: list[Account]) -> Matcher:
    names = [_clean(account.name) for account in accounts]

    def match(lead: Lead) -> str | None:
        text = _clean(lead.company)
        if not text:
            return None
        best = process.extractOne(text, names, scorer=fuzz.WRatio, score_cutoff=90)
        return accounts[best[2]].id if best else None

    return match


def tfidf_baseline(accounts: list[Account], threshold: float) -> Matcher:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3))
    matrix = vectorizer.fit_transform([account.name.lower() for account in accounts]).T.tocsc()

    def match(lead: Lead) -> str | None:
        if not lead.company:
            return None
        scores = (vectorizer.transform([lead.company.lower()]) @ matrix).toarray()[0]
        best = int(scores.argmax())
        return accounts[best].id if scores[best] >= threshold else None

    return match


def tuned_tfidf_threshold(accounts: list[Account], tuning: Labelled) -> float:
    best = (0.0, 0.5)
    for step in range(30, 100, 2):
        threshold = step / 100
        overall = evaluate(tfidf_baseline(accounts, threshold), tuning)[0]
        best = max(best, (overall.f1, threshold))
    return best[1]


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
            errors.append(f"{category:16} {lead.company!r:60} got {found} want {expected}")
    return overall, by_category, errors, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="matching precision and recall")
    parser.add_argument("--errors", action="store_true", help="list LeadRelay's mistakes")
    parser.add_argument("--set", choices=tuple(SETS), default="real")
    parser.add_argument("--tuning-only", action="store_true", help="leave the holdout unread")
    args = parser.parse_args()
    accounts, parts = SETS[args.set]()
    if args.tuning_only:
        parts.pop("holdout", None)
    print(f"evaluation set ({args.set}): {len(accounts)} accounts")
    tuning = parts.get("tuning", parts.get("all", []))
    threshold = tuned_tfidf_threshold(accounts, tuning)
    leadrelay = AccountMatcher(accounts)
    contenders = {
        "LeadRelay": lambda lead: leadrelay.match(lead).account_id,
        "cleanco + rapidfuzz WRatio >= 90": cleanco_wratio_baseline(accounts),
        f"char_wb 3-gram tf-idf, cosine >= {threshold:.2f}": tfidf_baseline(accounts, threshold),
    }
    for part, leads in parts.items():
        with_account = sum(expected is not None for _, expected, _ in leads)
        print(f"\n{part}: {len(leads)} leads ({with_account} with an expected account, "
              f"{len(leads) - with_account} expected none); "
              f"{dict(Counter(category for _, _, category in leads).most_common())}")  # fmt: skip
        print(f"{'matcher':45} {'precision':>9} {'recall':>7} {'F1':>6} {'wrong':>6} "
              f"{'s/1k leads':>10}")  # fmt: skip
        for title, matcher in contenders.items():
            overall, by_category, errors, seconds = evaluate(matcher, leads)
            wrong = overall.matched - overall.correct
            per_thousand = seconds / len(leads) * 1000 if leads else 0.0
            print(f"{title:45} {overall.precision:9.4f} {overall.recall:7.4f} {overall.f1:6.4f} "
                  f"{wrong:6d} {per_thousand:10.3f}")  # fmt: skip
            if title == "LeadRelay" and len(by_category) > 1:
                for category, score in sorted(by_category.items()):
                    print(f"  {category:43} {score.precision:9.4f} {score.recall:7.4f} "
                          f"{score.f1:6.4f} {score.matched - score.correct:6d}")  # fmt: skip
            if title == "LeadRelay" and args.errors:
                print("  LeadRelay mistakes:\n  " + "\n  ".join(errors))


SETS: dict[str, Callable[[], tuple[list[Account], dict[str, Labelled]]]] = {
    "assignees": lambda: load_assignees("air-umass"),
    "nber": lambda: load_assignees("nber"),
    "real": load_real,
    "project": load_project,
}

if __name__ == "__main__":
    main()
