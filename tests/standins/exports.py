"""A folder of CSV exports (the Acme sample's layout: one `<Object>.csv` per sObject) loaded
into a FakeOrg, typed as Salesforce's REST API would send it: checkboxes as booleans, numbers
as numbers, datetimes as `2026-10-02T09:00:00.000+0000`, empty cells as null. The cells are
read with the CSV connector's own parsers, so both CRMs hold the same values."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.csvcrm._types import (
    Kind,
    known_kind,
    looks_boolean,
    parse_bool,
    parse_datetime,
    parse_float,
    parse_int,
    parse_text,
)
from tests.integration.salesforce_org import FakeOrg, sf_time

SOBJECTS = ("User", "Group", "Account", "Contact", "Opportunity", "Lead")


def load_export(org: FakeOrg, folder: Path, *, stamp: datetime) -> int:
    """Every row of every sObject file, with SystemModstamp `stamp` unless the file has one."""
    loaded = 0
    for object in SOBJECTS:
        path = folder / f"{object}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        kinds = {name: _kind(name, [row[name] for row in rows]) for name in rows[0]} if rows else {}
        for row in rows:
            values = {name: _value(kinds[name], cell) for name, cell in row.items()}
            values.setdefault("SystemModstamp", sf_time(stamp))
            values.pop("Id")
            org.add(object, row["Id"], **values)
            loaded += 1
    return loaded


def _kind(name: str, cells: list[str]) -> Kind:
    return known_kind(name) or (Kind.BOOL if looks_boolean(cells) else Kind.TEXT)


def _value(kind: Kind, cell: str) -> Any:
    if kind is Kind.BOOL:
        return parse_bool(cell)
    if kind is Kind.INT:
        return parse_int(cell)
    if kind is Kind.FLOAT:
        return parse_float(cell)
    if kind is Kind.DATETIME:
        moment = parse_datetime(cell)
        if moment is None or "T" not in cell:
            return cell or None  # a date field stays a date: YYYY-MM-DD
        return sf_time(moment)
    return parse_text(cell)
