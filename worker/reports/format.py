"""How a report's figures read, in the terminal and the HTML alike: shares as percentages."""

from __future__ import annotations

from typing import Any


def is_share(column: str) -> bool:
    return "share" in column


def shown(value: Any, column: str = "") -> str:
    if value is None:
        return "—"
    if is_share(column) and isinstance(value, int | float):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)
