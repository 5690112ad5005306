"""Salesforce writes an Id two ways: 15 characters, case-sensitive (what the UI's URLs show),
or 18 (the API's, with a 3-character suffix). A person pastes either; both name one record."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SHORT = re.compile(r"^[A-Za-z0-9]{15}$")


def short_form(value: str) -> str | None:
    """The 15-character Id `value` is, or None."""
    value = value.strip()
    return value if _SHORT.match(value) else None


def long_forms(ids: Iterable[str]) -> dict[str, str]:
    """Each 18-character Id by its first 15 characters (case kept: those are case-sensitive)."""
    return {record_id[:15]: record_id for record_id in ids if len(record_id) == 18}


def resolve(value: str, ids: Iterable[str]) -> str | None:
    """The 18-character Id among `ids` that a 15-character `value` names, or None."""
    short = short_form(value)
    return long_forms(ids).get(short) if short else None
