"""The ICP fit score: points per signal, capped, then a tier.

A signal reads one field from the sources in order (e.g. the account, then the lead); the first
source with a usable value wins, so a blank, zero-when-unknown or unreadable account value falls
through to the lead. Everything a signal needs (bands in order, value → points) is prepared when
the signal is built, so scoring one lead is a handful of dict and list lookups.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import lru_cache
from typing import Protocol

from routing.model import Account, FieldValue, Lead


class Record(Protocol):
    @property
    def fields(self) -> Mapping[str, FieldValue]: ...


__all__ = [
    "Band",
    "Choice",
    "ScoreResult",
    "ScoringModel",
    "Signal",
    "SignalScore",
    "Tier",
    "score_lead",
]

BANDS = "bands"
VALUES = "values"
CONTAINS = "contains"
_KINDS = (BANDS, VALUES, CONTAINS)
_SOURCES = ("account", "lead", "title")  # title: the reading of the lead's job title
_TEXT_CACHE_SIZE = 8192
_MEMO_SIZE = 16384

_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?|-?\.\d+)(k|m|mm|b|bn)?")
_NUMBER_NOISE = re.compile(r"[\s,_$€£]")
_MULTIPLIERS = {None: 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9}


@dataclass(frozen=True, slots=True)
class Band:
    """A value at or above `min` earns `points` (the highest band that fits wins)."""

    min: float
    points: int


@dataclass(frozen=True, slots=True)
class Choice:
    """Any of `values` earns `points`; values are compared case-insensitively."""

    values: frozenset[str]
    points: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", frozenset(_fold(value) for value in self.values))


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    field: str
    sources: tuple[str, ...] = ("lead",)
    kind: str = BANDS
    bands: tuple[Band, ...] = ()
    choices: tuple[Choice, ...] = ()
    otherwise: int = 0
    unknown: int = 0
    zero_is_unknown: bool = False
    separator: str = ";"
    _bands_highest_first: tuple[Band, ...] = dataclass_field(init=False, repr=False, compare=False)
    _choice_by_value: Mapping[str, Choice] = dataclass_field(init=False, repr=False, compare=False)
    _memo: dict[tuple[object, ...], SignalScore] = dataclass_field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        _check_signal(self)
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "bands", tuple(self.bands))
        object.__setattr__(self, "choices", tuple(self.choices))
        highest_first = tuple(sorted(self.bands, key=lambda band: band.min, reverse=True))
        object.__setattr__(self, "_bands_highest_first", highest_first)
        object.__setattr__(self, "_choice_by_value", _first_choice_by_value(self.choices))
        object.__setattr__(self, "_memo", {})

    def score(self, records: Mapping[str, Record | None]) -> SignalScore:
        """Scores are remembered by the raw values read: few distinct values recur a lot."""
        key: list[object] = []
        for source in self.sources:
            record = records.get(source)
            raw = None if record is None else record.fields.get(self.field)
            key += (raw, raw.__class__)  # the class too: True == 1 == 1.0 as keys
        memo_key = tuple(key)
        known = self._memo.get(memo_key)
        if known is None:
            known = _score_signal(self, records)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[memo_key] = known
        return known

    def band_for(self, number: float) -> Band | None:
        for band in self._bands_highest_first:
            if number >= band.min:
                return band
        return None

    def choice_equal_to(self, text: str) -> Choice | None:
        return self._choice_by_value.get(_fold(text))

    def choice_contained_in(self, text: str) -> tuple[Choice, str] | None:
        items = _items(text, self.separator)
        for choice in self.choices:
            for value in sorted(choice.values & items):
                return choice, value
        return None


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    min: int


@dataclass(frozen=True, slots=True)
class ScoringModel:
    signals: tuple[Signal, ...]
    tiers: tuple[Tier, ...]
    cap: int = 100

    @property
    def reads_title(self) -> bool:
        return any("title" in signal.sources for signal in self.signals)

    _tiers_highest_first: tuple[Tier, ...] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "signals", tuple(self.signals))
        object.__setattr__(self, "tiers", tuple(self.tiers))
        highest_first = tuple(sorted(self.tiers, key=lambda tier: tier.min, reverse=True))
        object.__setattr__(self, "_tiers_highest_first", highest_first)

    def tier_for(self, total: int) -> str | None:
        for tier in self._tiers_highest_first:
            if total >= tier.min:
                return tier.name
        return None


@dataclass(frozen=True, slots=True)
class SignalScore:
    name: str
    field: str
    source: str | None  # "account" or "lead"; None when no source had a usable value
    value: object  # the value scored (a number for bands, the text otherwise), None if unknown
    points: int
    why: str


@dataclass(frozen=True, slots=True)
class ScoreResult:
    total: int
    tier: str | None
    breakdown: tuple[SignalScore, ...]

    def value_of(self, field: str) -> object:
        """The value the score used for a field (by API name or signal name), None if unknown."""
        for score in self.breakdown:
            if field in (score.field, score.name):
                return score.value
        return None

    def points_of(self, field: str) -> int:
        return sum(s.points for s in self.breakdown if field in (s.field, s.name))


def score_lead(
    model: ScoringModel, lead: Lead, account: Account | None, title: Record | None = None
) -> ScoreResult:
    """`title`: the lead's job title read as fields (seniority, rank, function, functions),
    for signals with `from: [title]`."""
    records = {"lead": lead, "account": account, "title": title}
    breakdown = tuple([signal.score(records) for signal in model.signals])
    total = min(sum(score.points for score in breakdown), model.cap)
    return ScoreResult(total, model.tier_for(total), breakdown)


# --- one signal ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Reading:
    source: str | None
    raw: FieldValue
    value: float | str | None  # parsed; None when unknown
    problem: str | None = None  # why a present value could not be used


def _score_signal(signal: Signal, records: Mapping[str, Record | None]) -> SignalScore:
    reading = _read(signal, records)
    if reading.value is None:
        return _unknown(signal, reading)
    if isinstance(reading.value, str):
        return _score_text(signal, reading, reading.value)
    return _score_number(signal, reading, reading.value)


def _read(signal: Signal, records: Mapping[str, Record | None]) -> _Reading:
    """The first usable value in source order; else the first problem met, if any."""
    first_problem: _Reading | None = None
    for source in signal.sources:
        record = records.get(source)
        if record is None:
            continue
        reading = _interpret(signal, source, record.fields.get(signal.field))
        if reading.value is not None:
            return reading
        if first_problem is None and reading.problem is not None:
            first_problem = reading
    return first_problem or _Reading(None, None, None)


def _interpret(signal: Signal, source: str, raw: FieldValue) -> _Reading:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _Reading(source, raw, None)
    if signal.kind != BANDS:
        return _Reading(source, raw, _as_text(raw))
    number = _as_number(raw)
    if number is None:
        return _Reading(source, raw, None, f"{_show(raw)} is not a number")
    if number == 0 and signal.zero_is_unknown:
        return _Reading(source, raw, None, "0 counts as unknown")
    return _Reading(source, raw, int(number) if number.is_integer() else number)


def _score_number(signal: Signal, reading: _Reading, number: float) -> SignalScore:
    band = signal.band_for(number)
    shown = f"{signal.field} {_show_number(number)} from {reading.source}"
    if band is None:
        why = f"{shown}, below every band: {signal.otherwise}"
        return _scored(signal, reading, number, signal.otherwise, why)
    why = f"{shown} ≥ {_show_number(band.min)}: {band.points}"
    return _scored(signal, reading, number, band.points, why)


def _score_text(signal: Signal, reading: _Reading, text: str) -> SignalScore:
    shown = f"{signal.field} '{text}' from {reading.source}"
    if signal.kind == VALUES:
        choice = signal.choice_equal_to(text)
        if choice is not None:
            return _scored(signal, reading, text, choice.points, f"{shown}: {choice.points}")
    else:
        found = signal.choice_contained_in(text)
        if found is not None:
            choice, value = found
            why = f"{shown} lists {value}: {choice.points}"
            return _scored(signal, reading, text, choice.points, why)
    return _scored(signal, reading, text, signal.otherwise, f"{shown}, other: {signal.otherwise}")


def _unknown(signal: Signal, reading: _Reading) -> SignalScore:
    if reading.problem is None:
        why = f"{signal.field} unknown: {signal.unknown}"
    else:
        why = f"{signal.field} from {reading.source}: {reading.problem}, unknown: {signal.unknown}"
    return SignalScore(signal.name, signal.field, reading.source, None, signal.unknown, why)


def _scored(signal: Signal, reading: _Reading, value: object, points: int, why: str) -> SignalScore:
    return SignalScore(signal.name, signal.field, reading.source, value, points, why)


# --- values ----------------------------------------------------------------------------------


def _as_number(raw: FieldValue) -> float | None:
    if isinstance(raw, bool | date):
        return None
    if isinstance(raw, int | float):
        number = float(raw)
        return number if math.isfinite(number) else None
    return _parse_number(raw)


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def _parse_number(text: str) -> float | None:
    """'1,200' → 1200, '$2.5M' → 2500000; anything else → None."""
    match = _NUMBER.fullmatch(_NUMBER_NOISE.sub("", text).casefold())
    if match is None:
        return None
    number = float(match.group(1)) * _MULTIPLIERS[match.group(2)]
    return number if math.isfinite(number) else None


def _as_text(raw: FieldValue) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def _items(text: str, separator: str) -> frozenset[str]:
    return frozenset(_fold(item) for item in text.split(separator) if item.strip())


def _show(raw: FieldValue) -> str:
    return f"'{raw}'" if isinstance(raw, str) else str(raw)


def _show_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


# --- checks made once, when a signal is built ------------------------------------------------


def _check_signal(signal: Signal) -> None:
    if signal.kind not in _KINDS:
        raise ValueError(f"signal '{signal.name}': kind '{signal.kind}' is not one of {_KINDS}")
    unknown_sources = [source for source in signal.sources if source not in _SOURCES]
    if unknown_sources or not signal.sources:
        raise ValueError(
            f"signal '{signal.name}': sources must be some of {_SOURCES}, got {signal.sources}"
        )
    if signal.kind == BANDS and not signal.bands:
        raise ValueError(f"signal '{signal.name}': a 'bands' signal needs at least one band")
    if signal.kind != BANDS and not signal.choices:
        raise ValueError(f"signal '{signal.name}': a '{signal.kind}' signal needs choices")
    if signal.kind == CONTAINS and not signal.separator:
        raise ValueError(f"signal '{signal.name}': a 'contains' signal needs a separator")


def _first_choice_by_value(choices: Iterable[Choice]) -> dict[str, Choice]:
    by_value: dict[str, Choice] = {}
    for choice in choices:
        for value in choice.values:
            by_value.setdefault(value, choice)
    return by_value
