"""`leadrelay report --csv DIR`: one CSV per table, named after it."""

from __future__ import annotations

from pathlib import Path

from worker.reports.queries import Report
from worker.reports.spreadsheet import SpreadsheetWriter


def write_csvs(report: Report, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in report.tables.values():
        path = folder / f"{table.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = SpreadsheetWriter(handle)
            writer.writerow(table.columns)
            writer.writerows(["" if v is None else v for v in row] for row in table.rows)
        written.append(path)
    return written
