"""Every lead of the Acme sample is matched to the account expected.csv names, or to none."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from connectors.csvcrm import CsvCrm
from routing.matching import AccountFacts, AccountMatcher
from routing.model import CrmSnapshot, Match

REPO = Path(__file__).resolve().parents[2]


def acme_folder() -> Path | None:
    """$LEADRELAY_SAMPLES (the samples folder or the acme folder itself), else the shared
    samples beside the repository, else the copy embedded with the example policy."""
    configured = os.environ.get("LEADRELAY_SAMPLES")
    places = [Path(configured), Path(configured) / "acme"] if configured else []
    places += [REPO.parent / "shared" / "samples" / "acme", REPO / "config" / "examples" / "acme"]
    return next((place for place in places if (place / "expected.csv").is_file()), None)


ACME = acme_folder()
pytestmark = pytest.mark.skipif(
    ACME is None,
    reason="Acme sample not found: set LEADRELAY_SAMPLES, or put shared/samples/acme beside "
    "the repository",
)


def expected_accounts() -> dict[str, str | None]:
    if ACME is None:
        return {}
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
