"""The policy's `aliases:`: former names, tickers and short forms point to an account by Id, by
name or by website domain; near-misses are offered as aliases for a person to confirm."""

from __future__ import annotations

import pytest

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.matching import AccountMatcher, MatchSettings, as_policy_yaml, suggest_aliases
from routing.model import Account, CrmSnapshot, Lead, Rep

VODAFONE = Account("voda", "Vodafone Group Plc", "vodafone.com")
RBS = Account("rbs", "Royal Bank of Scotland Group", "rbs.co.uk")
ALPHABET = Account("alpha", "Alphabet Inc.", "abc.xyz")
OTHERS = [Account("globex", "Globex Logistics"), Account("initech", "Initech Software")]
ALIASES = (
    ("VOD", "voda"),  # a ticker → an account Id
    ("RBS", "Royal Bank of Scotland Group plc"),  # a short form → an account name
    ("Google", "abc.xyz"),  # a former/other name → a domain
    ("Acme", "nobody"),  # names no account
)


def matcher() -> AccountMatcher:
    return AccountMatcher(
        [VODAFONE, RBS, ALPHABET, *OTHERS], settings=MatchSettings(aliases=ALIASES)
    )


@pytest.mark.parametrize(
    ("company", "expected"),
    [("VOD", "voda"), ("vod plc", "voda"), ("RBS", "rbs"), ("Google LLC", "alpha"),
     ("Acme", None), ("Vodacom", None)],
)  # fmt: skip
def test_an_alias_matches_its_account(company: str, expected: str | None) -> None:
    found = matcher().match(Lead("l", company=company))
    assert found.account_id == expected
    if expected:
        assert found.method == "alias" and "alias" in found.reason


def test_an_alias_that_names_no_account_is_reported() -> None:
    assert matcher().unresolved_aliases() == [("Acme", "nobody")]


def test_the_policy_aliases_section_reaches_the_matcher() -> None:
    snapshot = CrmSnapshot(users={"U1": Rep("U1", "Ann", "ann@x.example")})
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"user": "ann@x.example"}]},
            "fallback": {"user": "ann@x.example"},
            "pools": [{"name": "p", "members": ["ann@x.example"]}],
            "rules": [{"name": "all", "assign": {"pool": "p"}}],
            "aliases": {"VOD": "voda"},
        }
    )
    settings = compile_policy(spec, snapshot).matching
    assert settings.aliases == (("VOD", "voda"),)
    found = AccountMatcher([VODAFONE], settings=settings).match(Lead("l", company="VOD"))
    assert found.account_id == "voda"


def test_near_misses_are_suggested_with_the_closest_account_and_why() -> None:
    beacon = Account("beacon", "Beacon Manufacturing")
    accounts = {a.id: a for a in [beacon, *OTHERS]}
    plain = AccountMatcher(accounts.values())
    companies = ["Falcon Manufacturing", "Falcon Manufacturing", "Beacon Manufacturing", "Zzz"]
    leads = [Lead(f"l{i}", company=company) for i, company in enumerate(companies)]
    [suggestion] = suggest_aliases([(lead, plain.match(lead)) for lead in leads], accounts)
    assert (suggestion.company, suggestion.account_id, suggestion.leads) == (
        "Falcon Manufacturing", "beacon", 2
    )  # fmt: skip
    assert "falcon" in suggestion.why_lost
    assert (
        as_policy_yaml([suggestion])
        .splitlines()[1]
        .startswith('  "Falcon Manufacturing": "beacon"  # Beacon Manufacturing;')
    )
