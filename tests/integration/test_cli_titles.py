"""`leadrelay titles FILE`: CSV in, the same CSV out with the reading; the policy's titles:
section applies; a wrong column, file or policy is a message and exit code 2."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from tests.conftest import ACME_POLICY
from worker.cli import app


@pytest.fixture(autouse=True)
def structlog_back_to_defaults() -> Iterator[None]:
    """`leadrelay` points structlog at the stderr CliRunner gives it, closed once the command
    returns; tests that run later in this process must not log into it."""
    yield
    structlog.reset_defaults()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_titles_are_read_into_new_columns_and_every_other_cell_is_kept(tmp_path: Path) -> None:
    source = write(
        tmp_path / "leads.csv",
        "Id,Title,Email\n"
        '1,"Sr. Dir, IT Ops",a@x.example\n'
        "2,Geschäftsführer,b@x.example\n"
        "3,,c@x.example\n"
        "4,CTO/Co-founder 🚀,d@x.example\n",
    )
    result = CliRunner().invoke(app, ["titles", str(source)])
    assert result.exit_code == 0, result.output
    out = rows(result.stdout)
    assert [r["Id"] for r in out] == ["1", "2", "3", "4"]
    assert out[0]["Email"] == "a@x.example"
    assert (out[0]["title_seniority"], out[0]["title_rank"], out[0]["title_function"]) == (
        "director",
        "4",
        "it",
    )
    assert out[0]["title_evidence"] == "Sr. Dir → director; IT Ops → it"
    assert out[1]["title_seniority"] == "c_level"
    assert out[2]["title_seniority"] == "unknown"
    assert out[3]["title_functions"] == "engineering;executive"
    assert "4 titles read" in result.stderr


def test_semicolons_a_bom_another_column_and_an_output_file(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_bytes("\ufeffName;job title\nAna;Gerente de Ventas\n".encode())
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["titles", str(source), "--column", "Job Title", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    out = rows(target.read_text(encoding="utf-8"), delimiter=";")
    assert out[0]["Name"] == "Ana"
    assert (out[0]["title_seniority"], out[0]["title_function"]) == ("manager", "sales")


def test_reading_its_own_output_again_replaces_the_columns(tmp_path: Path) -> None:
    source = write(tmp_path / "a.csv", "Title\nHead of Data\n")
    first = tmp_path / "b.csv"
    CliRunner().invoke(app, ["titles", str(source), "--output", str(first)])
    again = CliRunner().invoke(app, ["titles", str(first)])
    header = again.stdout.splitlines()[0].split(",")
    assert header.count("title_seniority") == 1


def test_the_policy_titles_section_applies(tmp_path: Path) -> None:
    policy = write(
        tmp_path / "policy.yaml",
        ACME_POLICY.read_text(encoding="utf-8")
        + "\ntitles:\n  keywords:\n    data: [lakehouse]\n"
        + "  overrides:\n    Chief Evangelist: {seniority: vp, function: marketing}\n",
    )
    source = write(tmp_path / "t.csv", "Title\nLakehouse Architect\nChief Evangelist\n")
    result = CliRunner().invoke(app, ["titles", str(source), "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    out = rows(result.stdout)
    assert out[0]["title_function"] == "data"
    assert (out[1]["title_seniority"], out[1]["title_function"]) == ("vp", "marketing")


def test_a_bad_titles_section_is_reported_with_its_path(tmp_path: Path) -> None:
    policy = write(
        tmp_path / "policy.yaml",
        ACME_POLICY.read_text(encoding="utf-8") + "\ntitles:\n  keywords:\n    wizards: [mage]\n",
    )
    source = write(tmp_path / "t.csv", "Title\nCEO\n")
    result = CliRunner().invoke(app, ["titles", str(source), "--policy", str(policy)])
    assert result.exit_code == 2
    assert "titles.keywords.wizards" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_column_lists_the_columns(tmp_path: Path) -> None:
    source = write(tmp_path / "t.csv", "Id,Role\n1,CEO\n")
    result = CliRunner().invoke(app, ["titles", str(source)])
    assert result.exit_code == 2
    assert "no column 'Title'" in result.stderr and "Id, Role" in result.stderr


def test_a_missing_file_is_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["titles", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr and "Traceback" not in result.output
