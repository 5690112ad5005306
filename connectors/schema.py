"""Shared by the connectors' schema checks: did-you-mean against the names a CRM has."""

from __future__ import annotations

import difflib
from collections.abc import Collection


def close_names(name: str, known: Collection[str], limit: int = 3) -> tuple[str, ...]:
    """Names in `known` that look like `name`: a different case first, then difflib's."""
    same_case = [k for k in known if k.casefold() == name.casefold() and k != name]
    by_key = {k.casefold(): k for k in known}
    similar = difflib.get_close_matches(name.casefold(), list(by_key), n=limit, cutoff=0.6)
    found = [*same_case, *(by_key[s] for s in similar)]
    return tuple(dict.fromkeys(found))[:limit]


def did_you_mean(close: tuple[str, ...]) -> str:
    return f"did you mean {' or '.join(close)}? " if close else ""
