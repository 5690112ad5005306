"""The bundled Acme sample stays as shipped; its writable copy is where owners are written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME, ACME_POLICY
from worker.cli import app
from worker.cli._sample import HomeInUse, sample_url
from worker.cli.demo import start_afresh
from worker.jobs.session import open_session, route_routable
from worker.state.board import crm_key
from worker.store.records import Store


def test_routing_the_bundled_sample_without_dry_run_writes_nothing_and_says_what_to_do() -> None:
    before = {path.name: path.read_bytes() for path in ACME.iterdir()}
    result = CliRunner().invoke(
        app, ["route", "--crm", f"csv:{ACME}", "--policy", str(ACME_POLICY)]
    )
    assert result.exit_code == 3, result.output
    assert "stays as shipped" in result.stderr and "leadrelay sample" in result.stderr
    assert result.stdout == ""  # refused before any decision is printed
    assert {path.name: path.read_bytes() for path in ACME.iterdir()} == before


def test_the_sample_command_makes_a_copy_once_and_route_writes_there(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["sample", "--home", str(tmp_path)])
    assert made.exit_code == 0 and "copied the Acme sample" in made.stderr
    copy = tmp_path / "crm"
    routed = runner.invoke(
        app,
        ["route", "--crm", f"csv:{copy}", "--policy", str(ACME_POLICY)],
        env={"LEADRELAY_HOME": str(tmp_path)},
    )
    assert routed.exit_code == 0, routed.stderr
    assert (copy / "Lead.csv").read_bytes() != (ACME / "Lead.csv").read_bytes()
    again = runner.invoke(app, ["sample", "--home", str(tmp_path)])
    assert "kept the existing copy" in again.stderr
    assert (copy / "Lead.csv").read_bytes() != (ACME / "Lead.csv").read_bytes()
    runner.invoke(app, ["sample", "--home", str(tmp_path), "--fresh"])
    assert (copy / "Lead.csv").read_bytes() == (ACME / "Lead.csv").read_bytes()


def test_the_demo_refuses_a_home_whose_record_holds_another_crm(tmp_path: Path) -> None:
    connector = CsvCrm(ACME)
    decided = route_routable(open_session(connector, ACME_POLICY), connector, dry_run=True)
    with Store(f"sqlite:///{tmp_path / 'leadrelay.db'}") as store:
        store.migrate()
        store.record_decisions("salesforce-0123456789", decided.decisions[:1])
    with pytest.raises(HomeInUse, match="salesforce-0123456789"):
        start_afresh(tmp_path)
    assert (tmp_path / "leadrelay.db").exists()


def test_the_demo_starts_afresh_over_its_own_record(tmp_path: Path) -> None:
    connector = CsvCrm(ACME)
    decided = route_routable(open_session(connector, ACME_POLICY), connector, dry_run=True)
    with Store(f"sqlite:///{tmp_path / 'leadrelay.db'}") as store:
        store.migrate()
        store.record_decisions(crm_key(sample_url(tmp_path)), decided.decisions[:1])
    start_afresh(tmp_path)
    assert not (tmp_path / "leadrelay.db").exists()


def test_a_backfill_of_the_bundled_sample_is_refused_unless_a_dry_run(tmp_path: Path) -> None:
    args = ["backfill", "--crm", f"csv:{ACME}", "--policy", str(ACME_POLICY), "--scope", "all"]
    env = {"LEADRELAY_HOME": str(tmp_path)}
    refused = CliRunner().invoke(app, args, env=env)
    assert refused.exit_code == 3 and "stays as shipped" in refused.stderr
    assert CliRunner().invoke(app, [*args, "--dry-run"], env=env).exit_code == 0


def test_the_demo_says_when_the_commands_after_it_would_read_another_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.cli.demo import settings_elsewhere

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("POSTGRES_HOST", raising=False)
    assert settings_elsewhere(tmp_path / "home") is None
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/leadrelay")
    said = settings_elsewhere(tmp_path / "home")
    assert said is not None and said.startswith("DATABASE_URL set here")
