"""Company names reduced to the words that identify the company.

`Deutsche Telekom AG`, `DEUTSCHE TELEKOM` and `Deutsche Telekom, A.G.` all become the tokens
`deutsche telekom`; `ООО «Газпром»` becomes `gazprom`; `I.B.M.` becomes `ibm`. Legal forms come
from cleanco's list of many countries (plus `_wordlists.EXTRA_LEGAL_FORMS` and the forms spelled
out, `Besloten Vennootschap`) and are removed from the end, stacked or not, after a comma or in
brackets (`B.V., Rotterdam`, `AB (publ)`), in front (`S.A. Heineken`) and, for the forms that
are never ordinary words, in the middle (`Heineken AG Brouwerij`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from anyascii import anyascii
from cleanco import prepare_default_terms

from routing.matching._wordlists import (
    ABBREVIATIONS,
    EXTRA_LEGAL_FORMS,
    GEO_QUALIFIERS,
    INNER_STOPWORDS,
    LEADING_LEGAL_FORMS,
    MIDDLE_LEGAL_FORMS,
    NON_LATIN_LEGAL_FORMS,
    PLACEHOLDER_COMPANIES,
    SPELLED_OUT_LEGAL_FORMS,
    STOPWORDS,
    UNIT_QUALIFIERS,
)

QUALIFIERS = GEO_QUALIFIERS | UNIT_QUALIFIERS

_SYLLABIC_RUN = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff]+|[\u3400-\u4dbf\u4e00-\u9fff]+|[\uac00-\ud7af]+"
)
_DOTTED_LETTERS = re.compile(r"\b(?:[a-z]\.){2,}(?:[a-z]\b)?")
_SHORT_AMPERSAND = re.compile(r"\b([a-z]{1,2})\s?&\s?([a-z]{1,2})\b")
_LETTER_AND_LETTER = re.compile(r"\b([a-z]) and ([a-z])\b")  # `V and J` is `V & J`
_APOSTROPHE_MARKS = "'’`´"
_APOSTROPHES = re.compile(f"[{_APOSTROPHE_MARKS}]")
# French and Italian elided articles (`d'Etude`, `l'Exploitation`, `dell'Energia`) go, as the
# article would: `Construction de Moteurs d'Aviation` reads `construction moteurs aviation`.
_ELISION = re.compile(f"\\b(?:d|l|dell|nell|all)[{_APOSTROPHE_MARKS}]\\s?(?=[a-z])")
_SEGMENT_BREAKS = re.compile(r"([,;()\[\]{}«»\"“”]|\s[-–—/|]\s)")
_CLAUSE_BREAKS = frozenset(',;([{«"“')  # what follows a legal form after these is not the name
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_MOJIBAKE_MARKS = "ÃÂâ"  # how UTF-8 read as Latin-1 or cp1252 begins its letters
_MAX_LEGAL_FORM_WORDS = 7  # sociedad de responsabilidad limitada de capital variable


@dataclass(frozen=True, slots=True)
class CompanyName:
    tokens: tuple[str, ...]
    key: str  # the tokens joined: spacing and punctuation never matter
    core: tuple[str, ...]  # tokens without trailing qualifiers (`Apple UK` → `apple`)
    written_as_acronym: bool  # starts with `IBM` or `I.B.M.`: a short all-capital or dotted word

    @property
    def sorted_key(self) -> str:
        return " ".join(sorted(self.tokens))

    @property
    def core_key(self) -> str:
        return "".join(self.core)

    @property
    def initials(self) -> str:
        return "".join(token[0] for token in self.tokens) if len(self.tokens) >= 3 else ""

    @property
    def qualifiers(self) -> tuple[str, ...]:
        return self.tokens[len(self.core) :]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


class LegalForms:
    """Legal forms as token sequences, longest first, so that `sa de cv` goes before `cv`."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        forms = {" ".join(term) for _, term in prepare_default_terms()}
        forms |= EXTRA_LEGAL_FORMS | SPELLED_OUT_LEGAL_FORMS | {form.lower() for form in extra}
        self._forms: frozenset[tuple[str, ...]] = frozenset(
            tokens for tokens in (tuple(_plain_tokens(form)) for form in forms) if tokens
        )
        sizes: dict[str, set[int]] = {}
        for form in self._forms:
            sizes.setdefault(form[-1], set()).add(len(form))
        # the sizes of the forms ending in a word, longest first (`sa de cv` before `cv`)
        self._sizes_ending_in = {word: sorted(n, reverse=True) for word, n in sizes.items()}
        long_words = {form[0] for form in self._forms if len(form) == 1 and len(form[0]) >= 7}
        deletions = {d for word in long_words for d in one_letter_deletions(word)}
        self._near_long_forms = long_words | deletions
        # a slip leaves the start or the end as it was: a cheap test before the deletions
        self._long_form_ends = {end for word in long_words for end in (word[:2], word[-3:])}

    def trailing_length(self, tokens: list[str]) -> int:
        """How many tokens at the end form one legal form (0 when they do not); a long one-word
        form typed with a slip counts (`Coporation`, `Corporaiton`, `Compnay`)."""
        longest = min(_MAX_LEGAL_FORM_WORDS, len(tokens) - 1)
        for size in self._sizes_ending_in.get(tokens[-1], ()) if longest > 0 else ():
            if size <= longest and tuple(tokens[-size:]) in self._forms:
                return size
        return int(longest > 0 and self._misspelt_long_form(tokens[-1]))

    def _misspelt_long_form(self, token: str) -> bool:
        """One letter dropped, added, replaced or two swapped (SymSpell's deletions)."""
        ends = self._long_form_ends
        if len(token) < 6 or (token[:2] not in ends and token[-3:] not in ends):
            return False
        near = self._near_long_forms
        return token in near or any(deletion in near for deletion in one_letter_deletions(token))

    def is_only_legal(self, tokens: list[str]) -> bool:
        remaining = list(tokens)
        while remaining:
            size = self.trailing_length(["_", *remaining])
            if size == 0:
                return False
            del remaining[-size:]
        return True


def parse_company(text: str | None, legal_forms: LegalForms) -> CompanyName | None:
    """The identifying words of a company name, or None when there are none."""
    if text is None:
        return None
    raw = text.strip()
    if raw.lower() in PLACEHOLDER_COMPANIES:
        return None
    parts = _SEGMENT_BREAKS.split(_to_lower_ascii(raw))
    segments = [
        (parts[index - 1].strip() if index else "", _join_spelled_letters(_plain_tokens(part)))
        for index, part in enumerate(parts)
        if index % 2 == 0
    ]
    tokens = _drop_legal_forms(_significant_segments(segments, legal_forms), legal_forms)
    tokens, place_is_named = _name_words(tokens)
    if not tokens or "".join(tokens) in PLACEHOLDER_COMPANIES:
        return None
    return CompanyName(
        tokens=tuple(tokens),
        key="".join(tokens),
        core=tuple(tokens) if place_is_named else _without_trailing_qualifiers(tokens),
        written_as_acronym=_written_as_acronym(raw),
    )


def _to_lower_ascii(text: str) -> str:
    if not text.isascii():
        if any(mark in text for mark in _MOJIBAKE_MARKS):
            from ftfy import fix_encoding  # noqa: PLC0415 — 35 ms to import, rarely needed

            text = fix_encoding(text)
        for form in NON_LATIN_LEGAL_FORMS:
            text = text.replace(form, " ")
        # Each run of kana, Han or Hangul becomes one word rather than gluing onto its neighbours.
        text = anyascii(_SYLLABIC_RUN.sub(lambda run: f" {anyascii(run.group())} ", text))
    text = text.lower()
    # (each pattern only where its character is: most names have none, and this runs for
    # every account when the index is built)
    if "." in text:
        text = _DOTTED_LETTERS.sub(lambda match: match.group().replace(".", ""), text)
    if "&" in text:
        text = _SHORT_AMPERSAND.sub(r"\1\2", text).replace("&", " and ")
    if " and " in text:
        text = _LETTER_AND_LETTER.sub(r"\1\2", text)
    if "+" in text:
        text = text.replace("+", " and ")
    if any(mark in text for mark in _APOSTROPHE_MARKS):
        text = _APOSTROPHES.sub("", _ELISION.sub("", text))
    return text


def _plain_tokens(text: str) -> list[str]:
    return _NOT_ALNUM.sub(" ", text.lower().replace("&", " and ")).split()


def _significant_segments(
    segments: list[tuple[str, list[str]]], legal_forms: LegalForms
) -> list[str]:
    """The name without what follows a legal form after a comma (`B.V., Rotterdam`); a legal
    form ending a segment before a dash goes (`Trinity, Inc. - High Mountain`)."""
    kept: list[str] = []
    after_form = False
    for separator, segment in segments:
        if not segment:
            continue
        if kept and legal_forms.is_only_legal(segment):
            after_form = True
            continue
        after_form = after_form or (bool(kept) and legal_forms.trailing_length(kept) > 0)
        if after_form and separator[:1] in _CLAUSE_BREAKS:
            break
        if after_form:
            kept = _drop_legal_forms(kept, legal_forms)
            after_form = False
        kept.extend(segment)
    return kept


def _drop_legal_forms(tokens: list[str], legal_forms: LegalForms) -> list[str]:
    tokens = list(tokens)
    while size := legal_forms.trailing_length(tokens):
        del tokens[-size:]
    while len(tokens) > 1 and tokens[0] in LEADING_LEGAL_FORMS:
        del tokens[0]
    if len(tokens) > 2:
        tokens = [tokens[0], *(t for t in tokens[1:-1] if t not in MIDDLE_LEGAL_FORMS), tokens[-1]]
    return tokens


def _join_spelled_letters(tokens: list[str]) -> list[str]:
    """`I B M` → `ibm`: a run of single letters is one word."""
    joined: list[str] = []
    run = ""
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run += token
            continue
        if run:
            joined.append(run)
            run = ""
        if token:
            joined.append(token)
    return joined


def _name_words(tokens: list[str]) -> tuple[list[str], bool]:
    """The words without particles (`the`, and `de la` inside a name), short forms read; and
    whether the last word followed a particle: a place so joined is the name's (`Bank of
    America`, `Banco do Brasil`), not a branch's."""
    words: list[str] = []
    after_particle = last_after_particle = False
    for position, token in enumerate(tokens):
        if token in STOPWORDS or (position and token in INNER_STOPWORDS):
            after_particle = True
            continue
        words.append(ABBREVIATIONS.get(token, token))
        last_after_particle, after_particle = after_particle, False
    return words, last_after_particle


def one_letter_deletions(token: str) -> Iterator[str]:
    """The word with each of its letters left out in turn (SymSpell's index keys)."""
    for position in range(len(token)):
        yield token[:position] + token[position + 1 :]


def _without_trailing_qualifiers(tokens: list[str]) -> tuple[str, ...]:
    end = len(tokens)
    while end > 1 and tokens[end - 1] in QUALIFIERS:
        end -= 1
    return tuple(tokens[:end])


def _written_as_acronym(raw: str) -> bool:
    """Whether the name starts with a word like `IBM` or `I.B.M.`."""
    words = raw.split()
    if len(words) > 1 and anyascii(words[0]).lower() in LEADING_LEGAL_FORMS:
        words = words[1:]
    first_word = words[0] if words else ""
    letters = first_word.replace(".", "").replace("&", "")
    if not 2 <= len(letters) <= 6 or not letters.isalpha():
        return False
    return letters.isupper() or first_word.count(".") >= 2
