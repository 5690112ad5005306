"""Who a lead is, from the job title they typed: seniority and function, offline and
deterministic, with the words that decided.

Titles arrive as people type them ("Sr. Dir, IT Ops", "Geschäftsführer", "CTO/Co-founder 🚀").
A title is cut before its company ("… at Acme", "… @ Acme", "… chez Acme", "… bei Acme"),
split into words, folded to lower-case ASCII, abbreviations spelled out, and read left to right
by the longest known phrase (`routing.titles._words`). Words no list knows are tried as a plural,
as a German compound ("Vertriebsleiter" = Vertrieb + Leiter) and as a one-letter typo.

Then context, because the same word means different things in different places:
- a level right after "to", "for", "du", "der", … names someone else ("Assistant to the CEO");
- "lead" is a level only at the end of a role ("Data Lead"), not before one ("Lead Engineer");
- an assistant is ic unless a level follows at once ("Assistant Manager");
- a student or intern is a student whatever else the title says.
The highest remaining level decides the seniority. A title that names no level but names a job
("Plumber", "Tischler", "Farmacéutica": a listed occupation or a person-noun ending) is ic;
"unknown" is left for empty titles, noise and words that name no one ("Retired", "Marketing").
The function is the first domain the title names ("VP Engineering & Data": engineering, then
data); a bare role noun ("Engineer", "Analyst") counts only when no domain is named; a c-level
title without a domain is executive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from anyascii import anyascii

import routing.titles._words as tw

__all__ = [
    "FUNCTIONS",
    "SENIORITIES",
    "SENIORITY_RANKS",
    "TitleClassifier",
    "TitleRole",
    "TitleSettings",
    "classify_title",
    "fold_keyword",
    "fold_title",
    "title_classifier",
]

SENIORITY_RANKS = tw.SENIORITY_RANKS
SENIORITIES: tuple[str, ...] = tuple(SENIORITY_RANKS)
FUNCTIONS: tuple[str, ...] = tw.FUNCTIONS
LANGUAGES: tuple[str, ...] = tw.LANGUAGES

_DOMAIN = 2  # names a function outright: "sales", "Vertrieb"
_GENERAL = 1  # operations and executive words, outranked by any domain
_ROLE_NOUN = 0  # "engineer", "analyst": only when nothing else names a function

_PLAIN, _LEAD, _ASSISTANT = 0, 1, 2
_PERSON_LEVELS = frozenset({tw.C_LEVEL, tw.VP, tw.DIRECTOR, tw.MANAGER})
_TYPO_MIN_LENGTH = 6
_TITLE_CACHE_SIZE = 131_072
_WORD_CACHE_SIZE = 65_536


@dataclass(frozen=True, slots=True)
class TitleSettings:
    """What a policy adds to the built-in word lists.

    `keywords`: (a function or a seniority, phrases) — extra words in any language.
    `language_keywords`: (language, a function or a seniority, phrases) — the same, grouped by
    language so an admin can add one (nl, it, …) or extend one; titles are read in every
    language at once, so the grouping is for the people who maintain the list.
    `overrides`: (exact title, seniority or None, function or None) — compared after folding
    case, accents and punctuation; None keeps what the rules read.
    """

    keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()
    language_keywords: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    overrides: tuple[tuple[str, str | None, str | None], ...] = ()

    def __post_init__(self) -> None:
        categories = [c for c, _ in self.keywords] + [c for _, c, _ in self.language_keywords]
        for category in categories:
            if category not in SENIORITIES and category not in FUNCTIONS:
                raise ValueError(f"'{category}' is neither a seniority nor a function")
        for title, seniority, function in self.overrides:
            if seniority is not None and seniority not in SENIORITIES:
                raise ValueError(f"override '{title}': '{seniority}' is not a seniority")
            if function is not None and function not in FUNCTIONS:
                raise ValueError(f"override '{title}': '{function}' is not a function")


DEFAULT_TITLE_SETTINGS = TitleSettings()


@dataclass(frozen=True, slots=True)
class TitleRole:
    """What a title says about its holder. `evidence` pairs the words as typed with what they
    were read as, e.g. ("Dir", "director"), ("IT Ops", "it")."""

    seniority: str
    function: str
    functions: tuple[str, ...]
    rank: int
    evidence: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "seniority": self.seniority,
            "rank": self.rank,
            "function": self.function,
            "functions": list(self.functions),
            "evidence": [f"{words} → {reading}" for words, reading in self.evidence],
        }


_UNREADABLE = TitleRole(tw.UNKNOWN, tw.OTHER, (tw.OTHER,), 0)


@dataclass(frozen=True, slots=True)
class _Reading:
    seniority: str | None = None
    function: str | None = None
    strength: int = _DOMAIN
    kind: int = _PLAIN
    rank: int = field(init=False, compare=False, default=-1)

    def __post_init__(self) -> None:
        rank = SENIORITY_RANKS[self.seniority] if self.seniority else -1
        object.__setattr__(self, "rank", rank)

    @property
    def says_something(self) -> bool:
        return self.seniority is not None or self.function is not None or self.kind != _PLAIN


_NEUTRAL = _Reading(strength=_ROLE_NOUN)
_OCCUPATION = _Reading(tw.IC, strength=_ROLE_NOUN)


@dataclass(slots=True)
class _Hit:
    first: int
    last: int
    reading: _Reading


@dataclass(slots=True)
class _Words:
    """A title split into words: folded text ("" marks a boundary such as , / | &), whether
    the word is a small joining word, and where it sits in the title as typed."""

    text: list[str] = field(default_factory=list)
    stop: list[bool] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)

    def content_after(self, index: int) -> int | None:
        """The next word that is not a joining word, within the same part of the title."""
        for k in range(index + 1, len(self.text)):
            if not self.text[k]:
                return None
            if not self.stop[k]:
                return k
        return None

    def ends_a_role(self, index: int) -> bool:
        nxt = index + 1
        return nxt >= len(self.text) or self.text[nxt] in ("", "&") or self.stop[nxt]

    def joining_words_before(self, index: int) -> set[str]:
        seen = set()
        k = index - 1
        while k >= 0 and self.text[k] and self.stop[k]:
            seen.add(self.text[k])
            k -= 1
        return seen

    def phrase_key(self) -> str:
        return " ".join(w for w, s in zip(self.text, self.stop, strict=True) if w and not s)


# --- folding ------------------------------------------------------------------------------


_PIECE = re.compile(r"[^\W_]+|&|[,/|;+()\[\]:•·–—]|\s-\s")
_DOTTED = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){2,}")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_UMLAUT_SPELLING = re.compile(r"(?:ae|oe|ue)")
_COMPANY = re.compile(r"\s(?:at|chez|bei)\s|@", re.IGNORECASE)
_SHORTHAND = re.compile(
    "|".join(
        rf"(?<![^\W_]){re.escape(k)}(?![^\W_])"
        for k in sorted(tw.JOINED_SHORTHANDS, key=len, reverse=True)
    ),
    re.IGNORECASE,
)


def _ascii(text: str) -> str:
    return text if text.isascii() else anyascii(text).lower()


def _folded_words(text: str) -> frozenset[str]:
    return frozenset(_ascii(w.strip().casefold()) for w in text.split(",") if w.strip())


_ABBREVIATIONS = {k: _ascii(v.casefold()) for k, v in tw.ABBREVIATIONS.items()}
_ABBREVIATIONS.update({word: "&" for word in tw.CONJUNCTIONS})
_STOPWORDS = tw.STOPWORDS
_OCCUPATIONS = frozenset().union(*(_folded_words(t) for t in tw.OCCUPATION_WORDS.values()))
_NOT_OCCUPATIONS = frozenset(tw.NOT_OCCUPATIONS.replace(",", " ").split())
_OCCUPATION_SUFFIXES = tuple(
    sorted(
        {x for text in tw.OCCUPATION_SUFFIXES.values() for x in text.replace(",", " ").split()},
        key=len,
        reverse=True,
    )
)
_OCCUPATION_SUFFIX_SET = frozenset(_OCCUPATION_SUFFIXES)
_SUFFIX_SIZES = sorted({len(x) for x in _OCCUPATION_SUFFIXES}, reverse=True)
_FALSE_COMPOUNDS = tuple(sorted(_folded_words(tw.FALSE_COMPOUND_ENDINGS), key=len, reverse=True))
_OCCUPATION_MIN_LENGTH = 5
_FIELD_COMPOUND_LENGTH = 10
_FIELD_ENDINGS = ("ica", "ique", "ik")  # "Informática", "Logistique", "Informatik" are fields
_COMPOUND_MIN_HEAD = 6


@lru_cache(maxsize=_WORD_CACHE_SIZE)
def _fold_piece(raw: str) -> tuple[tuple[str, bool], ...]:
    """A piece of a title as (folded word, is a joining word) pairs; punctuation that
    separates roles is ("", False)."""
    if raw != "&" and not raw[0].isalnum():
        return (("", False),)
    text = raw.casefold()
    parts = [text] if text.isascii() else _ASCII_WORD.findall(anyascii(text).lower())
    words = (_ABBREVIATIONS.get(p, p) for p in parts)
    return tuple((word, word in _STOPWORDS) for word in words)


def _same_length_shorthand(match: re.Match[str]) -> str:
    """Spelled so the title keeps its length: evidence quotes the title by position."""
    return tw.JOINED_SHORTHANDS[match.group(0).casefold()].ljust(len(match.group(0)))


def _undotted(match: re.Match[str]) -> str:
    """ "V.P." is VP, spelled so the title keeps its length."""
    return match.group(0).replace(".", "").ljust(len(match.group(0)))


def _split(title: str) -> _Words:
    text = title
    if "&" in text or "-" in text or "+" in text:
        text = _SHORTHAND.sub(_same_length_shorthand, text)
    if "." in text:
        text = _DOTTED.sub(_undotted, text)
    folded: list[str] = []
    stops: list[bool] = []
    spans: list[tuple[int, int]] = []
    respelled = text is not title
    for piece in _PIECE.finditer(text):
        span = _typed_span(piece, text, title) if respelled else piece.span()
        for word, stop in _fold_piece(piece.group()):
            if word or (folded and folded[-1]):
                folded.append(word)
                stops.append(stop)
                spans.append(span)
    return _Words(folded, stops, spans)


def _typed_span(piece: re.Match[str], text: str, title: str) -> tuple[int, int]:
    """A respelled word ("co-founder" → "cofounder ") covers all it replaced."""
    start, end = piece.span()
    while end < len(text) and text[end] == " " and title[end] != " ":
        end += 1
    return start, end


def fold_keyword(text: str) -> str:
    """A policy keyword as titles are matched against it: joining words ("of", "de") drop."""
    return _split(text).phrase_key()


def fold_title(title: str) -> str:
    """A title as overrides compare it: case, accents, punctuation and abbreviations folded."""
    return " ".join(w for w in _split(title).text if w)


def _phrase_keys(text: str) -> list[str]:
    return [key for phrase in text.split(",") if (key := _split(phrase.strip()).phrase_key())]


# --- the lexicon ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    seniority: str | None = None
    function: str | None = None
    strength: int = _DOMAIN
    kind: int = _PLAIN
    no_level: bool = False
    neutral: bool = False


def _explicit_entries(settings: TitleSettings) -> tuple[dict[str, _Entry], list[str]]:
    """Every phrase the lists name, with what they say about it, and any contradictions."""
    entries: dict[str, _Entry] = {}
    conflicts: list[str] = []

    def entry(key: str) -> _Entry:
        return entries.setdefault(key, _Entry())

    def level(key: str, seniority: str, source: str, replace: bool = False) -> None:
        found = entry(key)
        if found.seniority not in (None, seniority) and not replace:
            conflicts.append(f"'{key}' is {found.seniority} and {seniority} ({source})")
        found.seniority = seniority

    def function(key: str, name: str, strength: int, replace: bool = False) -> None:
        found = entry(key)
        if found.function not in (None, name) and not replace:
            if found.strength == strength:
                conflicts.append(f"'{key}' is {found.function} and {name}")
            if found.strength > strength:
                return
        found.function, found.strength = name, strength

    for language, by_level in tw.SENIORITY_WORDS.items():
        for seniority, text in by_level.items():
            for key in _phrase_keys(text):
                level(key, seniority, language)
    general = set(_phrase_keys(tw.GENERAL_WORDS))
    for by_function in tw.FUNCTION_WORDS.values():
        for name, text in by_function.items():
            for key in _phrase_keys(text):
                strength = _GENERAL if name == tw.EXECUTIVE or key in general else _DOMAIN
                function(key, name, strength)
    for by_function in tw.ROLE_NOUN_FUNCTIONS.values():
        for name, text in by_function.items():
            for key in _phrase_keys(text):
                function(key, name, _ROLE_NOUN)
    for key in _phrase_keys(tw.LEAD_WORDS):
        entry(key).kind, entry(key).seniority = _LEAD, tw.MANAGER
    for key in _phrase_keys(tw.ASSISTANT_WORDS):
        entry(key).kind, entry(key).seniority = _ASSISTANT, tw.IC
    for key in _phrase_keys(tw.NO_LEVEL_WORDS):
        entry(key).no_level = True
    for key in _phrase_keys(tw.NEUTRAL_WORDS):
        if key not in entries:
            entries[key] = _Entry(neutral=True)
    for category, phrases in _user_keywords(settings):
        for key in _phrase_keys(", ".join(phrases)):
            if category in SENIORITY_RANKS:
                level(key, category, "policy", replace=True)
                entries[key].kind = _PLAIN
            else:
                function(key, category, _DOMAIN, replace=True)
            entries[key].neutral = False
    return entries, conflicts


def _compound_heads() -> Iterable[str]:
    """The listed heads, and every one-word German level at director and above:
    "Alleingeschäftsführer" is a Geschäftsführer, "Gesamtprokurist" a Prokurist."""
    yield from _phrase_keys(tw.COMPOUND_HEADS)
    german = tw.SENIORITY_WORDS["de"]
    for level in (tw.C_LEVEL, tw.VP, tw.DIRECTOR):
        for key in _phrase_keys(german.get(level, "")):
            if " " not in key and len(key) >= _COMPOUND_MIN_HEAD:
                yield key


def _user_keywords(settings: TitleSettings) -> Iterable[tuple[str, tuple[str, ...]]]:
    yield from settings.keywords
    for _language, category, phrases in settings.language_keywords:
        yield category, phrases


def _complete(entries: dict[str, _Entry]) -> dict[str, _Reading]:
    """A phrase says what its words say unless the lists say otherwise: "chief technology
    officer" is listed under engineering, and is c_level because "chief" is."""
    bare = {
        key: _Reading(e.seniority, e.function, e.strength, e.kind)
        for key, e in entries.items()
        if not e.neutral
    }
    bare.update({key: _NEUTRAL for key, e in entries.items() if e.neutral})
    reader = TitleClassifier._from_lexicon(bare, fix_spelling=False)  # noqa: SLF001 — the class's own constructor
    complete: dict[str, _Reading] = {}
    for key, found in entries.items():
        if found.neutral:
            complete[key] = _NEUTRAL
            continue
        reading = bare[key]
        if found.seniority is None and not found.no_level or found.function is None:
            derived = reader._derive(key)  # noqa: SLF001 — this module's own class
            reading = _Reading(
                found.seniority if found.seniority or found.no_level else derived.seniority,
                found.function or derived.function,
                found.strength if found.function else derived.strength,
                found.kind,
            )
        complete[key] = reading
    return complete


def lexicon_conflicts() -> list[str]:
    """Contradictions in the built-in lists; the test suite keeps this empty."""
    return _explicit_entries(DEFAULT_TITLE_SETTINGS)[1]


# --- the classifier ------------------------------------------------------------------------


class TitleClassifier:
    """The word lists of one policy, compiled: phrases, their prefixes, spelling fixes."""

    def __init__(self, settings: TitleSettings = DEFAULT_TITLE_SETTINGS) -> None:
        entries, _ = _explicit_entries(settings)
        self._setup(_complete(entries), fix_spelling=True)
        self.overrides = {
            fold_title(title): (seniority, function)
            for title, seniority, function in settings.overrides
        }

    @classmethod
    def _from_lexicon(cls, lexicon: dict[str, _Reading], fix_spelling: bool) -> TitleClassifier:
        reader = cls.__new__(cls)
        reader._setup(lexicon, fix_spelling)  # noqa: SLF001 — its own constructor
        reader.overrides = {}
        return reader

    def _setup(self, lexicon: dict[str, _Reading], fix_spelling: bool = True) -> None:
        self.lexicon = lexicon
        self.vocabulary = frozenset(w for key in lexicon for w in key.split(" ")) - {"&"}
        self.prefixes = {
            " ".join(parts[:n])
            for key in lexicon
            if " " in key
            for parts in [key.split(" ")]
            for n in range(1, len(parts))
        }
        self.heads = sorted(
            {k for k in _compound_heads() if lexicon.get(k, _NEUTRAL).seniority},
            key=len,
            reverse=True,
        )
        self.head_set = frozenset(self.heads)
        self.head_sizes = sorted({len(head) for head in self.heads}, reverse=True)
        self.typos = (
            _deletion_index(w for w in self.vocabulary if len(w) >= 5 and w.isalpha())
            if fix_spelling
            else {}
        )
        self._classify_cached = lru_cache(maxsize=_TITLE_CACHE_SIZE)(self._classify)
        self._unknown_word = lru_cache(maxsize=_WORD_CACHE_SIZE)(self._compound)
        self._spelled = lru_cache(maxsize=_WORD_CACHE_SIZE)(self._spelling)
        self._occupation = lru_cache(maxsize=_WORD_CACHE_SIZE)(self._names_a_job)

    def classify(self, title: str | None) -> TitleRole:
        return self._classify_cached(title)

    def _classify(self, title: str | None) -> TitleRole:
        if not title or not title.strip():
            return _UNREADABLE
        override = self.overrides.get(fold_title(title)) if self.overrides else None
        cut = _COMPANY.search(title)
        words = _split(title[: cut.start()] if cut and cut.start() > 0 else title)
        hits = self._in_context(self._hits(words), words)
        level = _level_hit(hits)
        if level is None or level.reading.seniority is None:
            job = self._job_word(words)
            if job is not None:
                hits.append(_Hit(job[0], job[0], job[1]))
        role = _decide(hits, words, title)
        if override is not None:
            role = _overridden(role, title, *override)
        return role

    def _job_word(self, words: _Words) -> tuple[int, _Reading] | None:
        """The first word that names a job, for a title that names no level."""
        for i, word in enumerate(words.text):
            if word and not words.stop[i]:
                reading = self._occupation(word)
                if reading is not None:
                    return i, reading
        return None

    def _names_a_job(self, word: str) -> _Reading | None:
        """ "Plumber", "Tischlerin", "Farmaceutica", "Zahnarzthelferin": a listed occupation, a
        German compound ending in one, or a person-noun ending; ic, with the function the
        compound's last word names ("Modeverkaeuferin": Verkäuferin, sales). A department
        name ("Marketing", "Informatica") names a function, not a person."""
        if word in _NOT_OCCUPATIONS or not word.isalpha():
            return None
        spelled = _UMLAUT_SPELLING.sub(lambda m: m.group(0)[0], word)
        bases = [word, spelled] if spelled != word else [word]
        bases += [b[:-2] for b in bases if b.endswith("in")] + [
            b[:-1] for b in bases if b.endswith("s")
        ]
        found = self.lexicon.get(word)
        if found is not None and found.function and found.seniority is None:
            if any(b in _OCCUPATIONS or _person_noun(b) for b in bases) and not word.endswith(
                _FIELD_ENDINGS
            ):
                return _Reading(tw.IC, found.function, found.strength)  # "Salesperson"
            return None
        for base in bases:
            head = self._known_head(base)
            if head is not None:
                return head
        for base in bases:
            if (
                base in _OCCUPATIONS
                or any(base[start:] in _OCCUPATIONS for start in range(3, len(base) - 3))
                or _person_noun(base)
            ):
                field = self._field(spelled) if len(word) >= _FIELD_COMPOUND_LENGTH else None
                return _Reading(tw.IC, field.function, field.strength) if field else _OCCUPATION
        return None

    def _known_head(self, word: str) -> _Reading | None:
        """The longest known ic or level-less word a compound ends with, read as ic."""
        for start in range(3, len(word) - 4):
            found = self.lexicon.get(word[start:])
            if found is not None and found.seniority in (tw.IC, None) and found.says_something:
                if found.seniority is None and found.function and word[start:] not in _OCCUPATIONS:
                    continue  # "Modeabteilung" is a department, not a person
                return _Reading(tw.IC, found.function, found.strength)
        return None

    def _derive(self, key: str) -> _Reading:
        """What a listed phrase's own words say, the phrase itself set aside."""
        if " " not in key:
            return self._compound(key) or _NEUTRAL
        words = _split(key)
        hits = self._in_context(self._hits(words, exclude=key), words)
        level = _level_hit(hits)
        named = [h for h in _function_hits(hits) if h.reading.function != tw.EXECUTIVE]
        first = named[0].reading if named else _NEUTRAL
        return _Reading(level.reading.seniority if level else None, first.function, first.strength)

    # --- reading words -----------------------------------------------------------------

    def _hits(self, words: _Words, exclude: str | None = None) -> list[_Hit]:
        text, stop = words.text, words.stop
        vocabulary = self.vocabulary
        for i, word in enumerate(text):
            if word and word not in vocabulary and not stop[i]:
                text[i] = self._spelled(word)
        hits: list[_Hit] = []
        i, n = 0, len(text)
        while i < n:
            word = text[i]
            if not word or stop[i] or word == "&":
                i += 1
                continue
            if word in self.prefixes or word == exclude:
                reading, last = self._longest_phrase(words, i, exclude)
            else:
                reading, last = self.lexicon.get(word), i
            if reading is None:
                reading = self._unknown_word(word) if word != exclude else None
            if reading is not None and reading.says_something:
                hits.append(_Hit(i, last, reading))
            i = last + 1
        return hits

    def _longest_phrase(
        self, words: _Words, start: int, exclude: str | None
    ) -> tuple[_Reading | None, int]:
        key = words.text[start]
        best = self.lexicon.get(key) if key != exclude else None
        best_last, j = start, start
        while key in self.prefixes:
            k = words.content_after(j)
            if k is None:
                break
            key, j = f"{key} {words.text[k]}", k
            found = self.lexicon.get(key)
            if found is not None and key != exclude:
                best, best_last = found, j
        return best, best_last

    def _spelling(self, word: str) -> str:
        """A word no list knows, as the word it most likely is: a plural ("Engineers"), a
        German feminine ("Recruiterin"), or a one-letter slip ("Maketing"). Compounds are
        left alone: they are read whole."""
        plural = word[:-1] if word.endswith("s") else ""
        feminine = word[:-2] if word.endswith("in") else ""
        plural_es = word[:-2] if word.endswith("es") else ""  # "Supervisores"
        for base in (plural, feminine, plural_es):
            if base in self.lexicon:
                return base
        if self._compound(word) is not None:
            return word
        umlauts = _UMLAUT_SPELLING.sub(lambda m: m.group(0)[0], word)
        if umlauts != word and (umlauts in self.lexicon or self._compound(umlauts) is not None):
            return umlauts  # "Geschaeftsfuehrer", as German is typed without umlauts
        return self._typo(word) or word

    def _compound(self, word: str) -> _Reading | None:
        if word.endswith(_FALSE_COMPOUNDS):
            return None
        for size in self.head_sizes:
            head = word[-size:]
            if len(word) - size >= 2 and head in self.head_set:
                stem = self._stem(word[:-size].rstrip("-"))
                if stem is None and len(head) < 6:
                    continue
                head_reading = self.lexicon[head]
                if stem is not None and stem.function:
                    return _Reading(head_reading.seniority, stem.function, stem.strength)
                return head_reading
        return None

    def _stem(self, stem: str) -> _Reading | None:
        """A compound's first part, or the longest word it ends with that names a function
        ("Gebietsverkaufsleiter": Gebiets + Verkauf + Leiter), umlauts typed as ae/oe/ue read
        as umlauts ("Qualitaetsleiter")."""
        folded = _UMLAUT_SPELLING.sub(lambda m: m.group(0)[0], stem)
        if folded != stem:
            return self._stem(folded) or self._stem_as_typed(stem)
        return self._stem_as_typed(stem)

    def _field(self, word: str) -> _Reading | None:
        """The field a job compound's first part names, the longest first: "Fertigungssteuerer"
        (Fertigung: operations), "Qualitaetspruefer" (Qualität: operations)."""
        for end in range(len(word) - 4, 3, -1):
            head = word[:end]
            for candidate in (head, head[:-1] if head.endswith("s") else ""):
                found = self.lexicon.get(candidate)
                if found is not None and found.function:
                    return found
        return None

    def _stem_as_typed(self, stem: str) -> _Reading | None:
        for candidate in (stem, stem[:-1] if stem.endswith("s") else ""):
            if candidate in self.lexicon:
                return self.lexicon[candidate]
        for start in range(1, len(stem) - 2):
            tail = stem[start:]
            for candidate in (tail, tail[:-1] if tail.endswith("s") else ""):
                found = self.lexicon.get(candidate)
                if found is not None and found.function:
                    return found
        return None

    def _typo(self, word: str) -> str | None:
        if len(word) < _TYPO_MIN_LENGTH or not word.isalpha() or not self.typos:
            return None
        candidates = set(self.typos.get(word, ()))
        for variant in _deletions(word):
            candidates.update(self.typos.get(variant, ()))
            if variant in self.vocabulary:
                candidates.add(variant)
        close = sorted(c for c in candidates if _one_edit_apart(word, c) and _a_slip(word, c))
        if _UMLAUT_SPELLING.search(word):
            # "Geraete" is German typed without umlauts, not a slip for "gerante"; only two
            # swapped letters ("Manaegr") are a slip there
            close = [c for c in close if len(c) == len(word) and sorted(c) == sorted(word)]
        readings = {self._says(c) for c in close}
        return close[0] if len(readings) == 1 else None

    def _says(self, word: str) -> tuple[str | None, str | None] | str:
        """Two spellings that read the same ("manager", "manageur") are not a real choice."""
        found = self.lexicon.get(word)
        return (found.seniority, found.function) if found else word

    # --- context -----------------------------------------------------------------------

    def _in_context(self, hits: list[_Hit], words: _Words) -> list[_Hit]:
        kept: list[_Hit] = []
        for index, hit in enumerate(hits):
            reading = hit.reading
            if reading.kind == _LEAD and not words.ends_a_role(hit.last):
                continue
            if (
                hit.first
                and words.stop[hit.first - 1]
                and reading.seniority in _PERSON_LEVELS
                and _names_someone_else(hit, words)
            ):
                continue
            if reading.kind == _ASSISTANT and _level_follows(hit, hits[index + 1 :], words):
                continue
            if reading.seniority == tw.STUDENT and _served_by_the_job(hit, words):
                continue
            kept.append(hit)
        return kept


def _served_by_the_job(hit: _Hit, words: _Words) -> bool:
    """Students named right after a joining word (one word may stand between) are whom the
    job serves ("Dean of Students", "Teacher for talented students"), not who holds it
    ("Go-to-Market Operations Intern" is an intern)."""
    k = hit.first - 1
    while k >= max(0, hit.first - 2) and words.text[k]:
        if words.stop[k]:
            return any(words.text[j] and not words.stop[j] for j in range(k))
        k -= 1
    return False


def _names_someone_else(hit: _Hit, words: _Words) -> bool:
    before = words.joining_words_before(hit.first)
    return bool(before & tw.REFERENCE_MARKERS) or {"of", "the"} <= before


def _level_follows(assistant: _Hit, later: Sequence[_Hit], words: _Words) -> bool:
    """ "Assistant Manager", "Assistant Export Manager" are managers: a level follows with at
    most two other words between and no joining word or break ("Assistant to the Manager",
    "Asistente de gerencia" are assistants)."""
    position = assistant.last + 1
    for hit in later:
        between = range(position, hit.first)
        if len(between) > 2 or any(words.stop[k] or not words.text[k] for k in between):
            return False
        if hit.first < position or words.stop[hit.first]:
            return False
        level = hit.reading.seniority
        if level is not None:
            return SENIORITY_RANKS[level] >= SENIORITY_RANKS[tw.MANAGER]
        position = hit.last + 1
    return False


# --- deciding ------------------------------------------------------------------------------


def _level_hit(hits: Sequence[_Hit]) -> _Hit | None:
    best: _Hit | None = None
    best_rank = -1
    assistant: _Hit | None = None
    for hit in hits:
        reading = hit.reading
        if reading.seniority == tw.STUDENT:
            return hit
        if reading.kind == _ASSISTANT and assistant is None:
            assistant = hit
        if reading.rank > best_rank:
            best, best_rank = hit, reading.rank
    return assistant or best


def _names_its_job(hit: _Hit) -> bool:
    """A person noun that names its own function ("Salesperson", "Sales Representative",
    "Recruiter") says what the job is; a domain word beside it ("Electrical Appliances
    Salesperson", "IT Recruiter") only what it is about."""
    return hit.reading.seniority == tw.IC and hit.reading.function is not None


def _function_hits(hits: Sequence[_Hit]) -> list[_Hit]:
    """The first hit of each function, the deciding one first: the strongest kind of word,
    then the earliest. Role nouns are listed only when nothing stronger names a function."""
    named = [h for h in hits if h.reading.function]
    if not named:
        return []
    primary = max(named, key=lambda h: (h.reading.strength, _names_its_job(h), -h.first))
    ordered = [primary]
    seen = {primary.reading.function}
    for hit in named:
        if hit.reading.function not in seen and hit.reading.strength > _ROLE_NOUN:
            ordered.append(hit)
            seen.add(hit.reading.function)
    return ordered


def _decide(hits: Sequence[_Hit], words: _Words, title: str) -> TitleRole:
    level = _level_hit(hits)
    seniority = level.reading.seniority if level and level.reading.seniority else tw.UNKNOWN
    named = _function_hits(hits)
    evidence: list[tuple[int, str, str]] = []
    if level is not None:
        evidence.append((level.first, _quote(level, words, title), seniority))
    for hit in named:
        assert hit.reading.function is not None
        evidence.append((hit.first, _quote(hit, words, title), hit.reading.function))
    if named:
        functions = tuple(h.reading.function for h in named if h.reading.function)
    else:
        functions = (tw.EXECUTIVE if seniority == tw.C_LEVEL else tw.OTHER,)
    return TitleRole(
        seniority,
        functions[0],
        functions,
        SENIORITY_RANKS[seniority],
        tuple((quoted, reading) for _, quoted, reading in sorted(evidence, key=lambda e: e[0])),
    )


def _quote(hit: _Hit, words: _Words, title: str) -> str:
    return title[words.spans[hit.first][0] : words.spans[hit.last][1]]


def _overridden(
    role: TitleRole, title: str, seniority: str | None, function: str | None
) -> TitleRole:
    level = seniority or role.seniority
    functions = role.functions
    if function is not None:
        functions = (function, *(f for f in role.functions if f != function))
    evidence = [(title.strip(), f"override: {x}") for x in (seniority, function) if x]
    return TitleRole(level, functions[0], functions, SENIORITY_RANKS[level], tuple(evidence))


# --- spelling ------------------------------------------------------------------------------


def _one_edit_apart(typed: str, known: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if abs(len(typed) - len(known)) > 1 or typed == known:
        return False
    start = 0
    while start < min(len(typed), len(known)) and typed[start] == known[start]:
        start += 1
    a, b = typed[start:], known[start:]
    return a[1:] == b[1:] or a[1:] == b or a == b[1:] or (len(a) >= 2 and a[1] + a[0] + a[2:] == b)


def _person_noun(word: str) -> bool:
    """Ends as person nouns end in one of the five languages, and is long enough to."""
    if len(word) < _OCCUPATION_MIN_LENGTH or word in _NOT_OCCUPATIONS or word.endswith("ment"):
        return False
    return any(
        word[-size:] in _OCCUPATION_SUFFIX_SET for size in _SUFFIX_SIZES if len(word) >= size + 3
    )


def _a_slip(typed: str, known: str) -> bool:
    """Whether a word one edit from a known one is a slip of the keyboard rather than another
    word: "interne" is French for in-house, not a slip for "intern" (a known word and one more
    letter at its end is another form of a word); "montador" (fitter) is not "contador"
    (accountant) — people rarely mistype a word's first letter; "medica" (a doctor) is not
    "media" — a slip keeps the person-noun ending a word has; "fundidor" (foundryman) is not
    "fundador" (founder) — a changed letter is a slip only when its key is next to the right one."""
    if typed[0] != known[0]:
        return False
    if len(typed) == len(known) + 1 and typed.startswith(known):
        return False
    ending = next((x for x in _OCCUPATION_SUFFIXES if typed.endswith(x)), None)
    if ending is not None and not known.endswith(ending):
        return False
    if len(typed) == len(known):
        changed = [(a, b) for a, b in zip(typed, known, strict=True) if a != b]
        if len(changed) == 1:  # one letter changed: a slip hits a neighbouring key
            a, b = changed[0]
            return b in _NEIGHBOUR_KEYS.get(a, "")
    return True


def _neighbour_keys() -> dict[str, str]:
    """Keys next to each other on QWERTY, QWERTZ (y/z swapped) and AZERTY (a/q, z/w swapped)."""
    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    near: dict[str, set[str]] = {}
    for r, row in enumerate(rows):
        for c, key in enumerate(row):
            around = {row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""}
            for other in (r - 1, r + 1):
                if 0 <= other < len(rows):
                    around.update(rows[other][max(c - 1, 0) : c + 2])
            near.setdefault(key, set()).update(around - {""})
    for a, b in (("y", "z"), ("a", "q"), ("z", "w")):
        near[a].add(b)
        near[b].add(a)
    return {key: "".join(sorted(keys)) for key, keys in near.items()}


_NEIGHBOUR_KEYS = _neighbour_keys()


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _deletion_index(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Word minus one letter → the words: a typed word one insertion, deletion, substitution
    or swap away from a known one shares an entry with it (symmetric delete)."""
    index: dict[str, list[str]] = {}
    for word in words:
        for variant in _deletions(word):
            index.setdefault(variant, []).append(word)
    return {k: tuple(v) for k, v in index.items()}


# --- the entry point -----------------------------------------------------------------------


@lru_cache(maxsize=16)
def title_classifier(settings: TitleSettings = DEFAULT_TITLE_SETTINGS) -> TitleClassifier:
    return TitleClassifier(settings)


def classify_title(
    title: str | None, settings: TitleSettings = DEFAULT_TITLE_SETTINGS
) -> TitleRole:
    return title_classifier(settings).classify(title)
