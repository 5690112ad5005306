"""Backfill on the CSV CRM (a copy of the Acme export, routed first): a territory split, a rep
deactivated, a crash midway and its resume, dry run against real run, the guard rails."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from backfill_helpers import (
    ALICE,
    BEN,
    KEVIN,
    NOW,
    Wrapped,
    account_policy,
    fresh_logging,
    split_policy,
)
from typer.testing import CliRunner

from connectors.csvcrm.connector import CsvCrm
from routing.replay.backfill import ALL, INACTIVE_OWNERS, Guards
from tests.conftest import ACME_POLICY
from tests.integration.sla_support import edit_rows
from worker.cli import app
from worker.jobs.backfill import BackfillRequest, run_backfill
from worker.jobs.session import open_session, route_routable
from worker.store.records import Store

__all__ = ["fresh_logging"]


@pytest.fixture
def crm(acme_crm: Path) -> Path:
    """The Acme export after routing: every inbound lead has its owner."""
    connector = CsvCrm(acme_crm)
    route_routable(open_session(connector, ACME_POLICY), connector, dry_run=False)
    return acme_crm


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "home"
    monkeypatch.setenv("LEADRELAY_HOME", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    yield folder


def deactivate(crm: Path, user_id: str) -> None:
    path = crm / "User.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = [line.replace(",true,", ",false,", 1) if line.startswith(user_id) else line
               for line in lines]  # fmt: skip
    path.write_text("".join(changed), encoding="utf-8")


def owners(crm: Path) -> dict[str, str]:
    with (crm / "Lead.csv").open(encoding="utf-8") as handle:
        return {row["Id"]: row["OwnerId"] for row in csv.DictReader(handle)}


def open_leads_of(crm: Path, user_id: str) -> list[str]:
    with (crm / "Lead.csv").open(encoding="utf-8") as handle:
        return [
            row["Id"]
            for row in csv.DictReader(handle)
            if row["OwnerId"] == user_id and not row["Status"].startswith("Closed")
        ]


def backfill(crm: Path, policy: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    argv = ["backfill", "--crm", f"csv:{crm}", "--policy", str(policy), "--now", NOW.isoformat()]
    result = CliRunner().invoke(app, [*argv, *args])
    moves = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, moves, result.stderr


def test_a_territory_split_moves_each_west_lead_into_its_new_pool(
    crm: Path, home: Path, tmp_path: Path
) -> None:
    policy = split_policy(tmp_path)
    code, moves, _ = backfill(crm, policy, "--scope", "territory")
    assert code == 0
    assert {(m["from_owner_id"], m["to_owner_id"]) for m in moves} == {
        ("005000000000006AAA", BEN), (BEN, "005000000000006AAA")}  # fmt: skip
    now = owners(crm)
    assert all(now[m["record_id"]] == m["to_owner_id"] for m in moves)
    with Store(f"sqlite:///{home / 'leadrelay.db'}") as store:
        recorded = store.moves_for()
    assert {(r.record_id, r.status) for r in recorded} == {
        (m["record_id"], "written") for m in moves
    }
    assert all("not a member of pool 'enterprise NA" in r.reason for r in recorded)
    assert backfill(crm, policy, "--scope", "territory")[1] == []  # settled: nothing moves again


def test_the_same_policy_right_after_routing_moves_nothing(crm: Path, home: Path) -> None:
    code, moves, _ = backfill(crm, ACME_POLICY, "--scope", "all")
    assert (code, moves) == (0, [])


def test_a_deactivated_rep_hands_every_open_lead_on_and_the_dry_run_said_so(
    crm: Path, home: Path
) -> None:
    deactivate(crm, KEVIN)
    kevins = open_leads_of(crm, KEVIN)
    assert kevins
    before = owners(crm)
    _, proposed, _ = backfill(crm, ACME_POLICY, "--scope", "inactive-owners", "--dry-run")
    assert owners(crm) == before  # a dry run writes nothing
    assert not (home / "backfill").exists() or not any((home / "backfill").iterdir())
    code, moved, _ = backfill(crm, ACME_POLICY, "--scope", "inactive-owners")
    assert code == 0
    assert moved == proposed
    assert sorted(m["record_id"] for m in moved) == sorted(kevins)
    assert open_leads_of(crm, KEVIN) == []
    assert all(str(m["reason"]).startswith("Kevin Park is deactivated.") for m in moved)


def request(crm: Path, **overrides: object) -> BackfillRequest:
    settings: dict[str, object] = {
        "crm": f"csv:{crm}",
        "policy_path": ACME_POLICY,
        "scope": INACTIVE_OWNERS,
        "guards": Guards(now=NOW),
        "chunk_size": 5,
        **overrides,
    }
    return BackfillRequest(**settings)  # type: ignore[arg-type]


def test_a_crash_midway_resumes_from_the_checkpoint_without_writing_twice(
    crm: Path, tmp_path: Path
) -> None:
    deactivate(crm, KEVIN)
    home = tmp_path / "home"
    crashing = Wrapped(CsvCrm(crm), crash_on_call=3)
    with pytest.raises(RuntimeError, match="died"):
        run_backfill(crashing, request(crm), home=home)
    assert sum(crashing.written.values()) == 10  # two chunks of five made it
    resuming = Wrapped(CsvCrm(crm))
    report = run_backfill(resuming, request(crm), home=home)
    assert report.resumed_at == 10
    assert not set(crashing.written) & set(resuming.written)
    assert report.written == len(report.plan.moves) - 10
    assert open_leads_of(crm, KEVIN) == []
    assert not any((home / "backfill").iterdir())  # done: the checkpoint is gone


def test_a_crash_after_a_write_but_before_its_checkpoint_does_not_write_it_again(
    crm: Path, tmp_path: Path
) -> None:
    deactivate(crm, KEVIN)
    home = tmp_path / "home"
    dying = Wrapped(CsvCrm(crm), crash_after_call=2)
    with pytest.raises(RuntimeError):
        run_backfill(dying, request(crm), home=home)
    resuming = Wrapped(CsvCrm(crm))
    report = run_backfill(resuming, request(crm), home=home)
    assert (report.resumed_at, report.already_done) == (5, 5)
    assert max((dying.written + resuming.written).values()) == 1


def test_the_same_moves_whether_the_run_crashed_or_not(crm: Path, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    twin.mkdir()
    for path in crm.iterdir():
        (twin / path.name).write_bytes(path.read_bytes())
    deactivate(crm, KEVIN)
    deactivate(twin, KEVIN)
    with pytest.raises(RuntimeError):
        run_backfill(Wrapped(CsvCrm(crm), crash_on_call=2), request(crm), home=tmp_path / "a")
    run_backfill(CsvCrm(crm), request(crm), home=tmp_path / "a")
    run_backfill(CsvCrm(twin), request(twin), home=tmp_path / "b")
    assert owners(crm) == owners(twin)


def test_a_spent_budget_stops_cleanly_and_the_next_run_finishes(crm: Path, tmp_path: Path) -> None:
    deactivate(crm, KEVIN)
    home = tmp_path / "home"
    report = run_backfill(Wrapped(CsvCrm(crm), quota_on_call=2), request(crm), home=home)
    assert report.stopped and "budget" in report.stopped
    assert report.written == 5
    finished = run_backfill(CsvCrm(crm), request(crm), home=home)
    assert (finished.resumed_at, finished.complete) == (5, True)
    assert open_leads_of(crm, KEVIN) == []


def add_lead_column(crm: Path, name: str, values: dict[str, str]) -> None:
    path = crm / "Lead.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, [*rows[0].keys(), name])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, name: values.get(row["Id"], "")})


def test_recent_activity_holds_a_record_unless_asked(crm: Path, home: Path) -> None:
    deactivate(crm, KEVIN)
    busy = open_leads_of(crm, KEVIN)[0]
    add_lead_column(crm, "LastActivityDate", {busy: (NOW - timedelta(days=2)).date().isoformat()})
    _, moves, err = backfill(crm, ACME_POLICY, "--scope", "all", "--dry-run")
    assert busy not in {m["record_id"] for m in moves}
    assert "held by guard rails 1" in err
    _, moves, _ = backfill(crm, ACME_POLICY, "--scope", "all", "--dry-run",
                           "--exclude-active-days", "0")  # fmt: skip
    assert busy in {m["record_id"] for m in moves}


def test_open_opportunities_hold_an_account_unless_asked(
    crm: Path, home: Path, tmp_path: Path
) -> None:
    deactivate(crm, ALICE)  # she owns Globex, which has two open opportunities
    args = ("--scope", "inactive-owners", "--object", "Account", "--dry-run")
    policy = account_policy(tmp_path)  # Acme's policy routes Lead: it may not move accounts
    _, guarded, err = backfill(crm, policy, *args)
    _, unguarded, _ = backfill(crm, policy, *args, "--include-open-opportunities")
    held = {m["record_id"] for m in unguarded} - {m["record_id"] for m in guarded}
    assert held == {"001000000000017AAA"}
    assert "open opportunit" in err


def test_max_moves_stops_before_a_runaway_change(crm: Path, home: Path) -> None:
    deactivate(crm, KEVIN)
    before = owners(crm)
    code, moves, err = backfill(crm, ACME_POLICY, "--scope", ALL, "--max-moves", "3")
    assert (code, moves) == (5, [])
    assert "nothing was written" in err
    assert owners(crm) == before


def accounts(crm: Path) -> dict[str, str]:
    with (crm / "Account.csv").open(encoding="utf-8") as handle:
        return {row["Id"]: row["OwnerId"] for row in csv.DictReader(handle)}


def test_a_lead_policy_never_writes_owners_onto_accounts(crm: Path, home: Path) -> None:
    deactivate(crm, ALICE)
    before = accounts(crm)
    code, moves, err = backfill(crm, ACME_POLICY, "--scope", "inactive-owners", "--object",
                                "Account")  # fmt: skip
    assert (code, moves) == (2, [])
    assert "objects: --object Account: the policy routes Lead, not Account" in err
    assert "use a policy written for Account" in err
    assert accounts(crm) == before


def test_an_account_policy_assigning_a_queue_is_refused_before_anything_moves(
    crm: Path, home: Path, tmp_path: Path
) -> None:
    deactivate(crm, ALICE)
    before = accounts(crm)
    policy = account_policy(tmp_path, queues=True)
    code, moves, err = backfill(crm, policy, "--scope", "inactive-owners", "--object", "Account")
    assert (code, moves) == (2, [])
    assert "rules[0] (junk).assign.queue: Salesforce does not let a queue own an Account" in err
    assert accounts(crm) == before


def test_an_account_policy_moves_the_accounts_of_a_deactivated_rep(
    crm: Path, home: Path, tmp_path: Path
) -> None:
    deactivate(crm, ALICE)
    policy = account_policy(tmp_path)
    code, moves, _ = backfill(crm, policy, "--scope", "inactive-owners", "--object", "Account",
                              "--include-open-opportunities")  # fmt: skip
    assert code == 0 and moves
    assert {m["object"] for m in moves} == {"Account"}
    now = accounts(crm)
    assert all(now[str(m["record_id"])] == m["to_owner_id"] for m in moves)
    assert ALICE not in {now[str(m["record_id"])] for m in moves}


FOLLOW = """\
objects: [Lead, Contact, Account, Opportunity]
account_change: {follow: [contacts, leads, opportunities]}
"""
GLOBEX = "001000000000017AAA"


def _add_contacts(crm: Path, rows: list[str]) -> None:
    with (crm / "Contact.csv").open("a", encoding="utf-8") as handle:
        handle.writelines(f"{row}\n" for row in rows)


def _name(crm: Path, user_id: str) -> str:
    with (crm / "User.csv").open(encoding="utf-8") as handle:
        return next(row["Name"] for row in csv.DictReader(handle) if row["Id"] == user_id)


def _contact_owners(crm: Path) -> dict[str, str]:
    with (crm / "Contact.csv").open(encoding="utf-8") as handle:
        return {row["Id"]: row["OwnerId"] for row in csv.DictReader(handle)}


def _opportunity_owners(crm: Path) -> dict[str, str]:
    with (crm / "Opportunity.csv").open(encoding="utf-8") as handle:
        return {row["Id"]: row["OwnerId"] for row in csv.DictReader(handle)}


GLOBEX_PLATFORM, GLOBEX_PILOT = "006000000000001AAA", "006000000000002AAA"


def test_an_accounts_contacts_open_leads_and_opportunities_follow_it_to_its_new_owner(
    crm: Path, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_rows(crm / "Lead.csv", "00Q000001700006DEV", OwnerId=ALICE)  # a Globex lead she works
    edit_rows(crm / "Opportunity.csv", GLOBEX_PLATFORM, OwnerId=ALICE)  # and its open deal
    leads_before = owners(crm)
    _add_contacts(crm, [f"003000000000901AAA,{GLOBEX},Ann,Alice,ann@globex.com,{ALICE}",
                        f"003000000000902AAA,{GLOBEX},Bo,Ben,bo@globex.com,{BEN}"])  # fmt: skip
    deactivate(crm, ALICE)
    policy = account_policy(tmp_path)
    text = policy.read_text(encoding="utf-8").replace("objects: [Account]\n", FOLLOW)
    policy.write_text(text, encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("DATABASE_URL", database)

    code, moves, err = backfill(crm, policy, "--scope", "inactive-owners", "--object", "Account",
                                "--include-open-opportunities")  # fmt: skip

    assert code == 0, err
    new_owner = accounts(crm)[GLOBEX]
    assert new_owner != ALICE
    contacts = _contact_owners(crm)
    assert contacts["003000000000901AAA"] == new_owner  # Alice's contact follows
    assert contacts["003000000000902AAA"] == BEN  # Ben works this one: it stays
    opportunities = _opportunity_owners(crm)
    assert opportunities[GLOBEX_PLATFORM] == new_owner
    assert opportunities[GLOBEX_PILOT] == BEN  # his deal on the account stays his
    followed = [m for m in moves if m["object"] in ("Contact", "Lead", "Opportunity")]
    assert all(m["reason"].startswith("Follows its account ") for m in followed)
    moved_leads = {m["record_id"]: m for m in followed if m["object"] == "Lead"}
    assert moved_leads["00Q000001700006DEV"]["reason"] == (
        f"Follows its account Globex Corporation from Alice Nguyen to {_name(crm, new_owner)}."
    )
    after = owners(crm)
    assert all(leads_before[i] == m["from_owner_id"] for i, m in moved_leads.items())
    assert all(after[i] == m["to_owner_id"] for i, m in moved_leads.items())
    unchanged = {i for i in after if i not in moved_leads}
    assert {i: after[i] for i in unchanged} == {i: leads_before[i] for i in unchanged}
    with Store(database) as store:
        recorded = {(m.record_id, m.object) for m in store.moves_for()}
    assert ("003000000000901AAA", "Contact") in recorded
    assert (GLOBEX_PLATFORM, "Opportunity") in recorded
