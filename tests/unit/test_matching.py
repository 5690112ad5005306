from __future__ import annotations

from datetime import UTC, datetime

import pytest

from routing.matching import AccountFacts, AccountMatcher, MatchSettings
from routing.model import Account, Contact, Lead

IBM = Account(
    "ibm", "International Business Machines Corporation", "www.ibm.com", billing_country="US"
)
INITECH = Account("initech", "Initech Ltd", "https://initech.co.uk/", billing_country="UK")
DELTA_AIR = Account("delta-air", "Delta Air Lines, Inc.", "delta.com", billing_country="US")
DELTA_DENTAL = Account("delta-dental", "Delta Dental Plans Association", "deltadental.com")
APPLE = Account("apple", "Apple Inc.", "apple.com", billing_country="US")
AMERICAN_AIRLINES = Account("aa", "American Airlines Group Inc.", "aa.com")
GENERAL_ELECTRIC = Account("ge", "General Electric Company", "ge.com")
AURORA_HEALTH = Account("aurora-health", "Aurora Health Care", "aurorahealthcare.org")
VANDELAY = Account("vandelay", "Vandelay Industries", "vandelayindustries.com")
ACME_US = Account("acme-us", "Acme Corp", "acmecorp.com", billing_country="United States")
ACME_UK = Account("acme-uk", "ACME Corporation Limited", "acme-corp.co.uk", billing_country="UK")
GAZPROM = Account("gazprom", "ПАО «Газпром»", None, billing_country="Россия")
WIDGETS = Account("widgets", "International Widget Manufacturing Corp", None)
NORTHWIND = Account("northwind", "Northwind Traders N.V.,NL", None)

ACCOUNTS = [
    IBM, INITECH, DELTA_AIR, DELTA_DENTAL, APPLE, AMERICAN_AIRLINES, GENERAL_ELECTRIC,
    AURORA_HEALTH, VANDELAY, ACME_US, ACME_UK, GAZPROM, WIDGETS, NORTHWIND,
]  # fmt: skip


def matcher(*extra: Account, **settings: object) -> AccountMatcher:
    return AccountMatcher([*ACCOUNTS, *extra], settings=MatchSettings(**settings))  # type: ignore[arg-type]


def lead(
    company: str | None = None, email: str | None = "someone@gmail.com", **more: object
) -> Lead:
    return Lead("lead", email=email, company=company, **more)  # type: ignore[arg-type]


def test_an_existing_contact_with_the_same_email_decides_whatever_the_case() -> None:
    contact = Contact("c1", account_id="vandelay", email="Art.Vandelay@Latex.example")
    found = AccountMatcher(ACCOUNTS, [contact]).match(
        lead("Something Else", "art.vandelay@LATEX.example")
    )
    assert (found.account_id, found.method) == ("vandelay", "contact")


def test_a_subdomain_email_matches_the_registered_domain() -> None:
    found = matcher().match(lead("IBM Consulting", "raj@us.ibm.com"))
    assert (found.account_id, found.method) == ("ibm", "domain")


def test_a_country_code_second_level_domain_stays_whole() -> None:
    assert matcher().match(lead(None, "priti@initech.co.uk")).account_id == "initech"
    assert matcher().match(lead(None, "priti@initech.com")).account_id is None


def test_free_mail_never_matches_by_domain() -> None:
    sole_trader = Account("sole", "Bob Plumbing", "https://gmail.com")
    assert matcher(sole_trader).match(lead(None, "anyone@gmail.com")).account_id is None


def test_free_mail_domains_can_be_extended_in_the_policy() -> None:
    isp = Account("isp", "Corpmail Networks", "corpmail.net")
    assert matcher(isp).match(lead(None, "x@corpmail.net")).account_id == "isp"
    extended = matcher(isp, extra_free_mail_domains=["CorpMail.net"])
    assert extended.match(lead(None, "x@corpmail.net")).account_id is None


def test_a_domain_beats_a_name_and_the_name_candidate_says_why_it_lost() -> None:
    found = matcher().match(lead("Delta", "jim@deltadental.com"))
    assert (found.account_id, found.method) == ("delta-dental", "domain")
    assert "delta-air" in {candidate.account_id for candidate in found.candidates}


@pytest.mark.parametrize(
    "company",
    ["Apple Leisure Group", "American Eagle", "General Mills", "Falcon Health", "Delta"],
)
def test_a_shared_common_word_is_not_a_match(company: str) -> None:
    assert matcher().match(lead(company)).account_id is None


def test_the_rejected_decoy_is_reported_with_the_reason() -> None:
    found = matcher().match(lead("Apple Leisure Group"))
    [apple] = [candidate for candidate in found.candidates if candidate.account_id == "apple"]
    assert "apple" in apple.why_lost and "common" in apple.why_lost


@pytest.mark.parametrize("company", ["IBM", "I.B.M.", "International Business Machines"])
def test_acronyms_and_the_full_name_find_the_account(company: str) -> None:
    assert matcher().match(lead(company)).account_id == "ibm"


def test_an_acronym_is_reported_as_such() -> None:
    assert matcher().match(lead("I.B.M.")).method == "acronym"


@pytest.mark.parametrize(
    "company",
    ["Northwind Traders", "Northwind Traders B.V., Rotterdam", "NORTHWIND TRADERS AB (PUBL)"],
)
def test_stacked_and_trailing_legal_forms_are_ignored(company: str) -> None:
    found = matcher().match(lead(company))
    assert (found.account_id, found.method) == ("northwind", "name")


def test_abbreviations_are_expanded() -> None:
    assert matcher().match(lead("Intl Widget Mfg.")).account_id == "widgets"


def test_word_order_does_not_matter() -> None:
    assert matcher().match(lead("Industries Vandelay")).account_id == "vandelay"


def test_a_typo_is_a_fuzzy_match() -> None:
    found = matcher().match(lead("Vandeley Industries"))
    assert (found.account_id, found.method) == ("vandelay", "fuzzy")
    assert 0 < found.confidence < 0.9


def test_fuzzy_matching_can_be_switched_off() -> None:
    assert matcher(fuzzy=False).match(lead("Vandeley Industries")).account_id is None


def test_extra_words_after_a_distinctive_name_still_match() -> None:
    assert matcher().match(lead("Vandelay Industries Italian Kitchen")).account_id == "vandelay"


def test_a_name_in_cyrillic_matches_its_transliteration() -> None:
    assert matcher().match(lead("Gazprom PJSC")).account_id == "gazprom"


def test_equally_good_names_are_separated_by_the_leads_country() -> None:
    found = matcher().match(lead("Acme Corp", country="United Kingdom"))
    assert found.account_id == "acme-uk"
    [loser] = found.candidates
    assert loser.account_id == "acme-us" and "country" in loser.why_lost


def test_by_default_a_tie_goes_to_the_closest_full_name_and_the_trace_says_so() -> None:
    found = matcher().match(lead("Acme", country="France"))
    assert found.account_id == "acme-us"  # `Acme Corp` is closer to `Acme` as written
    [loser] = found.candidates
    assert loser.account_id == "acme-uk" and "full name" in loser.why_lost


def test_a_tie_that_nothing_breaks_is_no_match_with_every_candidate() -> None:
    found = matcher(tie_breakers=("country",)).match(lead("Acme", country="France"))
    assert (found.account_id, found.method) == (None, "none")
    assert {c.account_id for c in found.candidates} == {"acme-us", "acme-uk"}
    assert all("ambiguous" in candidate.why_lost for candidate in found.candidates)


def test_configured_tie_breakers_apply_in_order() -> None:
    customer = Account("acme-de", "Acme GmbH", type="Customer", billing_country="DE")
    facts = AccountFacts(with_open_opportunity=frozenset({"acme-us"}))
    by_customer = MatchSettings(tie_breakers=("country", "customer", "open_opportunity"))
    by_opportunity = MatchSettings(tie_breakers=("country", "open_opportunity", "customer"))
    accounts = [*ACCOUNTS, customer]
    acme = lead("Acme", country="France")
    assert (
        AccountMatcher(accounts, settings=by_customer, facts=facts).match(acme).account_id
        == "acme-de"
    )
    assert (
        AccountMatcher(accounts, settings=by_opportunity, facts=facts).match(acme).account_id
        == "acme-us"
    )


def test_the_oldest_and_most_recently_active_tie_breakers() -> None:
    facts = AccountFacts(
        created={
            "acme-us": datetime(2001, 1, 1, tzinfo=UTC),
            "acme-uk": datetime(2019, 1, 1, tzinfo=UTC),
        },
        last_activity={"acme-uk": datetime(2025, 1, 1, tzinfo=UTC)},
    )
    acme = lead("Acme", country="France")
    oldest = AccountMatcher(ACCOUNTS, settings=MatchSettings(tie_breakers=("oldest",)), facts=facts)
    recent = AccountMatcher(
        ACCOUNTS, settings=MatchSettings(tie_breakers=("recent_activity",)), facts=facts
    )
    assert oldest.match(acme).account_id == "acme-us"
    assert recent.match(acme).account_id == "acme-uk"


def test_a_changed_account_is_found_under_its_new_name_only() -> None:
    index = matcher()
    index.upsert_account(Account("vandelay", "Kramerica Industries", "kramerica.com"))
    assert index.match(lead("Kramerica Industries")).account_id == "vandelay"
    assert index.match(lead("Vandelay Industries")).account_id is None
    assert index.match(lead(None, "x@vandelayindustries.com")).account_id is None


def test_a_removed_account_no_longer_matches() -> None:
    index = matcher()
    index.remove_account("initech")
    assert index.match(lead("Initech", "priti@initech.co.uk")).account_id is None


def test_a_contact_added_later_is_used() -> None:
    index = matcher()
    index.upsert_contact(Contact("c9", account_id="initech", email="milton@swingline.example"))
    assert index.match(lead(None, "milton@swingline.example")).account_id == "initech"


def test_signals_can_be_reordered_or_left_out() -> None:
    name_only = matcher(signals=["name"])
    assert name_only.match(lead("Delta Air Lines", "jim@deltadental.com")).account_id == "delta-air"


def test_settings_take_plain_yaml_values_and_reject_unknown_names() -> None:
    settings = MatchSettings(extra_generic_words=["Kramerica"], tie_breakers=["country", "oldest"])
    assert settings.extra_generic_words == frozenset({"kramerica"})
    assert settings.tie_breakers == ("country", "oldest")
    with pytest.raises(ValueError, match="tie_breakers"):
        MatchSettings(tie_breakers=("alphabetical",))


def test_placeholder_companies_never_match() -> None:
    self_employed = Account("self", "Self Employed")
    assert matcher(self_employed).match(lead("self-employed")).account_id is None


def test_a_match_serialises_for_the_matches_file() -> None:
    document = matcher().match(lead("Delta", "jim@deltadental.com")).to_json()
    assert document["account_id"] == "delta-dental"
    assert document["candidates"][0]["why_lost"]


def test_swapped_letters_are_a_typo_but_another_letter_in_a_short_word_is_another_name() -> None:
    hansen = Account("hansen", "Hansen Plumbing LLC")
    assert matcher(hansen).match(lead("Hnasen Plumbing")).account_id == "hansen"
    assert matcher(hansen).match(lead("Hanson Plumbing")).account_id is None
