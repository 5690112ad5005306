"""The Acme playbook's service levels through the command line: `leadrelay route` starts the
clocks, `leadrelay sla check --at …` escalates as the playbook says, `sla status` reports."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ACME_POLICY
from tests.integration.sla_support import cell, edit_rows
from worker.cli import app
from worker.state.board import canonical_url, crm_key
from worker.store.records import Store
from worker.store.sla import SlaStore

LARS = "005000000000002AAA"
EMEA_AES = {"005000000000011AAA", "005000000000012AAA"}  # Fatima Zahra, Gustav Berg
FIELDS = {"record_id", "from_owner_id", "to_owner_id", "action", "breaches"}


@pytest.fixture
def routed(
    acme_crm: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    for name in ("LEADRELAY_SLACK_WEBHOOK_URL", "LEADRELAY_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(
        app, ["route", "--crm", f"csv:{acme_crm}", "--policy", str(ACME_POLICY)]
    )
    assert result.exit_code == 0, result.output
    return acme_crm


def clocks(crm: Path, database_url: str) -> list[dict[str, object]]:
    with Store(database_url) as store:
        sla = SlaStore(store.engine)
        key = crm_key(canonical_url(f"csv:{crm}"))
        return sla.upcoming(key, datetime.now().astimezone(), limit=1000)


def sla_check(crm: Path, at: datetime, *extra: str) -> list[dict[str, object]]:
    args = ["sla", "check", "--crm", f"csv:{crm}", "--policy", str(ACME_POLICY)]
    result = CliRunner().invoke(app, [*args, "--at", at.isoformat(), *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_acme_service_levels_from_the_command_line(routed: Path, database_url: str) -> None:
    started = clocks(routed, database_url)
    assert started, "leadrelay route starts a clock for each lead routed to a rep"
    routed_at = min(c["started_at"] for c in started)
    tier1 = [c for c in started if c["target"] == "tier 1"]
    assert all(c["due_at"] - c["started_at"] == timedelta(minutes=5) for c in tier1)
    emea = next(c for c in tier1 if c["pool"] == "enterprise EMEA")
    touched = next(c for c in tier1 if c is not emea and c["pool"])
    edit_rows(routed / "Lead.csv", str(touched["record_id"]), Status="Working - Contacted")

    dry = sla_check(routed, routed_at + timedelta(minutes=6), "--dry-run")
    lines = sla_check(routed, routed_at + timedelta(minutes=6))

    assert dry == lines  # a dry run says exactly what the check then does
    assert lines and all(set(line) >= FIELDS for line in lines)
    by_record = {line["record_id"]: line for line in lines}
    assert touched["record_id"] not in by_record
    assert {c["record_id"] for c in tier1} - {touched["record_id"]} <= set(by_record)
    first = by_record[emea["record_id"]]
    assert first["action"] == "reassign" and first["breaches"] == 1
    assert first["to_owner_id"] in EMEA_AES - {emea["owner_id"]}
    assert first["notified"] == [LARS]
    assert cell(routed / "Lead.csv", str(emea["record_id"]), "OwnerId") == first["to_owner_id"]

    again = {
        line["record_id"]: line for line in sla_check(routed, routed_at + timedelta(minutes=12))
    }
    assert again[emea["record_id"]]["action"] == "manager"
    assert again[emea["record_id"]]["to_owner_id"] == LARS
    assert again[emea["record_id"]]["breaches"] == 2


def test_ownership_routed_and_business_day_clocks(routed: Path, database_url: str) -> None:
    started = clocks(routed, database_url)
    routed_at = min(c["started_at"] for c in started)
    owned = next(c for c in started if c["ownership"] and c["target"] == "tier 2")
    business = [c for c in started if c["target"] in ("tier 3", "sdr")]
    assert business and all(c["calendar"] for c in business)

    lines = sla_check(routed, routed_at + timedelta(minutes=61))

    by_record = {line["record_id"]: line for line in lines}
    kept = by_record[owned["record_id"]]
    assert (kept["action"], kept["to_owner_id"]) == ("notify", owned["owner_id"])
    not_due = [c for c in business if c["due_at"] > routed_at + timedelta(minutes=61)]
    assert not_due and not {c["record_id"] for c in not_due} & set(by_record)


def test_status_reports_open_due_and_breached(routed: Path) -> None:
    result = CliRunner().invoke(app, ["sla", "status", "--crm", f"csv:{routed}", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["open"] > 0 and status["breached"] == 0

    table = CliRunner().invoke(app, ["sla", "status", "--crm", f"csv:{routed}"])
    assert "open" in table.stdout and "per rep, team and tier" in table.stdout
