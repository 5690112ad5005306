"""`--output` writes what its name says: JSON lines, CSV, or a refusal; `match` counts truly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import ACME, ACME_POLICY
from worker.cli import app

ROUTE = ["route", "--crm", f"csv:{ACME}", "--policy", str(ACME_POLICY), "--dry-run"]


def test_route_output_named_csv_is_csv_with_the_decisions_fields(tmp_path: Path) -> None:
    runner = CliRunner()
    as_csv = runner.invoke(app, [*ROUTE, "--output", str(tmp_path / "decisions.csv")])
    as_lines = runner.invoke(app, [*ROUTE, "--output", str(tmp_path / "decisions.jsonl")])
    assert as_csv.exit_code == 0 and as_lines.exit_code == 0, as_csv.stderr
    with (tmp_path / "decisions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lines = [json.loads(line) for line in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert [row["record_id"] for row in rows] == [line["record_id"] for line in lines]
    assert [row["owner_id"] for row in rows] == [line["owner_id"] for line in lines]
    assert json.loads(rows[0]["trace"]) == lines[0]["trace"]  # nested fields as JSON text
    assert rows[0]["pool"] == ("" if lines[0]["pool"] is None else lines[0]["pool"])


def test_an_output_extension_that_names_no_format_is_refused_before_anything(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(app, [*ROUTE, "--output", str(tmp_path / "decisions.xlsx")])
    assert result.exit_code == 2
    assert "JSON lines (.jsonl) or CSV (.csv)" in result.stderr
    assert result.stdout == "" and not (tmp_path / "decisions.xlsx").exists()


def test_match_says_how_many_leads_matched_an_account_and_how_many_none(tmp_path: Path) -> None:
    out = tmp_path / "matches.jsonl"
    result = CliRunner().invoke(app, ["match", "--crm", f"csv:{ACME}", "--output", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    matched = sum(1 for row in rows if row["account_id"] is not None)
    assert f"matched {matched} of {len(rows)} leads to an account" in result.stderr
    assert f"; {len(rows) - matched} matched none" in result.stderr
    assert 0 < matched < len(rows)
