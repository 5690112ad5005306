"""Every lead of the Acme sample is matched to the account expected.csv names, or to none."""

from __future__ import annotations

import csv

import pytest

from connectors.csvcrm.connector import CsvCrm
from routing.matching import AccountFacts, AccountMatcher
from routing.model import CrmSnapshot, Match
from tests.conftest import ACME


def expected_accounts() -> dict[str, str | None]:
    with (ACME / "expected.csv").open(encoding="utf-8") as handle:
        return {row["LeadId"]: row["ExpectedAccountId"] or None for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def matches() -> dict[str, Match]:
    assert ACME is not None
    snapshot: CrmSnapshot = CsvCrm(ACME).snapshot()
    matcher = AccountMatcher(
        snapshot.accounts.values(), snapshot.contacts, facts=AccountFacts.from_snapshot(snapshot)
    )
    return {lead.id: matcher.match(lead) for lead in snapshot.leads}


@pytest.mark.parametrize(("lead_id", "account_id"), sorted(expected_accounts().items()))
def test_lead_matches_the_expected_account(
    lead_id: str, account_id: str | None, matches: dict[str, Match]
) -> None:
    found = matches[lead_id]
    assert found.account_id == account_id, found.reason


def test_every_match_says_how_and_why(matches: dict[str, Match]) -> None:
    for found in matches.values():
        assert found.reason
        assert (found.account_id is None) == (found.method == "none")
        assert all(candidate.why_lost for candidate in found.candidates)
