"""The Acme sample's expected result (config/examples/acme/expected.csv, the CSV run) and the
check of a worker's recorded decisions against it, lead by lead, on any CRM: the CRM's ids are
translated back to the export's before comparing."""

from __future__ import annotations

import csv
from collections.abc import Callable

from tests.conftest import ACME
from worker.store.records import PENDING, Store


def expected_rows() -> list[dict[str, str]]:
    with (ACME / "expected.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def settled(store: Store, record_ids: set[str]) -> bool:
    """Every one of these records has a decision whose write is no longer pending."""
    for record_id in record_ids:
        recorded = store.decisions_for(record_id)
        if not recorded or recorded[-1].write_status == PENDING:
            return False
    return True


def acme_differences(
    store: Store,
    record_of: Callable[[str], str],
    export_id: Callable[[str], str],
    owner_in_crm: Callable[[str], str | None],
) -> list[str]:
    """Each Acme lead whose recorded decision (account, owner, rule, score) or owner in the
    CRM differs from expected.csv. `record_of` gives the CRM record routed for an export lead,
    `export_id` the export's id for a CRM id (account, owner), `owner_in_crm` a record's owner
    as the CRM holds it now."""
    found = []
    for row in expected_rows():
        record_id = record_of(row["LeadId"])
        recorded = store.decisions_for(record_id)
        if not recorded:
            found.append(f"{row['LeadId']} ({record_id}): never routed")
            continue
        d = recorded[-1].decision
        in_crm = owner_in_crm(d.record_id)
        got = (export_id(d.account_id) if d.account_id else "", export_id(d.owner_id), d.rule,
               d.score, export_id(in_crm) if in_crm else None)  # fmt: skip
        want = (row["ExpectedAccountId"], row["ExpectedOwnerId"], row["Rule"], int(row["Score"]))
        want_with_crm = (*want, row["ExpectedOwnerId"])
        if got != want_with_crm:
            found.append(f"{row['LeadId']} ({record_id}): got {got}, want {want_with_crm}")
    return found
