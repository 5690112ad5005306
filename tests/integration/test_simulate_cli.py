"""`leadrelay simulate` on the Acme export: NA West split in two, replayed against the current
policy and against the owners as they are; the CSV of changes and the HTML report."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backfill_helpers import NOW, split_policy
from typer.testing import CliRunner

from tests.conftest import ACME, ACME_POLICY
from worker.cli import app
from worker.jobs.simulate import parse_since

WINDOW = ["--since", "30d", "--now", NOW.isoformat()]


def simulate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["simulate", "--crm", f"csv:{ACME}", *args])
    return result.exit_code, result.stderr


def test_a_territory_split_against_the_current_policy(tmp_path: Path) -> None:
    candidate = split_policy(tmp_path)
    report = tmp_path / "report"
    code, summary = simulate("--policy", str(candidate), "--baseline", str(ACME_POLICY),
                             "--report", str(report), *WINDOW)  # fmt: skip
    assert code == 0, summary
    with (report / "changed_decisions.csv").open(encoding="utf-8") as handle:
        changed = list(csv.DictReader(handle))
    assert changed, "splitting NA West must change some enterprise NA West decisions"
    assert {row["before_pool"] for row in changed} == {"enterprise NA West"}
    assert {row["after_pool"] for row in changed} <= {
        "enterprise NA Northwest", "enterprise NA Southwest"}  # fmt: skip
    assert f"{len(changed)} decisions change" in summary
    html = (report / "simulation.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 3  # reps, pools, rules
    for words in ("enterprise NA Northwest", "Gini", "Changed decisions"):
        assert words in html


def test_html_and_csv_go_where_they_are_asked_as_with_report(tmp_path: Path) -> None:
    candidate = split_policy(tmp_path)
    pages, tables = tmp_path / "pages", tmp_path / "tables"
    code, summary = simulate("--policy", str(candidate), "--baseline", str(ACME_POLICY),
                             "--html", str(pages), "--csv", str(tables), *WINDOW)  # fmt: skip
    assert code == 0, summary
    assert [p.name for p in pages.iterdir()] == ["simulation.html"]
    assert [p.name for p in tables.iterdir()] == ["changed_decisions.csv"]
    assert "enterprise NA Northwest" in (pages / "simulation.html").read_text(encoding="utf-8")


def test_the_same_policy_changes_nothing(tmp_path: Path) -> None:
    code, summary = simulate("--policy", str(ACME_POLICY), "--baseline", str(ACME_POLICY),
                             *WINDOW)  # fmt: skip
    assert code == 0
    assert " 0 decisions change" in summary


def test_without_a_baseline_it_compares_with_the_owners_as_they_are(tmp_path: Path) -> None:
    code, summary = simulate("--policy", str(ACME_POLICY), *WINDOW)
    assert code == 0
    assert "vs as owned now" in summary


def test_a_window_it_cannot_read_is_a_clear_error() -> None:
    code, summary = simulate("--policy", str(ACME_POLICY), "--since", "last tuesday")
    assert code == 2
    assert "use a length like 30d" in summary


def test_since_reads_lengths_and_dates() -> None:
    assert parse_since("30d", NOW) == NOW - timedelta(days=30)
    assert parse_since("12H", NOW) == NOW - timedelta(hours=12)
    assert parse_since("2026-10-01", NOW) == datetime(2026, 10, 1, tzinfo=UTC)
    assert parse_since("2026-10-01T08:00:00+02:00", NOW).utcoffset() == timedelta(hours=2)
