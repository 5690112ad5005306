from __future__ import annotations

import csv
import io

from worker.reports.spreadsheet import SpreadsheetWriter, inert


def test_text_a_spreadsheet_would_run_is_written_as_text() -> None:
    for formula in ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"):
        assert inert(formula) == "'" + formula
    assert inert("\t=1") == "'\t=1" and inert("\r=1") == "'\r=1"


def test_numbers_and_plain_text_are_kept() -> None:
    assert [inert(v) for v in (-3, 2.5, "-12.5", "+44", "Acme", "", None)] == [
        -3,
        2.5,
        "-12.5",
        "+44",
        "Acme",
        "",
        None,
    ]


def test_the_writer_neutralises_every_cell() -> None:
    buffer = io.StringIO()
    SpreadsheetWriter(buffer).writerows([["=1+1", "ok"], ["@x", 5]])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=1+1", "ok"], ["'@x", "5"]]
