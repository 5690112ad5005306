"""Dictionaries from a key to one or more string values, lean enough for a million accounts.

Most keys have a single value: it is kept bare, and becomes a list only with a second one.
"""

from __future__ import annotations

Ids = str | list[str]


def ids(index: dict[str, Ids], key: str) -> list[str]:
    found = index.get(key)
    if found is None:
        return []
    return [found] if isinstance(found, str) else found


def count(index: dict[str, Ids], key: str) -> int:
    found = index.get(key)
    if found is None:
        return 0
    return 1 if isinstance(found, str) else len(found)


def add(index: dict[str, Ids], key: str, value: str) -> None:
    """Most keys have one value: keep it bare and make a list only for the second."""
    found = index.get(key)
    if found is None:
        index[key] = value
    elif isinstance(found, str):
        if found != value:
            index[key] = [found, value]
    else:
        found.append(value)  # callers never add a value twice


def discard(index: dict[str, Ids], key: str, value: str) -> None:
    found = index.get(key)
    if found is None:
        return
    if isinstance(found, str):
        if found == value:
            del index[key]
        return
    if value in found:
        found.remove(value)
    if len(found) == 1:
        index[key] = found[0]
