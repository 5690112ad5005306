"""`leadrelay evaluate` and `leadrelay bestfit train` on a CSV CRM written from a synthetic
history with planted skill, and on one with none."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from routing.bestfit.synthetic import SyntheticHistory, synthetic_history
from worker.cli import app
from worker.jobs.bestfit import load_model
from worker.settings import Settings
from worker.store.models import ModelsStore
from worker.store.records import Store


def write_crm(history: SyntheticHistory, folder: Path) -> Path:
    folder.mkdir()
    _write(
        folder / "User.csv",
        ["Id", "Name", "Email", "IsActive"],
        ([u.id, u.name, u.email, "true"] for u in history.users.values()),
    )
    _write(folder / "Group.csv", ["Id", "Name", "Type"], [["00G1", "Inbound", "Queue"]])
    _write(
        folder / "Account.csv",
        ["Id", "Name", "Industry", "NumberOfEmployees"],
        ([a.id, a.name, a.industry, a.employees] for a in history.accounts.values()),
    )
    header = [
        "Id",
        "AccountId",
        "OwnerId",
        "Name",
        "StageName",
        "IsClosed",
        "IsWon",
        "Amount",
        "LeadSource",
        "CreatedDate",
        "CloseDate",
    ]
    rows = (
        [
            o.id,
            o.account_id,
            o.owner_id,
            f"Deal {o.id}",
            o.stage,
            "true",
            "true" if o.is_won else "false",
            o.amount,
            o.fields["LeadSource"],
            _iso(o.created_date),
            _iso(o.close_date),
        ]
        for o in history.opportunities
    )
    _write(folder / "Opportunity.csv", header, rows)
    return folder


def _iso(value: object) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""  # type: ignore[attr-defined]


def _write(path: Path, header: list[str], rows: object) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)  # type: ignore[arg-type]


POLICY = """
name: best fit
routable: {owners: [{queue: Inbound}]}
fallback: {queue: Inbound}
pools:
  - name: sales
    method: best_fit
    members: [{members}]
    best_fit: {mode: auto, segments: [Account.Industry], fairness_band: 0.25}
rules:
  - {name: all, assign: {pool: sales}}
"""


def test_evaluate_finds_planted_skill_and_writes_json_and_html(tmp_path: Path) -> None:
    crm = write_crm(synthetic_history(6000, skill=0.2, seed=11), tmp_path / "crm")
    out, report = tmp_path / "summary.json", tmp_path / "report"
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--crm",
            f"csv:{crm}",
            "--train-until",
            "2024-07-01",
            "--segment",
            "Account.Industry",
            "--output",
            str(out),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())
    assert {"uplift", "ci_low", "ci_high", "n_train", "n_test", "calibration"} <= set(summary)
    assert summary["n_train"] + summary["n_test"] == 6000
    assert summary["ci_low"] > 0 and summary["effect_found"]
    assert summary["round_robin"]["ci_low"] <= 0 <= summary["round_robin"]["ci_high"]
    page = (report / "bestfit-report.html").read_text()
    assert "Best-fit evaluation" in page and summary["model_version"] in page


def test_evaluate_claims_nothing_on_history_without_skill(tmp_path: Path) -> None:
    history = synthetic_history(6000, skill=0.0, seed=12)
    crm = write_crm(history, tmp_path / "crm")
    policy = tmp_path / "policy.yaml"
    members = ", ".join(u.email or "" for u in history.users.values())
    policy.write_text(POLICY.replace("{members}", members))
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--crm",
            f"csv:{crm}",
            "--train-until",
            "2024-07-01",
            "--policy",
            str(policy),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["segments"] == ["Account.Industry"]
    assert summary["ci_low"] <= 0 <= summary["ci_high"] and not summary["effect_found"]
    assert "no rep effect found" in result.stderr


def test_evaluate_without_segments_says_what_to_give(tmp_path: Path) -> None:
    crm = write_crm(synthetic_history(100, seed=1), tmp_path / "crm")
    result = CliRunner().invoke(
        app, ["evaluate", "--crm", f"csv:{crm}", "--train-until", "2024-07-01"]
    )
    assert result.exit_code == 2
    assert "--segment" in result.stderr


def test_train_stores_a_current_version_once(tmp_path: Path) -> None:
    history = synthetic_history(800, seed=5)
    crm = write_crm(history, tmp_path / "crm")
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        POLICY.replace("{members}", ", ".join(u.email or "" for u in history.users.values()))
    )
    home = tmp_path / "home"
    args = ["bestfit", "train", "--crm", f"csv:{crm}", "--policy", str(policy), "--home", str(home)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    model = load_model(home)
    assert model is not None and model.n_train == 800
    assert (home / "models" / f"{model.version}.json").exists()
    assert f"model {model.version} (new)" in first.stderr
    assert first.stdout == f"{model.version}\n"
    again = CliRunner().invoke(app, args)
    assert f"model {model.version} (unchanged)" in again.stderr
    with Store(Settings(LEADRELAY_HOME=home).database_url.get_secret_value()) as store:
        stored = ModelsStore(store.engine)
        [row] = stored.versions()
        assert (row.version, row.n_train) == (model.version, 800)
        assert row.settings == model.settings.to_json()
        assert stored.load(model.version) == model
        assert stored.load("nope") is None


def test_route_uses_the_current_model_and_names_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = synthetic_history(800, seed=5)
    crm = write_crm(history, tmp_path / "crm")
    _write(
        crm / "Lead.csv",
        ["Id", "Email", "Company", "Industry", "OwnerId", "Status", "CreatedDate"],
        [
            [f"L{n}", f"p{n}@x.example", "X", "Retail", "00G1", "Open", "2026-01-01T00:00:00Z"]
            for n in range(3)
        ],  # fmt: skip
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        POLICY.replace("{members}", ", ".join(u.email or "" for u in history.users.values()))
    )
    home = tmp_path / "home"
    monkeypatch.setenv("LEADRELAY_HOME", str(home))
    route = ["route", "--crm", f"csv:{crm}", "--policy", str(policy), "--dry-run"]
    untrained = CliRunner().invoke(app, route)
    assert untrained.exit_code == 0, untrained.output
    assert json.loads(untrained.stdout.splitlines()[0])["trace"].get("model_version") is None
    train = [
        "bestfit",
        "train",
        "--crm",
        f"csv:{crm}",
        "--policy",
        str(policy),
        "--home",
        str(home),
    ]
    assert CliRunner().invoke(app, train).exit_code == 0
    model = load_model(home)
    assert model is not None
    trained = CliRunner().invoke(app, route)
    decisions = [json.loads(line) for line in trained.stdout.splitlines()]
    assert len(decisions) == 3
    assert {d["trace"]["model_version"] for d in decisions} == {model.version}
