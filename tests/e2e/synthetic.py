"""A CSV CRM made for load: N leads waiting in the inbound queue, routed round robin into a pool
of reps (optionally capped). Used by the fairness test and the throughput benchmark."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.csvcrm._file import folder_lock

QUEUE_ID = "00G000000000001AAA"
INTEGRATION_ID = "005000000000000AAA"
FALLBACK_ID = "005000000000099AAA"
LEAD_HEADER = [
    "Id",
    "LastName",
    "Email",
    "Company",
    "Country",
    "Status",
    "OwnerId",
    "IsConverted",
    "CreatedDate",
]
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def rep_id(index: int) -> str:
    return f"0050000000001{index:02d}AAA"


def lead_id(index: int) -> str:
    return f"00Q{index:012d}AAA"


def write_pool_crm(folder: Path, leads: int, reps: int = 5, first: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    users = [
        [INTEGRATION_ID, "Integration", "integration@load.example", "true"],
        [FALLBACK_ID, "Fallback Manager", "fallback@load.example", "true"],
    ]
    users += [[rep_id(i), f"Rep {i}", f"rep{i}@load.example", "true"] for i in range(reps)]
    _write(folder / "User.csv", ["Id", "Name", "Email", "IsActive"], users)
    _write(folder / "Group.csv", ["Id", "Name", "Type"], [[QUEUE_ID, "Inbound", "Queue"]])
    _write(folder / "Account.csv", ["Id", "Name", "Website", "OwnerId"], [])
    _write(folder / "Lead.csv", LEAD_HEADER, [lead_row(first + i) for i in range(leads)])
    return folder


def lead_row(index: int, created: datetime | None = None) -> list[str]:
    when = created or EPOCH + timedelta(seconds=index)
    return [
        lead_id(index),
        f"Lead {index}",
        f"lead{index}@company{index}.example",
        f"Company {index}",
        "US",
        "Open - Not Contacted",
        QUEUE_ID,
        "false",
        when.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ]


def append_leads(folder: Path, rows: list[list[str]]) -> None:
    """New leads arriving: appended the way an export grows (atomically, like a CRM write)."""
    path = folder / "Lead.csv"
    extra = "".join(",".join(row) + "\n" for row in rows)
    temporary = path.with_suffix(".tmp")
    with folder_lock(folder):  # the lock the CSV CRM's owner writes take
        temporary.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
        temporary.replace(path)


def write_pool_policy(path: Path, reps: int = 5, cap: int | None = None) -> Path:
    members = ", ".join(f"rep{i}@load.example" for i in range(reps))
    cap_line = f", cap: {cap}" if cap is not None else ""
    path.write_text(
        "name: load test\n"
        "objects: [Lead]\n"
        "routable:\n"
        "  owners: [{queue: Inbound}, {user: integration@load.example}]\n"
        "open_lead: {fact: lead.IsConverted, equals: false}\n"
        "fallback: {user: fallback@load.example}\n"
        f"pools:\n  - {{name: rr, members: [{members}]{cap_line}}}\n"
        "rules:\n"
        "  - name: round-robin\n"
        "    description: Every lead goes to the pool in turn\n"
        "    assign: {pool: rr}\n",
        encoding="utf-8",
    )
    return path


def owners(folder: Path) -> dict[str, str]:
    with (folder / "Lead.csv").open(encoding="utf-8") as handle:
        return {row["Id"]: row["OwnerId"] for row in csv.DictReader(handle)}


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
