"""Opportunities and accounts on the CSV CRM (a copy of the Acme export): `leadrelay route`
routes the ones the policy's routing owner holds, an opportunity to the AE pool of its
account's segment, an account by its territory; `backfill --object Opportunity` moves the open
opportunities of a deactivated rep into the pool the policy names, and leaves closed ones."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from tests.integration.sla_support import edit_rows
from worker.cli import app

INTEGRATION = "005000000000099AAA"
BEN = "005000000000007AAA"
VICTOR, WENDY = "005000000000027AAA", "005000000000028AAA"
GLOBEX_PLATFORM, GLOBEX_PILOT = "006000000000001AAA", "006000000000002AAA"  # Globex: 4,200 people
INITECH_RENEWAL = "006000000000006AAA"
GOOGLE_DATA_PLATFORM, SALESFORCE_UPSELL = "006000000000005AAA", "006000000000007AAA"
POLICY = """\
name: Acme opportunities and accounts
objects: [Account, Opportunity]
routable: {owners: [{user: integration@acme-analytics.example}]}
fallback: {user: priya.raman@acme-analytics.example}
pools:
  - {name: enterprise aes, members: [victor.hale@acme-analytics.example]}
  - {name: commercial aes, members: [wendy.liu@acme-analytics.example]}
  - {name: account managers, members: [ben.carter@acme-analytics.example]}
rules:
  - name: enterprise-opportunities
    when: {all: [{fact: object, equals: Opportunity},
                 {fact: account.NumberOfEmployees, gte: 1000}]}
    assign: {pool: enterprise aes}
  - name: opportunities
    when: {fact: object, equals: Opportunity}
    assign: {pool: commercial aes}
  - name: accounts
    assign: {pool: account managers}
"""


def owners(crm: Path, object: str) -> dict[str, str]:
    with (crm / f"{object}.csv").open(encoding="utf-8") as handle:
        return {row["Id"]: row["OwnerId"] for row in csv.DictReader(handle)}


def run(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(app, list(args))
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, rows, result.stderr


def policy(tmp_path: Path) -> Path:
    path = tmp_path / "objects.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_route_gives_each_object_its_owner_by_its_own_account(
    acme_crm: Path, tmp_path: Path
) -> None:
    edit_rows(acme_crm / "Opportunity.csv", GLOBEX_PLATFORM, OwnerId=INTEGRATION)
    edit_rows(acme_crm / "Opportunity.csv", INITECH_RENEWAL, OwnerId=INTEGRATION)
    edit_rows(acme_crm / "Account.csv", "001000000000017AAA", OwnerId=INTEGRATION)
    path = policy(tmp_path)
    leads_before = owners(acme_crm, "Lead")
    waiting_accounts = {i for i, o in owners(acme_crm, "Account").items() if o == INTEGRATION}

    code, decisions, err = run("route", "--crm", f"csv:{acme_crm}", "--policy", str(path))

    assert code == 0, err
    routed = {d["record_id"]: d for d in decisions}
    assert "001000000000017AAA" in waiting_accounts
    assert set(routed) == {GLOBEX_PLATFORM, INITECH_RENEWAL} | waiting_accounts
    opportunities = owners(acme_crm, "Opportunity")
    assert opportunities[GLOBEX_PLATFORM] == VICTOR  # Globex has 4,200 people
    assert opportunities[INITECH_RENEWAL] == WENDY  # Initech has 350
    assert routed[GLOBEX_PLATFORM]["account_id"] == "001000000000017AAA"
    accounts = owners(acme_crm, "Account")
    assert {accounts[i] for i in waiting_accounts} == {BEN}
    assert owners(acme_crm, "Lead") == leads_before  # the policy routes no leads


def test_backfill_moves_a_deactivated_reps_open_opportunities_and_leaves_closed_ones(
    acme_crm: Path, tmp_path: Path
) -> None:
    edit_rows(acme_crm / "Opportunity.csv", SALESFORCE_UPSELL, OwnerId=BEN)  # closed won
    edit_rows(acme_crm / "User.csv", BEN, IsActive="false")  # Globex - Pilot, Google: open
    before = owners(acme_crm, "Opportunity")
    path = policy(tmp_path)

    code, moves, err = run("backfill", "--crm", f"csv:{acme_crm}", "--policy", str(path),
                           "--object", "Opportunity", "--scope", "inactive-owners")  # fmt: skip

    assert code == 0, err
    moved = {GLOBEX_PILOT, GOOGLE_DATA_PLATFORM, INITECH_RENEWAL}  # Yara's: she left earlier
    assert sorted((m["record_id"], m["object"]) for m in moves) == [
        (i, "Opportunity") for i in sorted(moved)
    ]
    after = owners(acme_crm, "Opportunity")
    assert after[GLOBEX_PILOT] == after[GOOGLE_DATA_PLATFORM] == VICTOR  # enterprise accounts
    assert after[INITECH_RENEWAL] == WENDY
    assert after[SALESFORCE_UPSELL] == BEN  # closed: history, not work
    unmoved = set(before) - moved
    assert {i: after[i] for i in unmoved} == {i: before[i] for i in unmoved}
