"""`leadrelay retry`: dead letters open → redriven through a real connector → resolved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.csvcrm.connector import CsvCrm
from routing.model import OwnerChange
from tests.conftest import ACME_POLICY
from worker.jobs.redrive import redrive_dead_letters, unwritable
from worker.store.records import DeadLetter, Store

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


ACCOUNT = "001000000000017AAA"  # Globex, owned by Alice
JUNK_QUEUE = "00G000000000003AAA"


def test_a_letter_the_policy_may_not_write_is_never_resent(
    store: Store, acme_crm: Path, tmp_path: Path
) -> None:
    """Acme's policy routes Lead: an account's owner write stays open and is reported; and
    for a policy written for accounts, a queue (which Salesforce does not let own an Account)
    is not written either."""
    crm = CsvCrm(acme_crm)
    accounts_before = {a.id: a.owner_id for a in crm.snapshot().accounts.values()}
    store.dead_letter(crm.name, OwnerChange(ACCOUNT, "Account", DANA), "locked")
    store.dead_letter(crm.name, OwnerChange(LEAD, "Lead", JUNK_QUEUE), "locked")

    report = redrive_dead_letters(
        store, crm, dry_run=False, skip_if=unwritable(ACME_POLICY, crm.snapshot())
    )

    assert [letter.record_id for letter in report.resolved] == [LEAD]
    [(letter, why)] = report.skipped
    assert letter.record_id == ACCOUNT
    assert "the policy routes Lead, not Account" in why
    assert [d.record_id for d in store.open_dead_letters()] == [ACCOUNT]

    # the same record failed again, now towards the Junk Queue (the store keeps one letter)
    store.dead_letter(crm.name, OwnerChange(ACCOUNT, "Account", JUNK_QUEUE), "locked")
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(
        ACME_POLICY.read_text(encoding="utf-8").replace("objects: [Lead]", "objects: [Account]")
    )
    report = redrive_dead_letters(
        store, crm, dry_run=False, skip_if=unwritable(accounts, crm.snapshot())
    )
    whys = {why for _, why in report.skipped}
    assert any("Salesforce does not let a queue own an Account" in why for why in whys), whys
    assert {a.id: a.owner_id for a in CsvCrm(acme_crm).snapshot().accounts.values()} == (
        accounts_before
    )
