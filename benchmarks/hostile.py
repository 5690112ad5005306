"""Worst-case routing time of hostile leads: web-form fields 1 MB long, and a policy with a
`matches:` condition on every lead field using the patterns that make backtracking engines
hang (nested and overlapping quantifiers), each against text crafted for it.

Routes the Acme sample through the real CSV CRM, policy loader and router, with the hostile
leads added; prints the slowest single decision of each kind.

    python benchmarks/hostile.py [--size 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from connectors.csvcrm.connector import CsvCrm
from worker.jobs.session import open_session

REPO = Path(__file__).resolve().parent.parent
ACME = REPO / "config" / "examples" / "acme"
POLICY = REPO / "config" / "examples" / "acme.yaml"
FIELDS = ("Company", "Title", "Email", "City", "State", "Industry", "LeadSource", "FirstName")
# the classic ReDoS shapes (OWASP), each with the input that is exponential for `re`
EVIL = [
    ("^(a+)+$", "a" * 40 + "!"),
    ("^([a-zA-Z]+)*$", "a" * 40 + "1"),
    ("^(a|aa)+$", "a" * 40 + "!"),
    ("^(a|a?)+$", "a" * 40 + "!"),
    ("^(.*a){12}$", "a" * 40 + "!"),
    (r"^(\w+\s?)*$", "word " * 12 + "!"),
    (r"^([a-z0-9]+([._-][a-z0-9]+)*)+@x$", "a" * 40 + "@y"),
]


def hostile_policy(folder: Path) -> Path:
    conditions = "\n".join(
        f"        - {{fact: lead.{field}, matches: '{pattern}'}}"
        for field in FIELDS
        for pattern, _ in EVIL
    )
    rule = (
        "  - name: hostile-patterns\n"
        "    description: every evil pattern on every lead field\n"
        "    when:\n"
        "      any:\n"
        f"{conditions}\n"
        "    assign: {queue: Junk Queue}\n"
        "    score: false\n"
    )
    text = POLICY.read_text(encoding="utf-8").replace("  - name: junk\n", rule + "  - name: junk\n")
    path = folder / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def add_leads(crm: Path, size: int) -> dict[str, str]:
    """Hostile copies of the first routable lead: which Id carries what."""
    lead_file = crm / "Lead.csv"
    with lead_file.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    template = next(r for r in rows if r["OwnerId"].startswith("00G000000000001"))
    kinds: dict[str, str] = {}
    for n, field in enumerate(FIELDS):
        huge = dict(template, Id=f"00Q0000HOSTILE{n:03d}A")
        huge[field] = ("x" * size) if field != "Email" else "a" * size + "@ibm.com"
        rows.append(huge)
        kinds[huge["Id"]] = f"1 MB {field}"
    for n, (pattern, text) in enumerate(EVIL):
        crafted = dict(template, Id=f"00Q0000EVILXX{n:03d}A")
        for field in FIELDS:
            crafted[field] = text
        rows.append(crafted)
        kinds[crafted["Id"]] = f"crafted for {pattern}"
    with lead_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000, help="characters in a big field")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        crm = folder / "crm"
        shutil.copytree(ACME, crm)
        kinds = add_leads(crm, args.size)
        policy = hostile_policy(folder)
        started = time.perf_counter()
        session = open_session(CsvCrm(crm), policy)
        print(f"read the CRM and compiled {len(FIELDS) * len(EVIL)} matches: conditions "
              f"in {time.perf_counter() - started:.2f}s")  # fmt: skip
        times: dict[str, list[float]] = {kind: [] for kind in kinds.values()}
        ordinary: list[float] = []
        for _ in range(args.repeat):
            for lead in session.snapshot.leads:
                if not session.router.is_routable(lead):
                    continue
                began = time.perf_counter()
                session.router.route(lead)
                spent = time.perf_counter() - began
                (times[kinds[lead.id]] if lead.id in kinds else ordinary).append(spent)
        assert all(times.values()), "a hostile lead was not routable"
        print(f"ordinary Acme lead: median {statistics.median(ordinary) * 1000:.2f} ms, "
              f"worst {max(ordinary) * 1000:.2f} ms")  # fmt: skip
        for kind, spent in times.items():
            print(f"{kind:<48} worst {max(spent) * 1000:8.2f} ms")
        big = [max(s) for k, s in times.items() if k.startswith("1 MB")]
        evil = [max(s) for k, s in times.items() if k.startswith("crafted")]
        print(
            f"WORST: a lead with a {args.size:,}-character field {max(big) * 1000:.1f} ms; "
            f"a lead crafted against every matches: condition {max(evil) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
