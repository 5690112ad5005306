"""Defaults counted back from today ("the last 30 days") say so when they select nothing: the
window, the newest record, and how to widen it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME, ACME_POLICY
from worker.cli import app
from worker.jobs.session import open_session, route_routable
from worker.store.records import Store


def test_simulate_after_the_sample_s_month_says_why_it_replays_nothing() -> None:
    newest = max(lead.created_date for lead in CsvCrm(ACME).snapshot().leads if lead.created_date)
    result = CliRunner().invoke(
        app,
        ["simulate", "--crm", f"csv:{ACME}", "--policy", str(ACME_POLICY), "--now", "2027-03-01"],
    )
    assert result.exit_code == 0, result.stderr
    assert "0 leads" in result.stderr
    hint = " ".join(result.stderr.split())
    assert "--since 30d selects leads created 2027-01-30 00:00 – 2027-03-01 00:00 UTC" in hint
    assert f"the newest is from {newest:%Y-%m-%d}" in hint and "widen it, e.g. --since " in hint


def test_report_with_nothing_recent_names_the_newest_decision(tmp_path: Path) -> None:
    connector = CsvCrm(ACME)
    report = route_routable(open_session(connector, ACME_POLICY), connector, dry_run=True)
    database = f"sqlite:///{tmp_path / 'leadrelay.db'}"
    with Store(database) as store:
        store.migrate()
        store.record_decisions(
            "csv-x", report.decisions[:3], decided_at=datetime(2025, 5, 4, 9, 30, tzinfo=UTC)
        )
    result = CliRunner().invoke(app, ["report"], env={"DATABASE_URL": database})
    assert result.exit_code == 0, result.stderr
    hint = " ".join(result.stderr.split())
    assert "--since 30d selects decisions recorded" in hint
    assert "the newest is from 2025-05-04 09:30 UTC — widen it, e.g. --since 2025-04-04" in hint
    widened = CliRunner().invoke(
        app, ["report", "--since", "2025-04-04"], env={"DATABASE_URL": database}
    )
    assert "nothing selected" not in widened.stderr
