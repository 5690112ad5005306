"""Reading countries and states as people type them, and the territories they belong to.

A country is read in this order: the explicit aliases below (common non-ISO names), ISO 3166-1
alpha-2 and alpha-3 codes, the ISO names, names derived from them ("Iran, Islamic Republic of"
→ "Iran"), and the ISO names in a few languages (pycountry's translations). A two-letter value is
only ever a country code (plus `UK`), so `IL` is Israel and never Illinois. Derived and
translated names that would point at two countries are left out rather than guessed.

The tables are built once, on first use; every reading of free text is cached.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pycountry
from anyascii import anyascii

__all__ = [
    "Location",
    "Place",
    "Territory",
    "TerritoryMap",
    "TerritoryResult",
    "country_code",
    "read_location",
    "state_code",
]

_TEXT_CACHE_SIZE = 8192
_TRANSLATION_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "sv", "da", "pl")

_COUNTRY_ALIASES: Mapping[str, str] = {
    "America": "US",
    "United States": "US",
    "United States of America": "US",
    "U.S. of A.": "US",
    "Amerika": "US",
    "UK": "GB",
    "United Kingdom": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Deutschland": "DE",
    "Brasil": "BR",
    "México": "MX",
    "Espana": "ES",
    "España": "ES",
    "Italia": "IT",
    "Holland": "NL",
    "Nederland": "NL",
    "Schweiz": "CH",
    "Suisse": "CH",
    "Svizzera": "CH",
    "Österreich": "AT",
    "Sverige": "SE",
    "Norge": "NO",
    "Danmark": "DK",
    "Suomi": "FI",
    "Polska": "PL",
    "Česko": "CZ",
    "Czech Republic": "CZ",
    "Slovak Republic": "SK",
    "Magyarország": "HU",
    "Éire": "IE",
    "Belgique": "BE",
    "België": "BE",
    "Turkey": "TR",
    "Türkiye": "TR",
    "Russia": "RU",
    "Россия": "RU",
    "Korea": "KR",
    "South Korea": "KR",
    "Republic of Korea": "KR",
    "ROK": "KR",
    "대한민국": "KR",
    "한국": "KR",
    "North Korea": "KP",
    "China": "CN",
    "PRC": "CN",
    "Mainland China": "CN",
    "中国": "CN",
    "Japan": "JP",
    "Nippon": "JP",
    "Nihon": "JP",
    "日本": "JP",
    "Taiwan": "TW",
    "Hong Kong": "HK",
    "Macau": "MO",
    "Vietnam": "VN",
    "Laos": "LA",
    "Burma": "MM",
    "Brunei": "BN",
    "UAE": "AE",
    "U.A.E.": "AE",
    "Emirates": "AE",
    "United Arab Emirates": "AE",
    "KSA": "SA",
    "Saudi": "SA",
    "Iran": "IR",
    "Syria": "SY",
    "Palestine": "PS",
    "Ivory Coast": "CI",
    "Cote d'Ivoire": "CI",
    "DRC": "CD",
    "DR Congo": "CD",
    "Democratic Republic of the Congo": "CD",
    "Congo": "CG",
    "Tanzania": "TZ",
    "Cape Verde": "CV",
    "Swaziland": "SZ",
    "Eswatini": "SZ",
    "Macedonia": "MK",
    "Moldova": "MD",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Micronesia": "FM",
    "Puerto Rico": "PR",
}

_STATE_ALIASES: Mapping[str, Mapping[str, str]] = {
    "US": {
        "Washington DC": "DC",
        "Washington D.C.": "DC",
        "D.C.": "DC",
        "District of Columbia": "DC",
        "Calif": "CA",
        "Cali": "CA",
        "Mass": "MA",
        "Penn": "PA",
        "Penna": "PA",
        "Ill": "IL",
        "Tex": "TX",
        "Fla": "FL",
        "Conn": "CT",
        "Wash": "WA",
        "US Virgin Islands": "VI",
    },
    "CA": {
        "Québec": "QC",
        "Province of Quebec": "QC",
        "PQ": "QC",
        "Newfoundland": "NL",
        "Labrador": "NL",
        "PEI": "PE",
        "Yukon Territory": "YT",
        "NWT": "NT",
    },
}

_JOINING_PUNCTUATION = re.compile(r"[.'’`´]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_BRACKETED = re.compile(r"\[.*?\]|\(.*?\)")


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def _normalise(text: str) -> str:
    """Case, accents, punctuation and a leading 'the' removed: 'U.S.A.' → 'usa'."""
    folded = anyascii(text).casefold().replace("&", " and ")
    words = _SEPARATORS.sub(" ", _JOINING_PUNCTUATION.sub("", folded)).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    if len(words) > 1 and all(len(word) == 1 for word in words):
        return "".join(words)  # "U. S. A." → "usa"
    return " ".join(words)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


# --- countries -------------------------------------------------------------------------------


def _derived_names(name: str) -> Iterator[str]:
    """'Korea, Republic of' → 'Korea' and 'Republic of Korea'."""
    if "," not in name:
        return
    head, _, tail = name.partition(",")
    yield head
    yield f"{tail.strip()} {head}"


def _translated_names(alpha_2_by_english_name: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    for language in _TRANSLATION_LANGUAGES:
        try:
            translation = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:
            continue
        for english_name, alpha_2 in alpha_2_by_english_name.items():
            translated = translation.gettext(english_name)
            if translated != english_name:
                yield translated, alpha_2


def _unambiguous(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    codes_by_key: dict[str, set[str]] = {}
    for text, code in pairs:
        key = _normalise(text)
        if len(key) > 3:  # short keys are reserved for codes
            codes_by_key.setdefault(key, set()).add(code)
    return {key: codes.pop() for key, codes in codes_by_key.items() if len(codes) == 1}


@cache
def _country_table() -> Mapping[str, str]:
    table: dict[str, str] = {}
    for text, code in _COUNTRY_ALIASES.items():
        table.setdefault(_normalise(text), code)
    countries = list(pycountry.countries)
    for country in countries:
        table.setdefault(country.alpha_2.casefold(), country.alpha_2)
        table.setdefault(country.alpha_3.casefold(), country.alpha_2)
    english: dict[str, str] = {}
    for country in countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                english[name] = country.alpha_2
                table.setdefault(_normalise(name), country.alpha_2)
    derived = ((d, code) for name, code in english.items() for d in _derived_names(name))
    for key, code in _unambiguous(derived).items():
        table.setdefault(key, code)
    for key, code in _unambiguous(_translated_names(english)).items():
        table.setdefault(key, code)
    return table


@cache
def _country_names() -> Mapping[str, str]:
    return {
        country.alpha_2: getattr(country, "common_name", None) or country.name
        for country in pycountry.countries
    }


def country_name(code: str) -> str:
    """The everyday English name of an ISO alpha-2 code ('KR' → 'South Korea')."""
    return _country_names().get(code, code)


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a country as typed, or None when it is not recognisable."""
    if text is None:
        return None
    key = _normalise(text)
    return _country_table().get(key) if key else None


# --- states ----------------------------------------------------------------------------------


def _subdivisions_top_level_first(country: str) -> list[Any]:
    subdivisions = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]
    return sorted(subdivisions, key=lambda s: (s.parent_code is not None, s.code))


@cache
def _state_table(country: str) -> Mapping[str, str]:
    table: dict[str, str] = {}
    for text, code in _STATE_ALIASES.get(country, {}).items():
        table.setdefault(_normalise(text), code)
    subdivisions = _subdivisions_top_level_first(country)
    for subdivision in subdivisions:
        suffix = subdivision.code.partition("-")[2]
        table.setdefault(_normalise(suffix), suffix)
        table.setdefault(_normalise(subdivision.code), suffix)
    for subdivision in subdivisions:
        suffix = subdivision.code.partition("-")[2]
        table.setdefault(_normalise(_BRACKETED.sub("", subdivision.name)), suffix)
        table.setdefault(_normalise(subdivision.name), suffix)
    table.pop("", None)
    return table


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def state_code(country: str | None, text: str | None) -> str | None:
    """The subdivision code, without the country prefix ('CA', 'QC'), or None."""
    code = country_code(country)
    if code is None or text is None:
        return None
    key = _normalise(text)
    return _state_table(code).get(key) if key else None


# --- reading an address ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    """How an address was read."""

    country: str | None
    state: str | None
    country_text: str | None
    state_text: str | None
    notes: tuple[str, ...]


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def read_location(country: str | None, state: str | None) -> Location:
    country_text, state_text = _clean(country), _clean(state)
    notes: list[str] = []
    code = country_code(country_text)
    if country_text is None:
        notes.append("no country given")
    elif code is None:
        notes.append(f"'{country_text}' not recognised as a country")
    elif country_text != code:
        notes.append(f"'{country_text}' read as {code}")
    subdivision = state_code(code, state_text)
    if state_text is not None:
        notes.append(_state_note(code, state_text, subdivision))
    return Location(code, subdivision, country_text, state_text, tuple(notes))


def _state_note(country: str | None, state_text: str, subdivision: str | None) -> str:
    if country is None:
        return f"state '{state_text}' not read: no country"
    if subdivision is None:
        return f"'{state_text}' not recognised as a state of {country}"
    if state_text != subdivision:
        return f"'{state_text}' read as {country}-{subdivision}"
    return f"state {country}-{subdivision}"


# --- territories -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """One clause of a territory: a country, or some of its states."""

    country: str
    states: frozenset[str] | None = None  # None: the whole country, whatever the state


@dataclass(frozen=True, slots=True)
class Territory:
    name: str
    region: str | None  # macro-region, e.g. "NA", "EMEA", "International"
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class TerritoryResult:
    territory: Territory | None
    location: Location
    why: str


_PlaceKey = tuple[str, str | None]


class TerritoryMap:
    """Territories indexed by (country, state) and by (country, None) for whole countries.

    A state clause is more specific than a whole-country clause, so both may coexist (the US to
    one territory, US-TX to another); the same (country, state) claimed by two territories is
    an error. Places are read like any address, so `Place("USA", {"Texas"})` is US-TX.
    """

    def __init__(self, territories: Sequence[Territory]) -> None:
        self._territories = tuple(territories)
        self._by_place: dict[_PlaceKey, Territory] = {}
        self._countries_split_by_state: set[str] = set()
        for territory in self._territories:
            for key in _place_keys(territory):
                self._claim(key, territory)

    @property
    def territories(self) -> tuple[Territory, ...]:
        return self._territories

    def _claim(self, key: _PlaceKey, territory: Territory) -> None:
        holder = self._by_place.get(key)
        if holder is not None and holder.name != territory.name:
            where = key[0] if key[1] is None else f"{key[0]}-{key[1]}"
            raise ValueError(
                f"{where} is claimed by both territory '{holder.name}' and '{territory.name}'"
            )
        self._by_place[key] = territory
        if key[1] is not None:
            self._countries_split_by_state.add(key[0])

    def locate(self, location: Location) -> TerritoryResult:
        country, state = location.country, location.state
        if country is None:
            return TerritoryResult(None, location, _no_country_why(location))
        if state is not None:
            territory = self._by_place.get((country, state))
            if territory is not None:
                return TerritoryResult(
                    territory, location, f"{country}-{state} is in {territory.name}"
                )
        territory = self._by_place.get((country, None))
        if territory is not None:
            return TerritoryResult(territory, location, f"{country} is in {territory.name}")
        return TerritoryResult(None, location, self._unclaimed_why(country, state))

    def _unclaimed_why(self, country: str, state: str | None) -> str:
        if country not in self._countries_split_by_state:
            return f"{country_name(country)} ({country}) is in no territory"
        if state is None:
            return f"{country_name(country)} without a recognisable state: no territory"
        return f"{country}-{state} is in no territory"


def _no_country_why(location: Location) -> str:
    if location.country_text is None:
        return "no country given: no territory"
    return f"'{location.country_text}' is not a recognisable country: no territory"


def _place_keys(territory: Territory) -> Iterator[_PlaceKey]:
    for place in territory.places:
        country = country_code(place.country)
        if country is None:
            raise ValueError(f"territory '{territory.name}': unknown country '{place.country}'")
        if place.states is None:
            yield country, None
            continue
        if not place.states:
            raise ValueError(
                f"territory '{territory.name}': {country} with an empty set of states claims "
                "nothing; leave states unset for the whole country"
            )
        for state_text in place.states:
            state = state_code(country, state_text)
            if state is None:
                raise ValueError(
                    f"territory '{territory.name}': '{state_text}' is not a state of {country}"
                )
            yield country, state
