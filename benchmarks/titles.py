"""Job-title reading: accuracy on the labelled set, confusion tables, titles per second.

Accuracy is reported on two sets. The project's own set (titles_eval.csv: curated, generated,
holdout) and a set of real, public titles the project did not write (titles_real.csv, built by
make_titles_real.py from ESCO, CBO 2002 and the Bundesagentur's job titles; labels read off each
title's occupation code, several labels allowed where the code does not decide). The real set
has a tuning part and a holdout part; `--errors` lists misreads of the project's set and the
tuning part only, so the holdout stays unseen.

Speed on one core, three ways: every title read from nothing (fresh classifier, cold word
caches), every title read again without the title cache (word caches warm, as in a CRM where
words repeat), and the cached path the engine takes for repeated titles.

    python benchmarks/titles.py [--errors] [--passes 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from routing.titles import FUNCTIONS, SENIORITIES, TitleClassifier, TitleRole

EVAL = Path(__file__).parent / "data" / "titles_eval.csv"
REAL = Path(__file__).parent / "data" / "titles_real.csv"


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def right(row: dict[str, str], role: TitleRole, key: str) -> bool:
    """A label may allow several readings ("manager|director"): any one of them is right."""
    return getattr(role, key) in row[key].split("|")


def accuracy(rows: Sequence[dict[str, str]], roles: Sequence[TitleRole], key: str) -> float:
    hits = sum(right(row, role, key) for row, role in zip(rows, roles, strict=True))
    return hits / len(rows) if rows else 0.0


def confusion(
    rows: Sequence[dict[str, str]], roles: Sequence[TitleRole], key: str, labels: Sequence[str]
) -> str:
    counts = Counter(
        (row[key].split("|")[0], getattr(role, key)) for row, role in zip(rows, roles, strict=True)
    )
    used = [label for label in labels if any(label in pair for pair in counts)]
    width = max(len(label) for label in used) + 1
    short = {label: label[:7] for label in used}
    lines = [
        f"{'expected ↓ read →':<{width + 10}}" + "".join(f"{short[x]:>8}" for x in used),
    ]
    for expected in used:
        cells = "".join(f"{counts.get((expected, read), 0) or '.':>8}" for read in used)
        lines.append(f"{expected:<{width + 10}}{cells}")
    return "\n".join(lines)


def report_accuracy(
    rows: list[dict[str, str]],
    roles: list[TitleRole],
    columns: Sequence[str] = ("source", "language"),
) -> None:
    print(f"titles: {len(rows)}")
    print(
        f"seniority accuracy: {accuracy(rows, roles, 'seniority'):.1%}   "
        f"function accuracy: {accuracy(rows, roles, 'function'):.1%}"
    )
    for column in columns:
        for value in sorted({row[column] for row in rows}):
            part = [(r, x) for r, x in zip(rows, roles, strict=True) if r[column] == value]
            sub_rows = [r for r, _ in part]
            sub_roles = [x for _, x in part]
            print(
                f"  {column} {value:<10} n={len(part):<5} "
                f"seniority {accuracy(sub_rows, sub_roles, 'seniority'):6.1%}   "
                f"function {accuracy(sub_rows, sub_roles, 'function'):6.1%}"
            )
    print("\nseniority confusion (rows: label, columns: read)")
    print(confusion(rows, roles, "seniority", SENIORITIES))
    print("\nfunction confusion (rows: label, columns: read)")
    print(confusion(rows, roles, "function", FUNCTIONS))


def report_errors(rows: list[dict[str, str]], roles: list[TitleRole]) -> None:
    print("\nmisread titles")
    for row, role in zip(rows, roles, strict=True):
        wrong = [
            f"{key} {row[key]}≠{getattr(role, key)}"
            for key in ("seniority", "function")
            if not right(row, role, key)
        ]
        if wrong:
            evidence = "; ".join(f"{w}→{r}" for w, r in role.evidence)
            print(
                f"  [{row['source']}/{row['language']}] {row['title']!r}: {', '.join(wrong)}"
                f"  ({evidence})"
            )


def best_pass(read: Callable[[str], object], titles: list[str], passes: int) -> float:
    """Titles per second in the fastest pass: other load on the machine only slows passes."""
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        for title in titles:
            read(title)
        best = min(best, time.perf_counter() - start)
    return len(titles) / best


def speed(titles: list[str], passes: int) -> None:
    start = time.perf_counter()
    fresh = TitleClassifier()
    compile_seconds = time.perf_counter() - start
    first = best_pass(fresh._classify, titles, 1)
    uncached = best_pass(fresh._classify, titles, passes)
    cached = best_pass(fresh.classify, titles, passes)
    print(
        f"\nspeed, one core, best of {passes} passes over {len(titles)} distinct titles "
        f"(word lists compiled in {compile_seconds * 1000:.0f} ms)"
    )
    print(f"  first reading, cold word caches:      {first:>10,.0f} titles/s")
    print(f"  read again, title cache bypassed:     {uncached:>10,.0f} titles/s")
    print(f"  repeated titles (title cache):        {cached:>10,.0f} titles/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true", help="list every misread title")
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--file", type=Path, default=EVAL)
    parser.add_argument("--real", type=Path, default=REAL)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rows = load(args.file)
    classifier = TitleClassifier()
    roles = [classifier.classify(row["title"]) for row in rows]
    print("== the project's set (written by the project)")
    report_accuracy(rows, roles)
    if args.errors:
        report_errors(rows, roles)
    real = load(args.real) if args.real.exists() else []
    for split in ("tune", "holdout"):
        part = [row for row in real if row["split"] == split]
        part_roles = [classifier.classify(row["title"]) for row in part]
        print(f"\n== real public titles, {split} part (ESCO, CBO 2002, BA Gesamtberufsliste)")
        report_accuracy(part, part_roles, columns=("language", "source"))
        if args.errors and split == "tune":
            report_errors(part, part_roles)
    speed([row["title"] for row in rows + real], args.passes)


if __name__ == "__main__":
    main()
