from __future__ import annotations

import pycountry
import pytest

from routing.territory import (
    Location,
    Place,
    Territory,
    TerritoryMap,
    country_code,
    read_location,
    state_code,
)

# --- countries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("US", "US"),
        ("u.s.", "US"),
        ("U. S. A.", "US"),
        ("United States", "US"),
        ("united states", "US"),
        ("United States of America", "US"),
        ("  United   States  ", "US"),
        ("America", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("United Kingdom", "GB"),
        ("GBR", "GB"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("Allemagne", "DE"),
        ("Alemania", "DE"),
        ("Brasil", "BR"),
        ("Brazil", "BR"),
        ("México", "MX"),
        ("Mexico", "MX"),
        ("UAE", "AE"),
        ("U.A.E.", "AE"),
        ("United Arab Emirates", "AE"),
        ("Holland", "NL"),
        ("The Netherlands", "NL"),
        ("Nederland", "NL"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Korea", "KR"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("North Korea", "KP"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Vietnam", "VN"),
        ("Taiwan", "TW"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Iran", "IR"),
        ("Bolivia", "BO"),
        ("Côte d’Ivoire", "CI"),
        ("Bosnia & Herzegovina", "BA"),
        ("Estados Unidos", "US"),
        ("États-Unis", "US"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("España", "ES"),
        ("japan", "JP"),
        ("日本", "JP"),
        ("sg", "SG"),
        ("Israel", "IL"),
        ("ISR", "IL"),
    ],
)
def test_country_as_people_type_it(text: str, expected: str) -> None:
    assert country_code(text) == expected


@pytest.mark.parametrize("text", ["IL", "il", "Il"])
def test_two_letter_country_is_always_an_iso_code_so_il_is_israel(text: str) -> None:
    assert country_code(text) == "IL"


def test_every_iso_code_reads_as_itself() -> None:
    for country in pycountry.countries:
        assert country_code(country.alpha_2) == country.alpha_2
        assert country_code(country.alpha_3) == country.alpha_2


@pytest.mark.parametrize("text", ["Puerto Rico", "PR", "PRI", "puerto rico"])
def test_puerto_rico_as_a_country_is_the_country_pr(text: str) -> None:
    assert country_code(text) == "PR"


@pytest.mark.parametrize("text", [None, "", "   ", "Narnia", "XX", "Texas", "Virgin Islands", "-"])
def test_unrecognisable_country_is_none(text: str | None) -> None:
    assert country_code(text) is None


# --- states ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "text", "expected"),
    [
        ("US", "CA", "CA"),
        ("US", "California", "CA"),
        ("US", "california", "CA"),
        ("US", "Calif.", "CA"),
        ("US", "US-CA", "CA"),
        ("United States", "Texas", "TX"),
        ("USA", "tx", "TX"),
        ("US", "IL", "IL"),
        ("US", "Illinois", "IL"),
        ("US", "New York", "NY"),
        ("US", "DC", "DC"),
        ("US", "District of Columbia", "DC"),
        ("US", "Washington, D.C.", "DC"),
        ("US", "Washington", "WA"),
        ("US", "PR", "PR"),
        ("US", "Puerto Rico", "PR"),
        ("Canada", "Québec", "QC"),
        ("Canada", "Quebec", "QC"),
        ("CA", "QC", "QC"),
        ("CAN", "quebec", "QC"),
        ("Canada", "British Columbia", "BC"),
        ("Canada", "Ontario", "ON"),
        ("Canada", "Newfoundland", "NL"),
        ("DE", "Bayern", "BY"),
        ("Deutschland", "BY", "BY"),
        ("AU", "New South Wales", "NSW"),
        ("FR", "Île-de-France", "IDF"),
    ],
)
def test_state_by_name_or_code(country: str, text: str, expected: str) -> None:
    assert state_code(country, text) == expected


@pytest.mark.parametrize(
    ("country", "text"),
    [
        ("US", None),
        ("US", ""),
        ("US", "ZZ"),
        ("US", "Ontario"),
        ("CA", "Texas"),
        (None, "Texas"),
        ("Narnia", "CA"),
    ],
)
def test_unrecognisable_state_is_none(country: str | None, text: str | None) -> None:
    assert state_code(country, text) is None


# --- reading an address ----------------------------------------------------------------------


def test_read_location_keeps_the_text_and_says_how_it_was_read() -> None:
    location = read_location(" Deutschland ", None)

    assert location == Location("DE", None, "Deutschland", None, ("'Deutschland' read as DE",))


def test_read_location_notes_the_state_reading() -> None:
    location = read_location("USA", "Texas")

    assert (location.country, location.state) == ("US", "TX")
    assert "'USA' read as US" in location.notes
    assert "'Texas' read as US-TX" in location.notes


def test_read_location_without_country_ignores_the_state() -> None:
    location = read_location("", "Texas")

    assert (location.country, location.state) == (None, None)
    assert location.country_text is None
    assert location.state_text == "Texas"
    assert "no country given" in location.notes


def test_read_location_notes_what_it_could_not_read() -> None:
    location = read_location("Narnia", None)
    assert location.country is None
    assert any("Narnia" in note for note in location.notes)

    location = read_location("US", "Gotham")
    assert (location.country, location.state) == ("US", None)
    assert any("Gotham" in note for note in location.notes)


# --- territories -----------------------------------------------------------------------------

NA_WEST = Territory(
    "NA West", "NA", (Place("US", frozenset({"CA", "WA"})), Place("CA", frozenset({"BC"})))
)
NA_CENTRAL = Territory("NA Central", "NA", (Place("US", frozenset({"IL", "TX"})),))
NA_EAST = Territory(
    "NA East", "NA", (Place("US", frozenset({"NY", "DC"})), Place("CA", frozenset({"QC", "ON"})))
)
LATAM = Territory(
    "LATAM",
    "International",
    (Place("MX"), Place("BR"), Place("PR"), Place("US", frozenset({"PR"}))),
)
EMEA = Territory("EMEA", "EMEA", (Place("GB"), Place("DE"), Place("IL"), Place("AE"), Place("NL")))
ACME = TerritoryMap([NA_WEST, NA_CENTRAL, NA_EAST, LATAM, EMEA])


def _territory_of(country: str | None, state: str | None) -> str | None:
    territory = ACME.locate(read_location(country, state)).territory
    return territory.name if territory else None


@pytest.mark.parametrize(
    ("country", "state", "expected"),
    [
        ("United States", "CA", "NA West"),
        ("USA", "California", "NA West"),
        ("U.S.A.", "texas", "NA Central"),
        ("US", "IL", "NA Central"),
        ("United States of America", "New York", "NA East"),
        ("US", "Washington DC", "NA East"),
        ("Canada", "Québec", "NA East"),
        ("Canada", "British Columbia", "NA West"),
        ("Deutschland", None, "EMEA"),
        ("UK", "England", "EMEA"),
        ("UAE", "Dubai", "EMEA"),
        ("Holland", "", "EMEA"),
        ("México", "Jalisco", "LATAM"),
        ("IL", None, "EMEA"),
        ("IL", "Tel Aviv", "EMEA"),
        ("Puerto Rico", None, "LATAM"),
        ("PR", None, "LATAM"),
        ("US", "PR", "LATAM"),
        ("US", "Puerto Rico", "LATAM"),
    ],
)
def test_locate_finds_the_territory(country: str, state: str | None, expected: str) -> None:
    assert _territory_of(country, state) == expected


@pytest.mark.parametrize(
    ("country", "state"),
    [
        ("United States", None),
        ("US", ""),
        ("US", "Gotham"),
        ("Canada", None),
        ("US", "FL"),  # a real state that no territory claims
        ("Japan", "Tokyo"),  # a country that no territory claims
        ("Narnia", "CA"),
        (None, "California"),
    ],
)
def test_locate_without_a_territory(country: str | None, state: str | None) -> None:
    assert _territory_of(country, state) is None


def test_locate_explains_itself() -> None:
    assert ACME.locate(read_location("US", "New York")).why == "US-NY is in NA East"
    assert ACME.locate(read_location("Deutschland", None)).why == "DE is in EMEA"
    assert (
        ACME.locate(read_location("USA", None)).why
        == "United States without a recognisable state: no territory"
    )
    assert ACME.locate(read_location("US", "FL")).why == "US-FL is in no territory"
    assert ACME.locate(read_location("Japan", None)).why == "Japan (JP) is in no territory"
    assert ACME.locate(read_location("", None)).why == "no country given: no territory"
    assert "Narnia" in ACME.locate(read_location("Narnia", None)).why


def test_locate_returns_the_territory_with_its_region_and_the_location() -> None:
    result = ACME.locate(read_location("Brasil", None))

    assert result.territory is LATAM
    assert result.territory.region == "International"
    assert result.location.country == "BR"


def test_a_state_clause_beats_a_whole_country_clause() -> None:
    texas = Territory("Texas", "NA", (Place("US", frozenset({"TX"})),))
    rest_of_us = Territory("Rest of US", "NA", (Place("US"),))
    territories = TerritoryMap([rest_of_us, texas])

    assert territories.locate(read_location("US", "Texas")).territory is texas
    assert territories.locate(read_location("US", "Ohio")).territory is rest_of_us
    assert territories.locate(read_location("US", None)).territory is rest_of_us


def test_the_same_place_claimed_twice_names_both_territories() -> None:
    east = Territory("NA East", "NA", (Place("US", frozenset({"NY", "PR"})),))

    with pytest.raises(ValueError, match="NA East") as error:
        TerritoryMap([LATAM, east])

    assert "LATAM" in str(error.value)
    assert "US-PR" in str(error.value)


def test_the_same_country_claimed_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="EMEA.*Europe|Europe.*EMEA"):
        TerritoryMap([EMEA, Territory("Europe", "EMEA", (Place("DE"),))])


def test_places_are_read_like_addresses() -> None:
    territories = TerritoryMap([Territory("South", "NA", (Place("USA", frozenset({"Texas"})),))])

    assert territories.locate(read_location("US", "TX")).territory is not None


@pytest.mark.parametrize(
    "place",
    [Place("Narnia"), Place("US", frozenset({"Gotham"})), Place("US", frozenset())],
)
def test_a_place_that_cannot_be_read_is_an_error(place: Place) -> None:
    with pytest.raises(ValueError, match="Bad"):
        TerritoryMap([Territory("Bad", None, (place,))])
