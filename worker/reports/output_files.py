"""What an `--output FILE` holds, by the file's extension: JSON lines (`.jsonl`, `.ndjson`,
`.json`, or none) or CSV (`.csv`, one column per field; nested values as JSON). Any other
extension is refused rather than given JSON under a name that says otherwise."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, Literal

OutputFormat = Literal["jsonl", "csv"]
_JSON_LINES = ("", ".jsonl", ".ndjson", ".json")


def output_format(path: Path) -> OutputFormat | None:
    """None for an extension that names neither."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    return "jsonl" if suffix in _JSON_LINES else None


def unknown_format_message(path: Path) -> str:
    return (
        f"{path}: the output is JSON lines (.jsonl) or CSV (.csv), not {path.suffix!r} — "
        "name the file .jsonl or .csv"
    )


def write_rows_as_csv(rows: Iterable[dict[str, Any]], handle: IO[str]) -> int:
    """Every row's fields as columns, in the order they first appear."""
    listed = list(rows)
    columns: dict[str, None] = {}
    for row in listed:
        columns.update(dict.fromkeys(row))
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in listed:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return len(listed)


def json_lines_as_csv(text: str, handle: IO[str]) -> int:
    rows = (json.loads(line) for line in text.splitlines() if line.strip())
    return write_rows_as_csv(rows, handle)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value
