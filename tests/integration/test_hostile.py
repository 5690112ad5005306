"""Hostile and broken input, fed through the real `leadrelay` commands (issue 21).

One line per case in CASES: its class, what is broken, the command, the exit code expected and
a phrase the message must contain. Every case also asserts: no traceback, and — whenever the
command refuses (exit ≠ 0) — that the CRM export is byte for byte as it was (nothing written
while a needed object was not fully read) and that no record was lost. At the end the run
prints how many cases of each class were tried and passed.
"""

# ruff: noqa: E501  (the table of cases keeps one case a line)

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ACME, ACME_POLICY
from worker.cli import app

ROUTABLE_LEAD = "00Q000001700000DEV"  # IBM, owned by the inbound queue
ACME_REP = "005000000000009AAA"  # Diana Brooks, who owns IBM


# --- breaking a copy of the Acme export -----------------------------------------------------


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def set_cell(file: str, record_id: str, field: str, value: str) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        header, rows = _rows(crm / file)
        for row in rows:
            if row["Id"] == record_id:
                row[field] = value
        _write(crm / file, header, rows)

    return change


def lead(field: str, value: str) -> Callable[[Path], None]:
    return set_cell("Lead.csv", ROUTABLE_LEAD, field, value)


def rep_name(value: str) -> Callable[[Path], None]:
    return set_cell("User.csv", ACME_REP, "Name", value)


def policy_edit(old: str, new: str) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        policy = crm.parent / "policy.yaml"
        text = policy.read_text(encoding="utf-8")
        assert old in text, old
        policy.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


# --- the commands ---------------------------------------------------------------------------

ROUTE = "route --crm csv:{crm} --policy {policy} --output {out}"
DRY = "route --crm csv:{crm} --policy {policy} --dry-run --output {out}"
EXPLAIN = "explain " + ROUTABLE_LEAD + " --crm csv:{crm} --policy {policy}"
CHECK = "policy check {policy} --crm csv:{crm}"


@dataclass(frozen=True)
class Case:
    klass: str
    name: str
    breaks: Callable[[Path], None]
    command: str
    code: int
    phrase: str
    absent: str = ""  # text that must not appear (a raw escape, a secret)

    def __str__(self) -> str:
        return f"{self.klass}: {self.name}"


# fmt: off
CASES = [
    # 1. data printed as markup or raw terminal control
    Case("markup", "lead cell [/x]", lead("Company", "[/x] IBM"), ROUTE, 0, "routed 197 records"),
    Case("markup", "rep name [/b]", rep_name("Dana [/b]Whitfield"), ROUTE, 0, "Dana [/b]Whitfield"),
    Case("markup", "rep name [/b], explain", rep_name("[/b]Dana"), EXPLAIN, 0, "[/b]Dana"),
    Case("markup", "lead [red] in explain", lead("LeadSource", "[red]Web"), EXPLAIN, 0, "[red]Web"),
    Case("markup", "emoji code kept", rep_name("Dana :smile:"), ROUTE, 0, "Dana :smile:"),
    Case("markup", "window-title escape", rep_name("D\x1b]0;pwn\x07"), ROUTE, 0, "D\\x1b]0;pwn\\x07", "\x1b"),
    Case("markup", "clear screen", rep_name("D\x1b[2J"), EXPLAIN, 0, "D\\x1b[2J", "\x1b"),
    Case("markup", "bidi override", rep_name("D\u202eanad"), ROUTE, 0, "D\\u202eanad", "\u202e"),
    Case("markup", "fix text keeps [a, b]", policy_edit("objects: [Lead]", "objects: Lead"), CHECK, 2, "[a, b]"),
    Case("markup", "policy key [/x]", policy_edit("routable:", "'[/x]': 1\nroutable:"), CHECK, 2, "[/x]"),
]
# fmt: on


# --- running a case -------------------------------------------------------------------------

TRIED: Counter[str] = Counter()
PASSED: Counter[str] = Counter()


class _Summary:
    """Printed after the run's own summary: cases tried and passed, per class."""

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        write = terminalreporter.write_line
        write("hostile input: cases tried / passed, per class")
        for klass in TRIED:
            write(f"  {klass:<12} {TRIED[klass]:>3} tried  {PASSED[klass]:>3} passed")
        write(f"  {'all':<12} {sum(TRIED.values()):>3} tried  {sum(PASSED.values()):>3} passed")


@pytest.fixture(scope="module", autouse=True)
def _per_class_summary(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    if not manager.has_plugin("hostile-summary"):
        manager.register(_Summary(), "hostile-summary")


def _export(crm: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(crm.iterdir()) if p.is_file()}


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    crm = tmp_path / "crm"
    shutil.copytree(ACME, crm)
    shutil.copy(ACME_POLICY, tmp_path / "policy.yaml")
    return crm


def run(case: Case, crm: Path) -> None:
    case.breaks(crm)
    before = _export(crm) if all(p.is_file() for p in crm.iterdir()) else {}
    args = case.command.format(crm=crm, policy=crm.parent / "policy.yaml", out=crm.parent / "out")
    result = CliRunner().invoke(app, args.split(" "))
    shown = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in shown, shown
    assert result.exit_code == case.code, shown
    assert case.phrase in shown, shown
    if case.absent:
        assert case.absent not in shown, shown
    if case.code != 0 and before:
        assert _export(crm) == before, "a refused run changed the export"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_input(case: Case, world: Path) -> None:
    TRIED[case.klass] += 1
    run(case, world)
    PASSED[case.klass] += 1
