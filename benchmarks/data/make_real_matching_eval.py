"""Writes the real-name matching evaluation set (real_matching_accounts.csv and
real_matching_leads.csv) from dedupe_chicago_sites.csv: the Chicago early-childhood site names
of dedupeio/dedupe-examples (csv_example), typed by several city agencies and hand-clustered by
DataMade (`True Id`). See README.md for the source and licence. Deterministic (fixed seed).

    python benchmarks/data/make_real_matching_eval.py

- Each cluster with two or more distinct names is one company. 80 % of them are accounts: the
  name most often typed is the account's name; every other distinct spelling is a lead expected
  to match it. The other 20 % are not accounts: their spellings are decoy leads (expected: none).
- Clusters of one distinct name are decoy accounts (no lead belongs to them).
- A spelling that also occurs (lower case, letters and digits only) in another cluster is left
  out: the name alone cannot tell the two apart, so its label would be a coin toss.
- Leads are split by cluster, half `tuning`, half `holdout`; both match against all accounts.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 17_2026
ACCOUNT_SHARE = 0.8


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def main() -> None:
    with (HERE / "dedupe_chicago_sites.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["site_name"].strip()]
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        names[row["true_id"]][row["site_name"]] += 1
    clusters_of_key: dict[str, set[str]] = defaultdict(set)
    for true_id, counted in names.items():
        for name in counted:
            clusters_of_key[_key(name)].add(true_id)
    rng = random.Random(SEED)
    accounts: list[tuple[str, str]] = []
    leads: list[tuple[str, str, str, str]] = []  # company, expected account, category, split
    for true_id in sorted(names, key=int):
        counted = names[true_id]
        clear = [name for name in counted if len(clusters_of_key[_key(name)]) == 1]
        ordered = sorted(clear, key=lambda name: (-counted[name], name))
        if not ordered:
            continue
        if len({_key(name) for name in ordered}) == 1 and len(counted) == 1:
            accounts.append((f"A{true_id}", ordered[0]))  # a decoy account
            continue
        split = "tuning" if rng.random() < 0.5 else "holdout"
        if rng.random() < ACCOUNT_SHARE:
            account_id = f"A{true_id}"
            accounts.append((account_id, ordered[0]))
            leads += [(name, account_id, "variant", split) for name in ordered[1:]]
        else:
            leads += [(name, "", "not an account", split) for name in ordered]
    with (HERE / "real_matching_accounts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Name"])
        writer.writerows(accounts)
    with (HERE / "real_matching_leads.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Company", "ExpectedAccountId", "Category", "Split"])
        writer.writerows((f"L{number:05d}", *lead) for number, lead in enumerate(leads))


if __name__ == "__main__":
    main()
