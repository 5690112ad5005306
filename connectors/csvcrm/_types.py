"""Turning CSV cells into typed field values.

A column's kind comes from its Salesforce API name (IsActive is a boolean, NumberOfEmployees a
whole number, CreatedDate a datetime …); a column we do not know becomes a boolean when every
value in it is true/false, and otherwise stays text. A cell that does not fit its kind raises
`CellError` with the problem and the fix, so the caller can say where.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import Enum

from routing.model import FieldValue


class Kind(Enum):
    TEXT = "text"
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    DATETIME = "datetime"


class CellError(ValueError):
    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


BOOL_FIELDS = frozenset(
    {"IsActive", "IsConverted", "IsClosed", "IsWon", "IsDeleted", "DoNotCall", "IsPrivate"}
)
INT_FIELDS = frozenset({"NumberOfEmployees"})
FLOAT_FIELDS = frozenset(
    {"AnnualRevenue", "Amount", "Probability", "ExpectedRevenue", "TotalOpportunityQuantity"}
)
DATETIME_FIELDS = frozenset(
    {
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
        "CloseDate",
        "LastActivityDate",
        "ConvertedDate",
        "LastViewedDate",
        "LastReferencedDate",
        "LastLoginDate",
        "LastTransferDate",
        "EmailBouncedDate",
        "Birthdate",
    }
)
_STANDARD_FLAG = re.compile(r"^(Is|Has)[A-Z][A-Za-z]*$")
_STANDARD_DATE = re.compile(r"^[A-Za-z]+Date$")

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_LITERAL_BOOLEANS = frozenset({"true", "false"})
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
# "1.000" in a German or Dutch export is a thousand, and float() reads it as 1
_DOT_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")


def known_kind(api_name: str) -> Kind | None:
    """The kind Salesforce gives a standard field, or None for a field we do not know."""
    if api_name in BOOL_FIELDS:
        return Kind.BOOL
    if api_name in INT_FIELDS:
        return Kind.INT
    if api_name in FLOAT_FIELDS:
        return Kind.FLOAT
    if api_name in DATETIME_FIELDS:
        return Kind.DATETIME
    if "__" in api_name:
        return None
    if _STANDARD_FLAG.match(api_name):
        return Kind.BOOL
    if _STANDARD_DATE.match(api_name):
        return Kind.DATETIME
    return None


def looks_boolean(values: Iterable[str]) -> bool:
    """True when every non-empty value is true/false and there is at least one."""
    seen = False
    for value in values:
        if not value:
            continue
        if value.strip().lower() not in _LITERAL_BOOLEANS:
            return False
        seen = True
    return seen


def parse_bool(cell: str) -> bool | None:
    word = cell.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    if not word:
        return None
    raise CellError(
        f"'{cell}' is not true or false", "write true or false, or leave the cell empty"
    )


def _plain_number(cell: str) -> str:
    """Drop thousands separators, but only where they really group thousands ("1,200"):
    "1,5" is more likely a decimal comma and must not silently become 15."""
    text = cell.strip()
    if "," in text and _GROUPED_NUMBER.match(text):
        return text.replace(",", "")
    return text


def parse_int(cell: str) -> int | None:
    text = _plain_number(cell)
    if not text:
        return None
    if _DOT_GROUPED.match(text):
        raise CellError(
            f"'{cell}' looks like {text.replace('.', '')} written with a dot between "
            "thousands, which would read as a decimal point, so it was not read",
            f"write the whole number without separators, e.g. {text.replace('.', '')}",
        )
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number) and number.is_integer():
        return int(number)
    raise CellError(
        f"'{cell}' is not a whole number",
        "write a whole number such as 1200, or leave the cell empty",
    )


def parse_float(cell: str) -> float | None:
    text = _plain_number(cell)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number):
        return number
    raise CellError(
        f"'{cell}' is not a number",
        "write a number such as 250000 or 1,200.50 (no currency sign), or leave the cell empty",
    )


def parse_datetime(cell: str) -> datetime | None:
    """ISO 8601; a date alone is midnight UTC, a time with no offset is taken as UTC."""
    text = cell.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CellError(
            f"'{cell}' is not an ISO 8601 date or time",
            "write a UTC time such as 2026-11-05T09:30:00Z or a date such as 2026-11-05, "
            "or leave the cell empty",
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_text(cell: str) -> str | None:
    return cell or None


Parser = Callable[[str], FieldValue]

PARSERS: dict[Kind, Parser] = {
    Kind.TEXT: parse_text,
    Kind.BOOL: parse_bool,
    Kind.INT: parse_int,
    Kind.FLOAT: parse_float,
    Kind.DATETIME: parse_datetime,
}
