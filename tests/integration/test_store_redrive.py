"""`leadrelay retry`: dead letters open → redriven through a real connector → resolved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.csvcrm import CsvCrm
from routing.model import OwnerChange
from worker.redrive import redrive_dead_letters
from worker.store import DeadLetter, Store

LEAD = "00Q000000000001BBB"  # owned by 005000000000009AAA in the Acme export
DANA = "005000000000001AAA"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store(database_url) as store:
        store.migrate()
        yield store


def owner_in_crm(crm: CsvCrm, record_id: str) -> str | None:
    return next(lead.owner_id for lead in crm.snapshot().leads if lead.id == record_id)


def test_a_write_that_now_succeeds_is_resolved(store: Store, acme_crm: Path) -> None:
    crm = CsvCrm(acme_crm)
    store.dead_letter(crm.name, OwnerChange(LEAD, "Lead", DANA, "005000000000009AAA"), "locked")

    report = redrive_dead_letters(store, crm, dry_run=False)

    assert [letter.record_id for letter in report.resolved] == [LEAD]
    assert report.failed == [] and report.stopped is None
    assert store.open_dead_letters() == []
    assert owner_in_crm(CsvCrm(acme_crm), LEAD) == DANA


def test_a_write_that_fails_again_stays_open_with_one_more_attempt(
    store: Store, acme_crm: Path
) -> None:
    crm = CsvCrm(acme_crm)
    store.dead_letter(crm.name, OwnerChange("00Q-DELETED", "Lead", DANA), "locked")
    store.dead_letter(crm.name, OwnerChange(LEAD, "Lead", DANA), "locked")

    report = redrive_dead_letters(store, crm, dry_run=False)

    assert [letter.record_id for letter in report.resolved] == [LEAD]
    [(letter, error)] = report.failed
    assert letter.record_id == "00Q-DELETED" and error
    [still_open] = store.open_dead_letters(crm.name)
    assert (still_open.record_id, still_open.attempts, still_open.error) == (
        "00Q-DELETED",
        2,
        error,
    )


def test_a_dry_run_sends_and_changes_nothing(store: Store, acme_crm: Path) -> None:
    crm = CsvCrm(acme_crm)
    store.dead_letter(crm.name, OwnerChange(LEAD, "Lead", DANA), "locked")

    report = redrive_dead_letters(store, crm, dry_run=True)

    assert [letter.record_id for letter in report.would_send] == [LEAD]
    assert report.resolved == [] and report.failed == []
    assert [d.attempts for d in store.open_dead_letters()] == [1]
    assert owner_in_crm(crm, LEAD) == "005000000000009AAA"


def test_letters_the_caller_vetoes_are_skipped(store: Store, acme_crm: Path) -> None:
    crm = CsvCrm(acme_crm)
    store.dead_letter(crm.name, OwnerChange(LEAD, "Lead", DANA), "locked")

    def owner_changed_since(letter: DeadLetter) -> str | None:
        return "someone assigned it by hand since"

    report = redrive_dead_letters(store, crm, dry_run=False, skip_if=owner_changed_since)

    assert [(d.record_id, why) for d, why in report.skipped] == [
        (LEAD, "someone assigned it by hand since")
    ]
    assert len(store.open_dead_letters()) == 1
    assert owner_in_crm(crm, LEAD) == "005000000000009AAA"


def test_only_the_connectors_crm_is_redriven(store: Store, acme_crm: Path) -> None:
    crm = CsvCrm(acme_crm)
    store.dead_letter("hubspot", OwnerChange("123", "Lead", "999"), "rate limited")

    report = redrive_dead_letters(store, crm, dry_run=False)

    assert report.resolved == [] and report.failed == []
    assert [d.crm for d in store.open_dead_letters()] == ["hubspot"]
