"""The policy decides what is read from Salesforce (issue 14, item 1).

The Acme policy scores `Lead.Tech_Stack__c`, a custom field no fixed field list names. Routed
through `--crm salesforce:` against the fake org (which, like a real org, returns only the
fields a query selects), with no SALESFORCE_EXTRA_FIELDS, every owner, rule and score must
equal the CSV run; a field the org lacks or hides must stop the run, saying which and where.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from salesforce_org import INSTANCE, SESSION_ID, FakeOrg, fake_org, session_connector
from test_cli_salesforce import acme_org
from typer.testing import CliRunner

from connectors.base import Window
from connectors.registry import open_connector
from routing.model import Lead
from tests.conftest import ACME, ACME_POLICY
from worker.cli import app
from worker.jobs.session import open_session

SCORED_BY_TECH_STACK = "00Q000001700026DEV"  # Snowflake: 15 of its 65 points, Tier 2 not 3


def expected() -> dict[str, dict[str, str]]:
    with (ACME / "expected.csv").open(encoding="utf-8") as handle:
        return {row["LeadId"]: row for row in csv.DictReader(handle)}


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOrg]:
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("SALESFORCE_SESSION_ID", SESSION_ID)
    monkeypatch.delenv("SALESFORCE_EXTRA_FIELDS", raising=False)
    with fake_org(acme_org()) as running:
        assert running.get("Lead", SCORED_BY_TECH_STACK)["Tech_Stack__c"]
        yield running


def route(out: Path, *extra: str) -> tuple[int, str, dict[str, dict[str, object]]]:
    args = ["route", "--crm", "salesforce:", "--policy", str(ACME_POLICY), "--output", str(out)]
    result = CliRunner().invoke(app, [*args, *extra])
    lines = out.read_text().splitlines() if out.exists() else []
    return result.exit_code, result.output, {d["record_id"]: d for d in map(json.loads, lines)}


def soql_of(org: FakeOrg, object: str) -> list[str]:
    queries = [parse_qs(urlparse(c.url or "").query).get("q", [""])[0] for c in org.calls]
    return [q for q in queries if f" FROM {object}" in q and "(SELECT" not in q]


def assert_routed_like_the_csv_run(decisions: dict[str, dict[str, object]]) -> None:
    rows = expected()
    assert set(decisions) == set(rows)
    differ = {
        lead_id: (d["owner_id"], d["rule"], d["score"])
        for lead_id, d in decisions.items()
        if (d["owner_id"], d["rule"], d["score"])
        != (rows[lead_id]["ExpectedOwnerId"], rows[lead_id]["Rule"], int(rows[lead_id]["Score"]))
    }
    assert differ == {}


def test_route_reads_what_the_policy_scores_with_no_setting(org: FakeOrg, tmp_path: Path) -> None:
    code, output, decisions = route(tmp_path / "decisions.jsonl")
    assert code == 0, output
    assert_routed_like_the_csv_run(decisions)
    assert decisions[SCORED_BY_TECH_STACK]["score"] == 65
    assert all("Tech_Stack__c" in q for q in soql_of(org, "Lead"))


def test_bulk_reads_select_the_policy_fields_too(
    org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFORCE_BULK_READS", "true")
    code, output, decisions = route(tmp_path / "decisions.jsonl", "--dry-run")
    assert code == 0, output
    assert_routed_like_the_csv_run(decisions)
    bulk_queries = [json.loads(c.body or b"{}").get("query", "") for c in org.calls
                    if c.method == "POST" and "jobs/query" in (c.url or "")]  # fmt: skip
    assert any("FROM Lead" in q and "Tech_Stack__c" in q for q in bulk_queries)


def test_extra_fields_still_add_to_what_is_read(
    org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFORCE_EXTRA_FIELDS", "Lead.Rating,Account.Phone")
    code, output, _ = route(tmp_path / "decisions.jsonl", "--dry-run")
    assert code == 0, output
    assert all("Rating" in q and "Tech_Stack__c" in q for q in soql_of(org, "Lead"))
    assert all("Phone" in q for q in soql_of(org, "Account"))


def test_change_window_queries_carry_the_policy_fields() -> None:
    org = acme_org()
    stamp = "2026-10-20T11:00:00.000+0000"
    for lead in org.records["Lead"]:
        lead["SystemModstamp"] = stamp
    with fake_org(org):
        connector = session_connector()
        open_session(connector, ACME_POLICY)  # the session tells the connector what to read
        window = Window(datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 21, tzinfo=UTC))
        leads = [r for page in connector.changes("Lead", window) for r in page.records]
    assert isinstance(leads[0], Lead)
    by_id = {lead.id: lead for lead in leads if isinstance(lead, Lead)}
    assert by_id[SCORED_BY_TECH_STACK].fields["Tech_Stack__c"] == "Snowflake"


def test_describe_is_one_call_per_object_however_many_sessions() -> None:
    with fake_org(acme_org()) as org:
        connector = session_connector()
        for _ in range(3):  # a worker opens a session per batch on the same connector
            open_session(connector, ACME_POLICY)
    assert sorted(org.describes()) == ["Account", "Lead", "User"]


def test_a_hidden_field_stops_the_run_naming_object_field_place_and_fix(
    org: FakeOrg, tmp_path: Path
) -> None:
    org.hidden["Lead"] = {"Tech_Stack__c"}
    org.custom_fields["Lead"] = {"TechStack__c"}
    code, output, decisions = route(tmp_path / "decisions.jsonl")
    assert code == 2
    assert "scoring.signals[3].field: Lead.Tech_Stack__c" in output
    assert "field-level security" in output and "did you mean TechStack__c?" in output
    assert decisions == {}
    assert not [c for c in org.calls if c.method == "PATCH"]


def test_policy_check_names_every_unreadable_field(org: FakeOrg, tmp_path: Path) -> None:
    org.hidden["Lead"] = {"Tech_Stack__c"}
    org.hidden["User"] = {"Out_Of_Office__c"}
    result = CliRunner().invoke(app, ["policy", "check", str(ACME_POLICY), "--crm", "salesforce:"])
    assert result.exit_code == 2
    assert "2 problems" in result.stderr
    assert "availability.away_fields[0]: User.Out_Of_Office__c" in result.stderr
    assert "scoring.signals[3].field: Lead.Tech_Stack__c" in result.stderr


def test_policy_check_passes_when_every_field_is_readable(org: FakeOrg) -> None:
    result = CliRunner().invoke(app, ["policy", "check", str(ACME_POLICY), "--crm", "salesforce:"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stderr


def test_policy_check_reports_unreadable_fields_with_every_other_problem(
    org: FakeOrg, tmp_path: Path
) -> None:
    org.hidden["Lead"] = {"Tech_Stack__c"}
    broken = tmp_path / "broken.yaml"
    broken.write_text(ACME_POLICY.read_text().replace("ben.carter@", "benn.carter@"))
    result = CliRunner().invoke(app, ["policy", "check", str(broken), "--crm", "salesforce:"])
    assert result.exit_code == 2
    assert "2 problems" in result.stderr
    assert "scoring.signals[3].field: Lead.Tech_Stack__c" in result.stderr
    assert "pools[0].members[1]: no user with email or Id 'benn.carter@" in result.stderr


def test_a_connector_opened_with_needs_selects_them(org: FakeOrg) -> None:
    connector = open_connector("salesforce:", needs={"Lead": frozenset({"Tech_Stack__c"})})
    connector.snapshot()
    assert all("Tech_Stack__c" in q for q in soql_of(org, "Lead"))
