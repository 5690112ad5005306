"""Near-misses a person may confirm as aliases: leads that matched no account although one came
close. Each suggestion is the lead's company as typed, the closest account and why it lost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from routing.model import Account, Lead, Match


@dataclass(frozen=True, slots=True)
class AliasSuggestion:
    company: str  # as the leads typed it
    account_id: str
    account_name: str
    why_lost: str
    leads: int  # how many unmatched leads typed it so


def suggest_aliases(
    pairs: Iterable[tuple[Lead, Match]], accounts: Mapping[str, Account]
) -> list[AliasSuggestion]:
    """The closest account of every company that matched nothing, most leads first."""
    found: dict[str, AliasSuggestion] = {}
    for lead, match in pairs:
        company = (lead.company or "").strip()
        if match.account_id is not None or not company or not match.candidates:
            continue
        best = match.candidates[0]
        if best.account_id not in accounts:
            continue
        known = found.get(company.lower())
        count = known.leads + 1 if known else 1
        found[company.lower()] = AliasSuggestion(
            company, best.account_id, accounts[best.account_id].name, best.why_lost, count
        )
    return sorted(found.values(), key=lambda s: (-s.leads, s.company.lower()))


def as_policy_yaml(suggestions: Iterable[AliasSuggestion]) -> str:
    """An `aliases:` section to paste into the policy once a person has checked each line."""
    lines = ["aliases:  # confirm each line before use; delete the wrong ones"]
    for s in suggestions:
        lines.append(
            f"  {_quoted(s.company)}: {_quoted(s.account_id)}"
            f"  # {s.account_name}; {s.why_lost}; {s.leads} lead(s)"
        )
    return "\n".join(lines)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
