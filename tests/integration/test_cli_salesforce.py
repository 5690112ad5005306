"""The Acme playbook through `leadrelay route --crm salesforce:`: the whole export served by a
fake org in Salesforce's reply shapes (behind `responses`), credentials from the environment."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from salesforce_org import INSTANCE, SESSION_ID, FakeOrg, fake_org, sf_time
from typer.testing import CliRunner

from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME, ACME_POLICY
from worker.cli import app


def _json_value(value: object) -> object:
    return sf_time(value) if isinstance(value, datetime) else value


def acme_org() -> FakeOrg:
    """Every record of the Acme export, typed as Salesforce's REST API returns it."""
    snapshot = CsvCrm(ACME).snapshot()
    org = FakeOrg()
    tables = {
        "User": snapshot.users.values(),
        "Group": snapshot.queues.values(),
        "Account": snapshot.accounts.values(),
        "Contact": snapshot.contacts,
        "Opportunity": snapshot.opportunities,
        "Lead": snapshot.leads,
    }
    for object_name, records in tables.items():
        for item in records:
            fields = getattr(item, "fields", {"Name": getattr(item, "name", None), "Type": "Queue"})
            values = {k: _json_value(v) for k, v in fields.items() if k != "Id"}
            org.add(object_name, item.id, **values)
    return org


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOrg]:
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("SALESFORCE_SESSION_ID", SESSION_ID)
    with fake_org(acme_org()) as running:
        yield running


def test_route_against_salesforce_reproduces_the_playbook(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "decisions.jsonl"
    args = ["route", "--crm", "salesforce:", "--policy", str(ACME_POLICY), "--output", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    decisions = {d["record_id"]: d for d in map(json.loads, out.read_text().splitlines())}
    with (ACME / "expected.csv").open(encoding="utf-8") as handle:
        expected = {row["LeadId"]: row for row in csv.DictReader(handle)}
    assert set(decisions) == set(expected)
    for lead_id, row in expected.items():
        got = decisions[lead_id]
        assert (got["owner_id"], got["rule"], got["score"]) == (
            row["ExpectedOwnerId"], row["Rule"], int(row["Score"])), got["reason"]  # fmt: skip
        assert org.get("Lead", lead_id)["OwnerId"] == row["ExpectedOwnerId"]
    patches = [c for c in org.calls if c.method == "PATCH"]
    assert len(patches) == 1  # 197 owners: one sObject Collections call of at most 200
    assert patches[0].headers["Sforce-Auto-Assign"] == "FALSE"
    assert SESSION_ID not in result.output


def test_dry_run_against_salesforce_makes_no_write_call(org: FakeOrg) -> None:
    args = ["route", "--crm", "salesforce:", "--policy", str(ACME_POLICY), "--dry-run"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not [c for c in org.calls if c.method in ("PATCH", "POST")]


CONTACT_POLICY = """\
name: Acme contacts
objects: [Contact]
routable: {owners: [{user: integration@acme-analytics.example}]}
fallback: {user: priya.raman@acme-analytics.example}
pools:
  - {name: account managers, members: [victor.hale@acme-analytics.example,
                                       wendy.liu@acme-analytics.example]}
rules:
  - {name: account-owner, when: {fact: matched, equals: true},
     assign: {owner_of: account}}
  - {name: account-managers, assign: {pool: account managers}}
"""


def test_a_contact_policy_routes_salesforce_contacts_onto_the_contact_object(
    org: FakeOrg, tmp_path: Path
) -> None:
    integration = "005000000000099AAA"
    reps_accounts = {a["Id"] for a in org.records["Account"] if a["OwnerId"] != integration}
    waiting = [c["Id"] for c in org.records["Contact"] if c["AccountId"] in reps_accounts][:2]
    for contact_id in waiting:
        org.get("Contact", contact_id)["OwnerId"] = integration
    waiting = [c["Id"] for c in org.records["Contact"] if c["OwnerId"] == integration]
    policy = tmp_path / "contacts.yaml"
    policy.write_text(CONTACT_POLICY, encoding="utf-8")
    leads_before = {r["Id"]: r["OwnerId"] for r in org.records["Lead"]}

    result = CliRunner().invoke(app, ["route", "--crm", "salesforce:", "--policy", str(policy)])

    assert result.exit_code == 0, result.output
    routed = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert sorted(d["record_id"] for d in routed) == sorted(waiting)
    for decision in routed:
        contact = org.get("Contact", decision["record_id"])
        assert (decision["object"], contact["OwnerId"]) == ("Contact", decision["owner_id"])
        if decision["rule"] == "account-owner":  # its own account's owner, not a name match
            assert decision["owner_id"] == org.get("Account", contact["AccountId"])["OwnerId"]
    assert "account-owner" in {d["rule"] for d in routed}
    patches = [c for c in org.calls if c.method == "PATCH"]
    written = [r for c in patches for r in json.loads(c.body)["records"]]
    assert written and {r["attributes"]["type"] for r in written} == {"Contact"}
    assert {r["Id"]: r["OwnerId"] for r in org.records["Lead"]} == leads_before


def test_credentials_in_a_dotenv_file_reach_the_connector_as_they_reach_the_worker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SALESFORCE_INSTANCE_URL", raising=False)
    monkeypatch.delenv("SALESFORCE_SESSION_ID", raising=False)
    (tmp_path / ".env").write_text(
        f'SALESFORCE_INSTANCE_URL="{INSTANCE}"\nSALESFORCE_SESSION_ID={SESSION_ID}\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    with fake_org(acme_org()):
        args = ["route", "--crm", "salesforce:", "--policy", str(ACME_POLICY), "--dry-run"]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "incomplete" not in result.output
