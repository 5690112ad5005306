"""CSV files people open in a spreadsheet: no cell taken from data is ever a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

# A cell a spreadsheet would run: =HYPERLINK(…), +cmd, -2+3, @SUM, or one hidden behind a tab
# or carriage return. Such a text gets a leading apostrophe, which Excel and Sheets show as
# text (OWASP, "CSV Injection"). Numbers, and text that reads as a plain number, stay as-is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


class SpreadsheetWriter:
    """csv.writer whose cells cannot run as formulas when the file is opened."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([inert(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
