"""What every connector promises, whatever the CRM behind it: one suite, run on each.

A case names a connector plus a routable record it may write to, an owner it may give it, and
an id that does not exist there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from connectors.base import Connector
from routing.model import CONTACT, LEAD, OwnerChange


@dataclass(frozen=True)
class ContractCase:
    connector: Connector
    record_id: str
    object: str
    new_owner_id: str
    missing_id: str


def owner_of(case: ContractCase) -> str | None:
    snapshot = case.connector.snapshot()
    return next(lead.owner_id for lead in snapshot.leads if lead.id == case.record_id)


def implements_the_protocol(case: ContractCase) -> None:
    assert isinstance(case.connector, Connector)
    assert case.connector.name


def snapshot_is_well_formed(case: ContractCase) -> None:
    snapshot = case.connector.snapshot()
    assert snapshot.users and snapshot.leads
    assert all(key == rep.id for key, rep in snapshot.users.items())
    assert all(key == account.id for key, account in snapshot.accounts.items())
    assert len({lead.id for lead in snapshot.leads}) == len(snapshot.leads)
    assert {lead.object for lead in snapshot.leads} <= {LEAD, CONTACT}
    for record in (*snapshot.leads, *snapshot.users.values(), *snapshot.accounts.values()):
        assert all(
            value is None or isinstance(value, str | int | float | bool | datetime)
            for value in record.fields.values()
        ), record.id
    assert any(lead.id == case.record_id for lead in snapshot.leads)


def a_dry_run_writes_nothing(case: ContractCase) -> None:
    before = owner_of(case)
    change = OwnerChange(case.record_id, case.object, case.new_owner_id, before)

    results = case.connector.write_owners([change], dry_run=True)

    assert [r.record_id for r in results] == [case.record_id]
    assert owner_of(case) == before


def a_write_is_read_back(case: ContractCase) -> None:
    change = OwnerChange(case.record_id, case.object, case.new_owner_id)

    (result,) = case.connector.write_owners([change])

    assert result.ok, result.error
    assert owner_of(case) == case.new_owner_id


def a_missing_record_is_a_failed_result_not_an_exception(case: ContractCase) -> None:
    changes = [
        OwnerChange(case.missing_id, case.object, case.new_owner_id),
        OwnerChange(case.record_id, case.object, case.new_owner_id),
    ]

    results = case.connector.write_owners(changes)

    assert [r.record_id for r in results] == [case.missing_id, case.record_id]
    assert not results[0].ok and results[0].error and not results[0].retryable
    assert results[1].ok


CONTRACT: list[Callable[[ContractCase], None]] = [
    implements_the_protocol,
    snapshot_is_well_formed,
    a_dry_run_writes_nothing,
    a_write_is_read_back,
    a_missing_record_is_a_failed_result_not_an_exception,
]
