"""`leadrelay policy check` time: the 50-rule, 200-pool, 2,000-rep policy of
routing_engine.py against a CRM of 100,000 accounts.

    python benchmarks/policy_check.py [--accounts 100000] [--leads 5000] [--runs 3]

The CRM is written as a CSV export (a temporary folder) and the check is timed as the CLI runs
it (`check_policy`: fields, compile, the policy's own names, values against the CRM): on the CSV
CRM, which reads every file first; on the same snapshot held in memory behind a connector with
picklists, which is what the check itself costs; offline (no CRM); and as the command, a new
process with its imports.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from routing_engine import INDUSTRIES, SOURCES, STATES, build_policy_file, build_snapshot  # noqa: E402

from config.policy import read_policy_file  # noqa: E402
from connectors.base import FieldNeeds, UnreadableField, WriteResult  # noqa: E402
from connectors.csvcrm.connector import CsvCrm  # noqa: E402
from routing.model import Account, CrmSnapshot, OwnerChange  # noqa: E402
from worker.jobs.policy.check import check_policy  # noqa: E402

PICKLISTS = {
    ("Lead", "LeadSource"): frozenset(SOURCES),
    ("Lead", "Industry"): frozenset(INDUSTRIES),
    ("Lead", "Status"): frozenset({"Open - Not Contacted", "Working - Contacted"}),
    ("Account", "Industry"): frozenset(INDUSTRIES),
    ("Account", "Type"): frozenset({"Customer", "Prospect"}),
}


class MemoryCrm:
    """A snapshot already read, with picklists: the check's own cost, no reading."""

    name = "memory"

    def __init__(self, snapshot: CrmSnapshot) -> None:
        self._snapshot = snapshot

    def snapshot(self) -> CrmSnapshot:
        return self._snapshot

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        raise AssertionError("policy check writes nothing")

    def need_fields(self, needs: FieldNeeds) -> None:
        pass

    def unreadable_fields(self, needs: FieldNeeds) -> list[UnreadableField]:
        return []

    def picklist_values(self, object: str, field: str) -> frozenset[str] | None:
        return PICKLISTS.get((object, field))


def with_accounts(rng: random.Random, snapshot: CrmSnapshot, count: int) -> CrmSnapshot:
    owners = [u for u in snapshot.users if u != "UINT"]
    accounts = {}
    for i in range(count):
        kind = "Customer" if rng.random() < 0.1 else "Prospect"
        accounts[f"A{i}"] = Account(
            f"A{i}",
            f"Account {i}",
            owner_id=rng.choice(owners) if rng.random() < 0.5 else "UINT",
            type=kind,
            billing_country="US",
            billing_state=rng.choice(STATES),
            industry=rng.choice(INDUSTRIES),
            employees=rng.randrange(1, 5000),
            fields={"Type": kind, "Industry": rng.choice(INDUSTRIES)},
        )
    return replace(snapshot, accounts=accounts)


def write_policy(folder: Path) -> Path:
    spec = build_policy_file()
    path = folder / "policy.yaml"
    text = yaml.safe_dump(spec.model_dump(by_alias=True, exclude_unset=True, mode="json"))
    path.write_text(text, encoding="utf-8")
    read_policy_file(path)  # the same policy, through the loader
    return path


def write_csv_crm(folder: Path, snapshot: CrmSnapshot) -> Path:
    crm = folder / "crm"
    crm.mkdir()
    _table(crm / "User.csv", ["Id", "Name", "Email", "IsActive", "Out_Of_Office__c"],
           ([u.id, u.name, u.email, str(u.is_active).lower(),
             str(bool(u.fields.get("Out_Of_Office__c"))).lower()]
            for u in snapshot.users.values()))  # fmt: skip
    _table(crm / "Group.csv", ["Id", "Name", "Type"],
           ([q.id, q.name, "Queue"] for q in snapshot.queues.values()))  # fmt: skip
    _table(crm / "Account.csv",
           ["Id", "Name", "OwnerId", "Type", "Industry", "NumberOfEmployees", "BillingCountry",
            "BillingState"],
           ([a.id, a.name, a.owner_id, a.fields["Type"], a.fields["Industry"], a.employees,
             a.billing_country, a.billing_state] for a in snapshot.accounts.values()))  # fmt: skip
    lead_columns = ["Id", "Email", "Country", "State", "LeadSource", "Industry",
                    "NumberOfEmployees", "AnnualRevenue", "Tech_Stack__c", "Status", "OwnerId",
                    "IsConverted", "CreatedDate"]  # fmt: skip
    _table(crm / "Lead.csv", lead_columns,
           ([lead.id, *(lead.fields[c] for c in lead_columns[1:10]), lead.owner_id, "false",
             lead.created_date.isoformat() if lead.created_date else ""]
            for lead in snapshot.leads))  # fmt: skip
    _table(crm / "Contact.csv", ["Id", "AccountId", "Email", "OwnerId"], ())
    _table(crm / "Opportunity.csv", ["Id", "AccountId", "OwnerId", "IsClosed"],
           ([o.id, o.account_id, o.owner_id, str(o.is_closed).lower()]
            for o in snapshot.opportunities))  # fmt: skip
    return crm


def _table(path: Path, header: list[str], rows: object) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)  # type: ignore[arg-type]


def timed(run: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def ok(policy: Path, connector: object) -> None:
    report = check_policy(policy, connector)  # type: ignore[arg-type]
    assert not report.errors, report.errors[:3]


def cli(policy: Path, crm: Path) -> None:
    code = "from worker.cli import app; app()"
    argv = [sys.executable, "-c", code, "policy", "check", str(policy), "--crm", f"csv:{crm}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    snapshot = with_accounts(rng, build_snapshot(rng, args.leads), args.accounts)
    with tempfile.TemporaryDirectory() as tmp:
        policy = write_policy(Path(tmp))
        crm = write_csv_crm(Path(tmp), snapshot)
        spec = read_policy_file(policy)
        print(
            f"policy: {len(spec.rules)} rules, {len(spec.pools)} pools, "
            f"{sum(len(p.members) for p in spec.pools)} members; CRM: {len(snapshot.accounts):,} "
            f"accounts, {len(snapshot.leads):,} leads, {len(snapshot.users):,} users"
        )
        offline = timed(lambda: ok(policy, None), args.runs)
        memory = timed(lambda: ok(policy, MemoryCrm(snapshot)), args.runs)
        read = timed(lambda: CsvCrm(crm).snapshot(), args.runs)
        on_csv = timed(lambda: ok(policy, CsvCrm(crm)), args.runs)
        command = timed(lambda: cli(policy, crm), args.runs)
    for what, times in (
        ("offline (schema and the policy's own names)", offline),
        ("against the CRM held in memory, picklists included (the check's own cost)", memory),
        ("reading the CSV CRM alone (what `policy check --crm csv:` reads first)", read),
        ("`policy check --crm csv:` in process (read, then check)", on_csv),
        ("`leadrelay policy check FILE --crm csv:DIR`, a new process (imports included)", command),
    ):
        print(f"{what}: median {statistics.median(times):.2f} s (runs {_runs(times)})")


def _runs(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
