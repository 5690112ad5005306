"""Which account a lead belongs to: by domain, by name (exact, acronym, fuzzy, overlap) and by
the policy's aliases; and which aliases a near miss suggests."""

from routing.matching.alias_suggestions import as_policy_yaml, suggest_aliases
from routing.matching.matcher import AccountFacts, AccountMatcher, MatchSettings

__all__ = [
    "AccountFacts",
    "AccountMatcher",
    "MatchSettings",
    "as_policy_yaml",
    "suggest_aliases",
]
