"""A blocking index over account names, and the rules that say whether two names are one company.

A lead never scans every account: each lookup reads a few dictionary entries (the exact name,
the name without its qualifiers, its acronym, its prefixes) or the accounts that share the
lead's rarest word. Typos are found through a deletion index over the words of all names
(SymSpell's idea): a word one edit away from a known word shares a one-letter deletion with it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from routing._multimap import Ids, add, count, discard, ids
from routing.matching._wordlists import (
    COMPANY_WORDS,
    GENERIC_WORDS,
    GEO_QUALIFIERS,
    INSTITUTION_WORDS,
    SHORTENED_WORDS,
)
from routing.matching.names import QUALIFIERS, CompanyName, one_letter_deletions

EXACT = "exact"
REORDERED = "reordered"
QUALIFIED = "qualified"
ACRONYM = "acronym"
EXTRA_WORDS = "extra_words"
FUZZY = "fuzzy"
OVERLAP = "overlap"

_MIN_TYPO_LENGTH = 5
_FUZZY_SHORTLIST = 8
_SECOND_BLOCK = 256
_OVERLAP_POSTINGS = 64  # the overlap rule reads accounts through words rarer than this


@dataclass(frozen=True, slots=True)
class NameVerdict:
    """How a lead's company name relates to one account's name."""

    kind: str  # exact, reordered, qualified, acronym, extra_words, fuzzy
    similarity: float  # 0–100; below 100 only for fuzzy
    note: str
    rejected: str | None = None  # why this relation is not good enough to match


@dataclass(frozen=True, slots=True)
class NameRules:
    min_acronym_length: int = 3
    fuzzy_min_score: float = 80.0
    generic_word_min_accounts: int = 3
    generic_word_share: float = 0.0005
    extra_generic_words: frozenset[str] = frozenset()
    max_block_size: int = 2000


class NameIndex:
    def __init__(self, rules: NameRules) -> None:
        self._rules = rules
        self._generic_words = GENERIC_WORDS | rules.extra_generic_words
        self._names: dict[str, CompanyName] = {}
        self._by_key: dict[str, Ids] = {}
        self._by_core_key: dict[str, Ids] = {}
        self._by_initials: dict[str, Ids] = {}
        self._by_token: dict[str, Ids] = {}
        self._by_deletion: dict[str, Ids] = {}
        # An account's family when it has one (its parent's); else it is a family of one.
        self._family_of: dict[str, str] = {}
        self._families_with: dict[str, tuple[float, int]] = {}  # token → (threshold, families)

    def __len__(self) -> int:
        return len(self._names)

    def with_key(self, key: str) -> set[str]:
        return set(ids(self._by_key, key))

    def name_of(self, account_id: str) -> CompanyName | None:
        return self._names.get(account_id)

    def family_of(self, account_id: str) -> str:
        return self._family_of.get(account_id, account_id)

    def set_family(self, account_id: str, family: str | None) -> None:
        """Put an indexed account in a family (None: a family of its own)."""
        name = self._names.get(account_id)
        if name is None:
            return
        if family is None:
            self._family_of.pop(account_id, None)
        else:
            self._family_of[account_id] = family
        for token in name.tokens:
            self._families_with.pop(token, None)

    def add(self, account_id: str, name: CompanyName, family: str | None = None) -> None:
        self.remove(account_id)
        name = _interned(name)
        self._names[account_id] = name
        if family is not None:
            self._family_of[account_id] = family
        add(self._by_key, name.key, account_id)
        if name.core != name.tokens:
            add(self._by_core_key, name.core_key, account_id)
        if len(name.initials) >= self._rules.min_acronym_length:
            add(self._by_initials, name.initials, account_id)
        for token in set(name.tokens):
            if token not in self._by_token and len(token) >= _MIN_TYPO_LENGTH:
                for deletion in one_letter_deletions(token):
                    add(self._by_deletion, deletion, token)
            add(self._by_token, token, account_id)
            if self._families_with:
                self._families_with.pop(token, None)

    def remove(self, account_id: str) -> None:
        name = self._names.pop(account_id, None)
        if name is None:
            return
        self._family_of.pop(account_id, None)
        discard(self._by_key, name.key, account_id)
        discard(self._by_core_key, name.core_key, account_id)
        discard(self._by_initials, name.initials, account_id)
        for token in set(name.tokens):
            discard(self._by_token, token, account_id)
            if self._families_with:
                self._families_with.pop(token, None)
            if token not in self._by_token and len(token) >= _MIN_TYPO_LENGTH:
                for deletion in one_letter_deletions(token):
                    discard(self._by_deletion, deletion, token)

    # --- lookups -----------------------------------------------------------------------------

    def candidates(self, lead: CompanyName) -> set[str]:
        """Accounts whose name may be the lead's company by any rule except typos."""
        found: set[str] = set()
        for key in self._keys_to_look_up(lead):
            found.update(ids(self._by_key, key))
        found.update(ids(self._by_core_key, lead.key))
        found.update(ids(self._by_core_key, lead.core_key))
        if lead.written_as_acronym and len(lead.core) == 1:
            found.update(ids(self._by_initials, lead.core_key))
        found.update(self._accounts_with_all_words(lead))
        found.update(self._accounts_within(lead))
        return found

    def fuzzy_candidates(self, lead: CompanyName) -> list[str]:
        """Accounts that have, for one of the lead's two rarest words, it or a word a typo away."""
        blocks: list[tuple[int, set[str]]] = []
        for token in lead.core:
            words = self._known_or_near(token)
            size = sum(count(self._by_token, word) for word in words)
            if 0 < size <= self._rules.max_block_size:
                blocks.append((size, words))  # an unknown word does not veto: the whole is scored
        # the two rarest: a slip may have made the rarest word another account's (a second
        # block only when small: shortlisting a large one costs more than it finds)
        blocks.sort(key=lambda block: block[0])
        if len(blocks) > 1 and blocks[1][0] > _SECOND_BLOCK:
            del blocks[1:]
        found: dict[str, None] = {}
        for _, words in blocks[:2]:
            pool = {i for word in words for i in ids(self._by_token, word) if i not in found}
            if len(pool) > _FUZZY_SHORTLIST:
                pool = set(self._shortlist(lead, pool))
            found.update(dict.fromkeys(pool))  # a few are judged each, however the whole reads
        return list(found)

    def classify(self, lead: CompanyName, account_id: str, fuzzy: bool) -> NameVerdict | None:
        account = self._names.get(account_id)
        if account is None:
            return None
        verdict = self._same_words(lead, account) or self._related(lead, account, fuzzy)
        if verdict is None or verdict.rejected is not None or verdict.kind == EXACT:
            return verdict
        conflict = _numbers_conflict(lead.tokens, account.tokens)
        return _rejected(verdict, conflict) if conflict else verdict

    def is_generic(self, token: str) -> bool:
        if token in self._generic_words or len(token) <= 2:
            return True
        share = self._rules.generic_word_share * len(self._names)
        threshold = max(self._rules.generic_word_min_accounts, share)
        if count(self._by_token, token) < threshold:
            return False
        return not self._family_of or self._families_with_word(token, threshold) >= threshold

    def _families_with_word(self, token: str, threshold: float) -> int:
        """How many families have the word, counted up to the threshold: a brand in the names
        of three accounts of one family is still that family's brand."""
        cached = self._families_with.get(token)
        if cached is not None and cached[0] == threshold:
            return cached[1]
        families: set[str] = set()
        for account_id in ids(self._by_token, token):
            families.add(self.family_of(account_id))
            if len(families) >= threshold:
                break
        self._families_with[token] = (threshold, len(families))
        return len(families)

    def is_distinctive(self, tokens: Iterable[str]) -> bool:
        """At least one uncommon word, or two common ones (`Summit Media`, not `Apple`)."""
        weight = sum(0.5 if self.is_generic(token) else 1.0 for token in tokens)
        return weight >= 1.0

    def has_uncommon_word(self, tokens: Iterable[str]) -> bool:
        """Stricter, for names with extra words: `Olive Garden` yes, `Aurora Health` no
        (`Aurora Health Partners` is likely another company)."""
        return any(not self.is_generic(token) for token in tokens)

    def _identifies(self, shared: tuple[str, ...]) -> bool:
        """An uncommon word, or three words not all of them generic-list words."""
        if self.has_uncommon_word(shared):
            return True
        return len(shared) >= 3 and any(token not in self._generic_words for token in shared)

    # --- rules -------------------------------------------------------------------------------

    def _same_words(self, lead: CompanyName, account: CompanyName) -> NameVerdict | None:
        if lead.key == account.key:
            return NameVerdict(EXACT, 100.0, "same name after normalisation")
        if len(lead.tokens) > 1 and lead.sorted_key == account.sorted_key:
            return NameVerdict(REORDERED, 100.0, "same words in another order")
        if lead.core_key == account.core_key:
            return self._qualified(lead, account)
        return self._acronym(lead, account)

    def _qualified(self, lead: CompanyName, account: CompanyName) -> NameVerdict:
        differing = set(lead.qualifiers) ^ set(account.qualifiers)
        note = f"same name apart from {_quoted(differing)}"
        if self.is_distinctive(lead.core) or differing <= GEO_QUALIFIERS:
            return NameVerdict(QUALIFIED, 100.0, note)
        why = (
            f"shares only the common name {_quoted(lead.core)}; "
            f"{_quoted(differing)} may be another company"
        )
        return NameVerdict(QUALIFIED, 100.0, note, rejected=why)

    def _acronym(self, lead: CompanyName, account: CompanyName) -> NameVerdict | None:
        minimum = self._rules.min_acronym_length
        lead_is_acronym = lead.written_as_acronym and len(lead.core) == 1
        if lead_is_acronym and len(lead.core_key) >= minimum and lead.core_key == account.initials:
            return NameVerdict(ACRONYM, 100.0, f"'{lead.core_key}' is the acronym of the name")
        if (
            account.written_as_acronym
            and len(account.core) == 1
            and account.core_key == lead.initials
        ):
            return NameVerdict(ACRONYM, 100.0, f"the account's name '{account.key}' is the acronym")
        return None

    def _related(self, lead: CompanyName, account: CompanyName, fuzzy: bool) -> NameVerdict | None:
        shared = _contained(lead.tokens, account.tokens) or _contained_but_places(lead, account)
        if shared:
            longer = lead.tokens if len(lead.tokens) > len(account.tokens) else account.tokens
            extra = [token for token in longer if token not in shared]
            note = f"same name with the extra words {_quoted(extra)}"
            coverage = 100.0 * len(shared) / len(longer)  # ranks several accounts it contains
            compass = _COMPASS.intersection(extra)
            if compass:  # `Southern Illinois University` is not `University of Illinois`
                return NameVerdict(EXTRA_WORDS, coverage, note, rejected=f"{_quoted(compass)} "
                                   "names another part of the country or another site")  # fmt: skip
            if self._identifies(shared):
                return NameVerdict(EXTRA_WORDS, coverage, note)
            why = f"shares only the common word(s) {_quoted(shared)}"
            return NameVerdict(EXTRA_WORDS, coverage, note, rejected=why)
        if not fuzzy:
            return None
        return self._overlap(lead, account) or self._typo(lead, account)

    def _overlap(self, lead: CompanyName, account: CompanyName) -> NameVerdict | None:
        """Both names hold extra words, but every uncommon word of one is in the other and they
        share one (`Kenyatta's Day Care Center` / `Chicago State University - Kenyatta's Day
        Care`); two sites of one agency (`Henry Booth House - A`, `... - B`) never do. A shared
        word may be typed with a typo, which counts half (a typo match of the same words with no
        extras ranks above); when every uncommon word shared is typed so, neither name may have
        an uncommon word of its own (a typo and another word is two differences). Names alike
        but for typos are the typo rule's."""
        account_words = set(account.tokens)
        lead_words, shared, distinctive, typos = self._pair_words(set(lead.tokens), account_words)
        if lead_words == account_words or not distinctive or len(shared) < 2:
            return None
        lead_own = {t for t in lead_words - shared if self._own_word(t)}
        account_own = {t for t in account_words - shared if self._own_word(t)}
        only_typed = not (distinctive & set(lead.tokens))
        if (lead_own and account_own) or (only_typed and (lead_own or account_own)):
            return None
        similarity = 100.0 * (len(shared) - 0.5 * typos) / len(lead_words | account_words)
        note = f"shares the distinctive words {_quoted(shared)}"
        return NameVerdict(OVERLAP, similarity, note)

    def _pair_words(
        self, lead_words: set[str], account_words: set[str]
    ) -> tuple[set[str], set[str], set[str], int]:
        """The lead's words with typos of the account's words read as those words; the words
        shared; those of them that are uncommon; how many typos were read so."""
        shared = lead_words & account_words
        distinctive = {token for token in shared if not self._says_little(token)}
        typos = 0
        for token in lead_words - shared:
            partner = next(
                (
                    w
                    for w in account_words - shared
                    if self._slip(token, w) or self._abbreviates(token, w)
                ),
                None,
            )
            if partner is None:
                continue
            lead_words = (lead_words - {token}) | {partner}
            shared = shared | {partner}
            typos += 1
            if not self._says_little(token) and not self._says_little(partner):
                distinctive.add(partner)  # (`learning` / `learining`: still a common word)
        return lead_words, shared, distinctive, typos

    def _own_word(self, token: str) -> bool:
        return token in _COMPASS or not self.is_generic(token)  # `North`: another site

    def _says_little(self, token: str) -> bool:
        return token in INSTITUTION_WORDS or self.is_generic(token)

    def overlap_candidates(self, lead: CompanyName) -> list[str]:
        """Accounts that share one of the lead's uncommon words and another word besides (what
        the overlap rule needs), through the lead's rarer words only."""
        words = set(lead.tokens)
        found: dict[str, None] = {}
        for token in words:
            if self.is_generic(token) or count(self._by_token, token) > _OVERLAP_POSTINGS:
                continue
            for account_id in ids(self._by_token, token):
                if len(words.intersection(self._names[account_id].tokens)) >= 2:
                    found[account_id] = None
        return list(found)

    def _typo(self, lead: CompanyName, account: CompanyName) -> NameVerdict | None:
        problem, expanded, whole = self._aligned(lead, account)
        read = _expanded(lead, expanded)
        similarity = max(
            fuzz.ratio(_as_written(read.core), _as_written(account.core)),
            fuzz.ratio(_sorted(read.core), _sorted(account.core)),
            fuzz.ratio(read.core_key, account.core_key),  # joined or split words
            fuzz.ratio(read.key, account.key),  # a typo in a qualifier (`Nederlnad`)
        )
        note = f"similar name ({similarity:.0f}/100)"
        if expanded:
            note += f", reading {_quoted(f'{a}={w}' for a, w in expanded.items())}"
        if problem:
            return NameVerdict(FUZZY, similarity, note, rejected=problem)
        if similarity < self._rules.fuzzy_min_score:
            return NameVerdict(FUZZY, similarity, note, rejected="names too different")
        if not whole and not self.is_distinctive(account.core):
            # (the account's whole name typed with slips is as good as typed right: `Mototrola`)
            return NameVerdict(FUZZY, similarity, note, rejected="only common words are alike")
        return NameVerdict(FUZZY, similarity, note)

    def _aligned(
        self, lead: CompanyName, account: CompanyName
    ) -> tuple[str | None, dict[str, str], bool]:
        """The first word on either side with no equal, typo-close or abbreviated partner, if
        any; the lead's abbreviations with the account's words they stand for; and whether
        each word found its partner as typed, with a slip or in short. The whole name carries
        a word further off: one in four (`Percedes` / `Procedes`), or one beside the uncommon
        word that begins both names (`Minolta Camara`; not `Hanson Brewing`)."""
        unmatched = list(account.tokens)
        expanded: dict[str, str] = {}
        unpaired: list[str] = []
        for token in lead.tokens:
            partner = next((word for word in unmatched if self._alike(token, word)), None)
            if partner is None:
                partner = next((w for w in unmatched if self._abbreviates(token, w)), None)
                if partner is not None:
                    expanded[token] = partner
            if partner is not None:
                unmatched.remove(partner)
            elif token not in QUALIFIERS and token != account.initials:  # `(CNRS)`
                unpaired.append(token)
        leftover = [word for word in unmatched if word not in QUALIFIERS]
        allowed = len(lead.tokens) // 4 or int(self._anchored(lead, account))
        whole = not unpaired and not leftover
        unpaired, leftover = _paired_loosely(unpaired, leftover, allowed)
        if leftover and self._carries_name(lead, unpaired, expanded):  # `Shell Int. Research`
            leftover = [word for word in leftover if word not in COMPANY_WORDS]
        if unpaired:
            return f"'{unpaired[0]}' has no counterpart in the account's name", expanded, False
        problem = f"'{leftover[0]}' has no counterpart in the lead's company" if leftover else None
        return problem, expanded, whole

    def _carries_name(
        self, lead: CompanyName, unpaired: list[str], expanded: dict[str, str]
    ) -> bool:
        """Three words of the lead found, or two with an uncommon one typed in full: the
        account's words for `company`, `society` or `Dutch` in any language may then be left
        out."""
        paired = [token for token in lead.tokens if token not in unpaired]
        typed = [token for token in paired if token not in expanded]
        return len(paired) >= 3 or (
            len(paired) == 2 and any(not self.is_generic(token) for token in typed)
        )

    def _anchored(self, lead: CompanyName, account: CompanyName) -> bool:
        """The name starts with its uncommon word typed right, as the account's does."""
        first = lead.tokens[0]
        return first == account.tokens[0] and not self.is_generic(first)

    def _abbreviates(self, lead_token: str, account_token: str) -> bool:
        """`Int`, `Intern` for `Internationale`, `Mij` for `Maatschappij`, `Mfg`, `Engg`: a word
        no account has, of three letters or more, that begins a common word of the account's
        (two letters shorter at least), or keeps its first and last letters and some of those
        between in their order. A name's own distinctive word is never read from a shortening
        (`Karvo Bank` is not `Karvoma Bank`)."""
        if len(lead_token) < 3 or lead_token in self._by_token:
            return False
        if not _abbreviation_of(lead_token, account_token):
            return False
        return account_token in SHORTENED_WORDS or self.is_generic(account_token)

    def _slip(self, lead_token: str, account_token: str) -> bool:
        """A typo (`_typo_close`), or in a word of five or six letters a key's neighbour struck
        instead (`Volvi` / `Volvo`), when no other known word is one letter away from it as
        well: `Tonrpn` is as near to `Tonren` as to `Tonron`, and guessing is no match."""
        if _typo_close(lead_token, account_token):
            return True
        return _neighbour_key_slip(lead_token, account_token) and self._only_word_near(lead_token)

    def _only_word_near(self, token: str) -> bool:
        near: set[str] = set()
        for deletion in (token, *one_letter_deletions(token)):
            near.update(ids(self._by_deletion, deletion))
            if deletion != token and deletion in self._by_token:
                near.add(deletion)
        near.discard(token)
        return sum(Levenshtein.distance(token, word) <= 1 for word in near) == 1

    def _alike(self, lead_token: str, account_token: str) -> bool:
        """Equal, or a slip, unless the lead's word is another account's distinctive word typed
        right; a common word is read through (`General` for `Generale`, `Generale` for
        `General`)."""
        if lead_token == account_token or _singular(lead_token) == _singular(account_token):
            return True
        if lead_token not in self._by_token or self.is_generic(lead_token):
            return self._slip(lead_token, account_token)
        return self.is_generic(account_token) and _typo_close(lead_token, account_token)

    # --- blocking ----------------------------------------------------------------------------

    def _keys_to_look_up(self, lead: CompanyName) -> Iterator[str]:
        yield lead.key
        yield lead.core_key
        if lead.initials:
            yield lead.initials
        for size in range(1, len(lead.tokens)):
            yield "".join(lead.tokens[:size])
            yield "".join(lead.tokens[-size:])

    def _accounts_with_all_words(self, lead: CompanyName) -> list[str]:
        """Accounts whose name holds every word of the lead's (word order, extra words)."""
        postings = [ids(self._by_token, token) for token in set(lead.tokens)]
        rarest = min(postings, key=len)
        if len(rarest) > self._rules.max_block_size:
            return []
        words = set(lead.tokens)
        return [account_id for account_id in rarest if words <= set(self._names[account_id].tokens)]

    def _accounts_within(self, lead: CompanyName) -> list[str]:
        """Accounts all of whose words are in the lead's name (extra words anywhere), found
        through the lead's uncommon words: a name of common words only never matches so."""
        words = set(lead.tokens)
        found = []
        for token in words:
            if self.is_generic(token):
                continue
            for account_id in ids(self._by_token, token):
                if set(self._names[account_id].tokens) <= words:
                    found.append(account_id)
        return found

    def _known_or_near(self, token: str) -> set[str]:
        words = {w for w in {token, _singular(token), token + "s"} if w in self._by_token}
        if len(token) >= _MIN_TYPO_LENGTH and not words:
            for deletion in (token, *one_letter_deletions(token)):
                near = [*ids(self._by_deletion, deletion)]
                if deletion != token and deletion in self._by_token:
                    near.append(deletion)
                words.update(word for word in near if self._slip(token, word))
        return words

    def _shortlist(self, lead: CompanyName, pool: set[str]) -> list[str]:
        """The few accounts in the pool whose names read most like the lead's, in the written
        order or sorted (a typo can change how the words sort)."""
        account_ids = sorted(pool)  # ties in the shortlist go the same way in every process
        shortlist: dict[str, None] = {}
        for arrange, whole in ((_as_written, False), (_sorted, False), (_as_written, True)):
            texts = [
                arrange(self._names[account_id].tokens if whole else self._names[account_id].core)
                for account_id in account_ids
            ]
            best = process.extract(
                arrange(lead.tokens if whole else lead.core),
                texts,
                scorer=fuzz.ratio,
                limit=_FUZZY_SHORTLIST,
                score_cutoff=self._rules.fuzzy_min_score,
            )
            shortlist.update((account_ids[position], None) for _, _, position in best)
        return list(shortlist)


_ROMAN_NUMERALS = frozenset(
    {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"}
)


def _site_numbers(tokens: tuple[str, ...]) -> frozenset[str]:
    """Numbers that tell sites or branches apart (`Mother's Touch II`, `Learning Tree 1`);
    a house number (three digits or more) is not one."""
    return frozenset(
        token
        for token in tokens
        if (token.isdigit() and len(token) <= 2) or token in _ROMAN_NUMERALS
    )


def _numbers_conflict(lead: tuple[str, ...], account: tuple[str, ...]) -> str | None:
    lead_numbers, account_numbers = _site_numbers(lead), _site_numbers(account)
    if lead_numbers and account_numbers and lead_numbers != account_numbers:
        return (
            f"its number {_quoted(sorted(account_numbers))} is not the lead's "
            f"{_quoted(sorted(lead_numbers))}: another site"
        )
    return None


def _rejected(verdict: NameVerdict, why: str) -> NameVerdict:
    return NameVerdict(verdict.kind, verdict.similarity, verdict.note, rejected=why)


def _as_written(tokens: tuple[str, ...]) -> str:
    return " ".join(tokens)


def _sorted(tokens: tuple[str, ...]) -> str:
    return " ".join(sorted(tokens))


def _typo_close(lead_token: str, account_token: str) -> bool:
    """`_one_slip`, between the words or their singulars (`Techologies` / `technology`, which
    names hold as the plural's common form)."""
    if _one_slip(lead_token, account_token):
        return True
    lead_singular, account_singular = _singular(lead_token), _singular(account_token)
    if (lead_singular, account_singular) == (lead_token, account_token):
        return False
    return _one_slip(lead_singular, account_singular)


def _paired_loosely(
    unpaired: list[str], leftover: list[str], allowed: int
) -> tuple[list[str], list[str]]:
    """The words still without a partner on each side once up to `allowed` of the lead's have
    been read as loosely alike words of the account's."""
    if len(unpaired) > allowed:
        return unpaired, leftover
    unpaired, leftover = list(unpaired), list(leftover)
    for token in list(unpaired):
        partner = next((word for word in leftover if _loosely_alike(token, word)), None)
        if partner is not None:
            unpaired.remove(token)
            leftover.remove(partner)
    return unpaired, leftover


def _loosely_alike(first: str, second: str) -> bool:
    """The same word misspelt beyond a typo, or in another language (`Meteur`, `Moteurs`)."""
    return (
        min(len(first), len(second)) >= 4
        and first[0] == second[0]
        and not first.isdigit()
        and fuzz.ratio(first, second) >= 75
    )


def _singular(word: str) -> str:
    if len(word) <= 5 or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


def _one_slip(lead_token: str, account_token: str) -> bool:
    """One slip of the keyboard: two letters swapped in a word of five letters or more; one
    letter dropped, doubled or replaced (the first one too) in a word of seven or more (a word
    of seven typed with six letters counts); two such slips from nine. Shorter words that
    differ by a letter are too often other names (`Hansen`, `Hanson`; `Lukol`, `Lukal`): on the
    project set allowing them cost 0.012 precision (`NameIndex._slip` lets a neighbouring key
    through)."""
    shorter = min(len(lead_token), len(account_token))
    if shorter < _MIN_TYPO_LENGTH or (lead_token[0] != account_token[0] and shorter < 7):
        return False
    allowed = 2 if shorter >= 9 else 1
    if OSA.distance(lead_token, account_token, score_cutoff=allowed) > allowed:
        return False
    if shorter >= 7 or (shorter == 6 and len(lead_token) != len(account_token)):  # `Philps`
        return True
    return Levenshtein.distance(lead_token, account_token) == 2  # a swap


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOUR_KEYS = {
    (row[i], row[j])
    for row in _KEYBOARD_ROWS
    for i in range(len(row))
    for j in (i - 1, i + 1)
    if 0 <= j < len(row)
}


def _abbreviation_of(short: str, word: str) -> bool:
    if len(word) < len(short) + 2 or short[0] != word[0] or short.isdigit():
        return False
    if word.startswith(short):
        return True
    if short[-1] != word[-1]:
        return False
    position = 0
    for letter in short:
        position = word.find(letter, position) + 1
        if position == 0:
            return False
    return True


def _expanded(lead: CompanyName, expanded: dict[str, str]) -> CompanyName:
    """The lead's name with its abbreviations read as the words they stand for."""
    if not expanded:
        return lead
    tokens = tuple(expanded.get(token, token) for token in lead.tokens)
    return CompanyName(tokens, "".join(tokens), tokens[: len(lead.core)], lead.written_as_acronym)


def _neighbour_key_slip(first: str, second: str) -> bool:
    """Same length (five letters or more), the same first letter, one letter differs, and the
    two letters sit side by side on a keyboard row."""
    if len(first) != len(second) or len(first) < _MIN_TYPO_LENGTH or first[0] != second[0]:
        return False
    differing = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    return len(differing) == 1 and differing[0] in _NEIGHBOUR_KEYS


def _contained(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    """The shorter name when all its words are in the longer one, anywhere (`Henry Booth House -
    Love Learning Center` holds `Love Learning Center`), else ()."""
    shorter, longer = sorted((first, second), key=len)
    if len(shorter) == len(longer):
        return ()
    words = {*longer, *(a + b for a, b in zip(longer, longer[1:], strict=False))}  # `day care`
    return shorter if all(token in words for token in shorter) else ()


_COMPASS = frozenset(
    {
        "north", "south", "east", "west", "northern", "southern", "eastern", "western",
        "northeast", "northwest", "southeast", "southwest", "central", "middle",
    }
)  # fmt: skip


def _contained_but_places(lead: CompanyName, account: CompanyName) -> tuple[str, ...]:
    """The lead's name without its trailing place or unit when all of it is in the account's,
    and the account names no such qualifier of its own (`Océ Nederland` / `Océ-Technologies`,
    not `Acme Germany` / `Acme Technologies UK`)."""
    if lead.core == lead.tokens or any(token in QUALIFIERS for token in account.tokens):
        return ()
    if _COMPASS.intersection(lead.qualifiers):
        return ()  # `Mary Crane Center North`: a site's name
    if len(lead.core) >= len(account.tokens):
        return ()
    return _contained(lead.core, account.tokens)


def _interned(name: CompanyName) -> CompanyName:
    tokens = tuple(sys.intern(token) for token in name.tokens)
    return CompanyName(tokens, name.key, tokens[: len(name.core)], name.written_as_acronym)


def _quoted(words: Iterable[str]) -> str:
    return "'" + " ".join(sorted(words) if isinstance(words, set) else words) + "'"
