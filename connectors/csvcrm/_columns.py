"""The CSV CRM's schema check: a field the policy reads must be a column of its object's file.

A missing file is no finding: it means the CRM has no records of that object.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from connectors.base import FieldNeeds, UnreadableField
from connectors.schema import close_names, did_you_mean


def missing_columns(
    object_file: Callable[[str], Path | None], needs: FieldNeeds
) -> list[UnreadableField]:
    found: list[UnreadableField] = []
    for object in sorted(needs):
        path = object_file(object)
        columns = _header(path) if path is not None else None
        if path is None or columns is None:
            continue
        missing = sorted(n for n in needs[object] - columns if "." not in n)
        found += [_missing(object, name, path, columns) for name in missing]
    return found


def _header(path: Path) -> frozenset[str] | None:
    """The first row with a cell in it, as the CSV CRM reads it (blank lines above it are
    skipped there too)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for cells in csv.reader(handle):
                if any(cell.strip() for cell in cells):
                    return frozenset(cell.strip() for cell in cells)
    except (OSError, UnicodeDecodeError, csv.Error):
        pass  # reading the snapshot reports what is wrong with the file
    return None


def _missing(object: str, name: str, path: Path, columns: frozenset[str]) -> UnreadableField:
    close = close_names(name, columns)
    return UnreadableField(
        object,
        name,
        f"no column '{name}' in {path.name}",
        f"{did_you_mean(close)}add the column to {path.name} (header row, the field's API name), "
        "or change the policy",
        close,
    )
