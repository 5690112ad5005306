"""A Salesforce Id pasted in its 15-character form (the UI's) names the same record as the
18-character one (the API's): in a policy, in explain, in history."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from config.policy import load_policy
from connectors.csvcrm.connector import CsvCrm
from routing.record_ids import resolve
from tests.conftest import ACME, ACME_POLICY
from worker.cli import app
from worker.jobs.session import open_session, route_routable
from worker.store.records import Store

LEAD = "00Q000001700032DEV"
USER = "005000000000009AAA"  # Diana Brooks


def test_resolve_keeps_case_and_needs_exactly_fifteen_characters() -> None:
    ids = [LEAD, "00Q000001700032dev".upper()]
    assert resolve(LEAD[:15], ids) == LEAD
    assert resolve(LEAD[:15].lower(), ids) is None  # the short form is case-sensitive
    assert resolve(LEAD[:14], ids) is None and resolve(LEAD, ids) is None


def test_a_policy_naming_a_user_by_the_15_character_id_routes_to_that_user(
    tmp_path: Path,
) -> None:
    text = ACME_POLICY.read_text(encoding="utf-8")
    assert "fallback: {user: priya.raman@acme-analytics.example}" in text
    policy = tmp_path / "short.yaml"
    policy.write_text(
        text.replace(
            "fallback: {user: priya.raman@acme-analytics.example}",
            f"fallback: {{user: {USER[:15]}}}",
        ),
        encoding="utf-8",
    )
    assert load_policy(policy, CsvCrm(ACME).snapshot()).fallback_owner_id == USER


def test_explain_and_history_take_the_15_character_lead_id(tmp_path: Path) -> None:
    runner = CliRunner()
    explained = runner.invoke(
        app,
        ["explain", LEAD[:15], "--crm", f"csv:{ACME}", "--policy", str(ACME_POLICY), "--json"],
    )
    assert explained.exit_code == 0, explained.stderr
    assert json.loads(explained.stdout)["record_id"] == LEAD

    connector = CsvCrm(ACME)
    report = route_routable(open_session(connector, ACME_POLICY), connector, dry_run=True)
    database = f"sqlite:///{tmp_path / 'leadrelay.db'}"
    with Store(database) as store:
        store.migrate()
        store.record_decisions("csv-x", [d for d in report.decisions if d.record_id == LEAD])
    history = runner.invoke(app, ["history", LEAD[:15], "--json"], env={"DATABASE_URL": database})
    assert history.exit_code == 0, history.stderr
    assert '"kind": "decision"' in history.stdout  # found under its 18-character Id
