"""Settings that are pasted into SOQL, checked before they are.

SALESFORCE_LEAD_FILTER goes inside `( … ) AND (SystemModstamp >= …)`: a filter such as
`IsConverted = false) OR (Id != null` would close that parenthesis and widen the poll window
past the watermark. A filter must keep its parentheses balanced and its quotes closed, and
hold no clause of its own (LIMIT, ORDER BY …); field settings must be field API names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from connectors.base import ConfigError

_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79}){0,4}$")
_OBJECTS = frozenset({"Lead", "Contact", "Account", "Opportunity", "User", "Group"})
_CLAUSES = re.compile(
    r"\b(LIMIT|OFFSET|ORDER\s+BY|GROUP\s+BY|HAVING|FOR\s+(UPDATE|VIEW|REFERENCE)|"
    r"WITH\s+SECURITY_ENFORCED|USING\s+SCOPE|SELECT|FROM)\b",
    re.IGNORECASE,
)


def check_filter(setting: str, text: str) -> None:
    outside = _outside_strings(setting, text)
    depth = 0
    for char in outside:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise ConfigError(
                f"{setting} closes a parenthesis it did not open ({text!r}), which would let "
                "it escape the parentheses LeadRelay puts it in — balance its parentheses"
            )
    if depth:
        raise ConfigError(f"{setting} leaves a parenthesis open ({text!r}) — close it")
    clause = _CLAUSES.search(outside)
    if clause:
        raise ConfigError(
            f"{setting} holds {clause.group(0).upper()!r}, which is not a condition "
            f"({text!r}) — give only the WHERE condition, e.g. IsConverted = false"
        )


def _outside_strings(setting: str, text: str) -> str:
    """The filter with every quoted literal blanked (a ')' inside 'a)b' is text)."""
    kept, quoted, escaped = [], False, False
    for char in text:
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "'":
                quoted = False
            kept.append(" ")
        elif char == "'":
            quoted = True
            kept.append(" ")
        else:
            kept.append(char)
    if quoted:
        raise ConfigError(f"{setting} leaves a quote open ({text!r}) — close the string")
    return "".join(kept)


def check_field(setting: str, name: str) -> None:
    if not _FIELD.match(name):
        raise ConfigError(
            f"{setting}: {name!r} is not a field API name — write names like Out_Of_Office__c "
            "or Owner.Name (letters, digits, underscores; dots between relationships)"
        )


def check_salesforce_settings(
    filters: Mapping[str, str], availability_field: str, extra_fields: Mapping[str, Iterable[str]]
) -> None:
    for setting, text in filters.items():
        check_filter(setting, text)
    if availability_field:
        check_field("SALESFORCE_AVAILABILITY_FIELD", availability_field)
    for object_name, names in extra_fields.items():
        if object_name not in _OBJECTS:
            raise ConfigError(
                f"SALESFORCE_EXTRA_FIELDS: {object_name!r} is not an object LeadRelay reads — "
                f"use one of {', '.join(sorted(_OBJECTS))}, as Object.Field"
            )
        for name in names:
            check_field("SALESFORCE_EXTRA_FIELDS", name)
