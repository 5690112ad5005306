"""The CSV CRM gets the same check as the real ones: a field the policy reads must be a column
of its object's file, or nothing is routed, and the message says which, where and the fix;
the worker refuses the CRM the same way when it first opens it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import redis
import structlog
from typer.testing import CliRunner

from config.errors import PolicyError
from connectors.base import FieldNeeds
from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME_POLICY
from worker.bootstrap import Runtime
from worker.cli import app
from worker.jobs.policy.fields import read_policy_fields
from worker.settings import Settings
from worker.state.board import crm_key
from worker.store.records import Store


def rename_column(crm: Path, file: str, old: str, new: str) -> None:
    path = crm / file
    header, _, rest = path.read_text(encoding="utf-8").partition("\n")
    path.write_text(header.replace(old, new) + "\n" + rest, encoding="utf-8")


def test_route_refuses_a_policy_field_that_is_no_column(acme_crm: Path) -> None:
    rename_column(acme_crm, "Lead.csv", "Tech_Stack__c", "TechStack__c")
    before = (acme_crm / "Lead.csv").read_bytes()
    args = ["route", "--crm", f"csv:{acme_crm}", "--policy", str(ACME_POLICY)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert (
        "scoring.signals[3].field: Lead.Tech_Stack__c: no column 'Tech_Stack__c' in Lead.csv"
        in result.stderr
    )
    assert "did you mean TechStack__c?" in result.stderr
    assert result.stdout == "" and (acme_crm / "Lead.csv").read_bytes() == before


def test_policy_check_names_each_missing_column(acme_crm: Path) -> None:
    rename_column(acme_crm, "User.csv", "Out_Of_Office__c", "OOO")
    rename_column(acme_crm, "Account.csv", ",Type,", ",Kind,")
    result = CliRunner().invoke(
        app, ["policy", "check", str(ACME_POLICY), "--crm", f"csv:{acme_crm}"]
    )
    assert result.exit_code == 2
    assert "customer_when.fact: Account.Type: no column 'Type' in Account.csv" in result.stderr
    assert "availability.away_fields[0]: User.Out_Of_Office__c" in result.stderr


def test_the_worker_refuses_to_open_a_crm_that_lacks_a_policy_field(
    acme_crm: Path, tmp_path: Path, redis_url: str, database_url: str
) -> None:
    rename_column(acme_crm, "Lead.csv", "Tech_Stack__c", "Stack")
    settings = Settings(LEADRELAY_HOME=str(tmp_path / "home"), _env_file=None)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    runtime = Runtime(settings, redis_url, Store(database_url), client)
    runtime.store.migrate()  # as `leadrelay worker` does: a worker looks up published versions
    try:
        with pytest.raises(PolicyError, match=r"Lead\.Tech_Stack__c: no column"):
            runtime.crm(f"csv:{acme_crm}", str(ACME_POLICY))
        shown = runtime.board.last_poll(crm_key(f"csv:{acme_crm}"))  # what `status` prints
        assert shown is not None
        assert "the policy reads Lead.Tech_Stack__c (scoring.signals[3].field)" in shown["skipped"]
        rename_column(acme_crm, "Lead.csv", "Stack", "Tech_Stack__c")
        assert runtime.crm(f"csv:{acme_crm}", str(ACME_POLICY)).url.startswith("csv:")
    finally:
        client.delete(*client.keys(f"*{crm_key(f'csv:{acme_crm}')}*"))
        runtime.close()


class _Recorder(CsvCrm):
    needs: FieldNeeds = {}

    def need_fields(self, needs: FieldNeeds) -> None:
        self.needs = needs


def test_a_simulation_reads_what_either_policy_reads(acme_crm: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(
        ACME_POLICY.read_text(encoding="utf-8").replace(
            "field: LeadSource", "field: Lead_Grade__c"
        ),
        encoding="utf-8",
    )
    rename_column(acme_crm, "Lead.csv", "LeadSource", "LeadSource,Lead_Grade__c")
    connector = _Recorder(acme_crm)
    read_policy_fields(connector, ACME_POLICY, baseline)
    assert {"LeadSource", "Lead_Grade__c", "Tech_Stack__c"} <= connector.needs["Lead"]


def test_leadrelay_worker_refuses_to_start_naming_the_missing_field(
    acme_crm: Path, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rename_column(acme_crm, "User.csv", "Out_Of_Office__c", "Away")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        args = ["worker", "--crm", f"csv:{acme_crm}", "--policy", str(ACME_POLICY)]
        result = CliRunner().invoke(app, args)
    finally:
        root.handlers[:], root.level = handlers, level
        structlog.reset_defaults()
    assert result.exit_code == 2
    assert "availability.away_fields[0]: User.Out_Of_Office__c: no column" in result.stderr
