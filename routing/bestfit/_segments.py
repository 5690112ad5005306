"""Segments for best-fit routing: the same key for a closed deal (from the opportunity and its
account) and for a lead at routing time (from the matched account, else the lead itself), so
that what the model learned from deals applies to the leads it routes.

A segment field is named like `Account.Industry` or `Opportunity.LeadSource`. Sizes are banded
(a rep is good with mid-market, not with 731 employees); countries are read as ISO codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from routing.model import Account, FieldValue, Lead, Opportunity
from routing.territory import country_code

OBJECTS = ("Account", "Opportunity")
NONE_VALUE = "(none)"
SEPARATOR = " | "

# Account fields whose lead counterpart has another name.
_LEAD_ALIASES = {"BillingCountry": "Country", "BillingState": "State", "BillingCity": "City"}

_BANDS: dict[str, tuple[tuple[float, str], ...]] = {
    "NumberOfEmployees": (
        (5000, "5000+"),
        (1000, "1000-4999"),
        (200, "200-999"),
        (50, "50-199"),
        (0, "1-49"),
    ),
    "AnnualRevenue": (
        (1e9, "1B+"),
        (1e8, "100M-1B"),
        (1e7, "10M-100M"),
        (1e6, "1M-10M"),
        (0, "<1M"),
    ),
}


@dataclass(frozen=True, slots=True)
class SegmentField:
    object: str
    name: str

    def __str__(self) -> str:
        return f"{self.object}.{self.name}"


def parse_segment_field(text: str) -> SegmentField:
    """`Account.Industry` → SegmentField; a ValueError says how to write it."""
    obj, dot, name = text.strip().partition(".")
    if not dot or not name or obj not in OBJECTS:
        raise ValueError(
            f"'{text}' is not a segment field: write Object.Field with Object one of "
            f"{', '.join(OBJECTS)}, e.g. Account.Industry or Opportunity.LeadSource"
        )
    return SegmentField(obj, name)


def segment_value(field_name: str, value: FieldValue) -> str:
    if value is None or value == "":
        return NONE_VALUE
    bands = _BANDS.get(field_name)
    if bands is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return next(label for floor, label in bands if value >= floor)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return str(value.year)
    text = str(value).strip()
    if field_name.endswith("Country"):
        text = country_code(text) or text
    return text.casefold().replace("|", "/") or NONE_VALUE


def segment_key(values: Sequence[str]) -> str:
    return SEPARATOR.join(values)


def segment_parts(fields: Sequence[SegmentField], key: str) -> dict[str, str]:
    return dict(zip((str(f) for f in fields), key.split(SEPARATOR), strict=False))


def deal_segment(fields: Sequence[SegmentField], opp: Opportunity, account: Account | None) -> str:
    values = []
    for field in fields:
        source: Mapping[str, FieldValue] | None
        source = (
            opp.fields if field.object == "Opportunity" else account.fields if account else None
        )
        values.append(segment_value(field.name, source.get(field.name) if source else None))
    return segment_key(values)


def lead_segment(fields: Sequence[SegmentField], lead: Lead, account: Account | None) -> str:
    """Account fields come from the matched account when there is one, else from the lead's
    own copy (Industry, NumberOfEmployees, Country, …); deal fields come from the lead."""
    values = []
    for field in fields:
        value: FieldValue = None
        if field.object == "Account" and account is not None:
            value = account.fields.get(field.name)
        if value is None:
            value = lead.fields.get(_LEAD_ALIASES.get(field.name, field.name))
        values.append(segment_value(field.name, value))
    return segment_key(values)
