"""What a policy can ask about one record, computed lazily and at most once per record.

Field facts read a record's fields by API name: `lead.Status`, `account.Type` (the matched
account), `customer.BillingCountry` (the first customer in the account's family),
`parent.OwnerId` (the ultimate parent). The others are derived; `FACTS` lists them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from routing.conditions import FieldFacts
from routing.model import Account, Lead, Match
from routing.policy.scoring import ScoreResult, score_lead
from routing.territory import TerritoryResult, country_code, read_location
from routing.titles import TitleRole, classify_title

if TYPE_CHECKING:
    from routing.policy.compiled import RoutingPolicy
    from routing.world import Family, World

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")

FIELD_PREFIXES = ("lead.", "account.", "customer.", "parent.")

T = TypeVar("T")


class cached_property(Generic[T]):  # noqa: N801 — used like functools.cached_property
    """functools.cached_property without its per-access lock (Python 3.11), which costs
    more than the facts it guards; a RecordFacts lives in one thread for one decision."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


class RecordFacts:
    def __init__(
        self,
        lead: Lead,
        match: Match,
        world: World,
        policy: RoutingPolicy,
        duplicate_owner_id: str | None = None,
    ) -> None:
        self.lead = lead
        self.match = match
        self.world = world
        self.policy = policy
        self.duplicate_owner_id = duplicate_owner_id
        self._memo: dict[str, Any] = {}

    def fact(self, name: str) -> Any:
        """Each fact is read once per record: rules ask for the same ones again and again."""
        value = self._memo.get(name, _UNREAD)
        if value is _UNREAD:
            value = self._memo[name] = _reader(name)(self)
        return value

    @property
    def ultimate_parent(self) -> Account | None:
        return self.family.ultimate_parent if self.family else None

    @cached_property
    def account(self) -> Account | None:
        return self.world.accounts.get(self.match.account_id) if self.match.account_id else None

    @cached_property
    def family(self) -> Family | None:
        return self.world.family(self.account.id) if self.account else None

    @cached_property
    def customer(self) -> Account | None:
        if self.family is None:
            return None
        test = self.policy.customer_when
        for account in self.family.accounts:
            if test.holds(FieldFacts("account.", account.fields)):
                return account
        return None

    @cached_property
    def scored(self) -> ScoreResult | None:
        model = self.policy.scoring
        if model is None:
            return None
        title = TitleFields(self.title_role) if model.reads_title else None
        return score_lead(model, self.lead, self.account, title)

    @cached_property
    def located(self) -> TerritoryResult | None:
        if self.policy.territories is None:
            return None
        return self.policy.territories.locate(self.location)

    @cached_property
    def location_source(self) -> str:
        return "account" if self.account else "lead"

    @cached_property
    def location(self) -> Any:
        if self.account:
            return read_location(self.account.billing_country, self.account.billing_state)
        return read_location(self.lead.country, self.lead.state)

    @cached_property
    def title_role(self) -> TitleRole:
        title = self.lead.title or self.lead.fields.get("Title")
        return classify_title(title if isinstance(title, str) else None, self.policy.titles)

    def title_role_if_read(self) -> TitleRole | None:
        """The trace shows the title's reading only when a rule asked for it."""
        role: TitleRole | None = self.__dict__.get("title_role")
        return role

    @cached_property
    def email_domain(self) -> str | None:
        email = (self.lead.email or "").strip()
        return email.rpartition("@")[2].casefold() if "@" in email else None

    def is_competitor(self) -> bool:
        domain = self.email_domain
        if not domain:
            return False
        return any(domain == c or domain.endswith("." + c) for c in self.policy.competitor_domains)

    def has_open_opportunity(self) -> bool:
        if self.family is None:
            return False
        return any(a.id in self.world.open_opportunities for a in self.family.accounts)


def _score(f: RecordFacts) -> Any:
    return f.scored.total if f.scored else None


def _tier(f: RecordFacts) -> Any:
    return f.scored.tier if f.scored else None


def _scored_value(field: str) -> Callable[[RecordFacts], Any]:
    def read(f: RecordFacts) -> Any:
        return f.scored.value_of(field) if f.scored else None

    return read


def _territory(f: RecordFacts) -> Any:
    located = f.located
    return located.territory.name if located and located.territory else None


def _region(f: RecordFacts) -> Any:
    located = f.located
    return located.territory.region if located and located.territory else None


FACTS: dict[str, tuple[Callable[[RecordFacts], Any], str]] = {
    "object": (lambda f: f.lead.object, "Lead, Contact, Account or Opportunity"),
    "email": (lambda f: f.lead.email, "the record's email address"),
    "email_valid": (
        lambda f: bool(_EMAIL.match((f.lead.email or "").strip())),
        "the email has the form local@domain.tld",
    ),
    "email_domain": (lambda f: f.email_domain, "the part of the email after the @"),
    "competitor": (lambda f: f.is_competitor(), "the email domain is a competitor's"),
    "matched": (lambda f: f.account is not None, "the record matched an account"),
    "match_method": (lambda f: f.match.method, "how the account was found"),
    "match_confidence": (lambda f: f.match.confidence, "the match confidence, 0 to 1"),
    "score": (_score, "the ICP fit score, 0 to 100"),
    "tier": (_tier, "the ICP tier"),
    "industry": (_scored_value("Industry"), "the Industry the score used"),
    "employees": (_scored_value("NumberOfEmployees"), "the employee count the score used"),
    "territory": (_territory, "the territory of the address used (account's, else lead's)"),
    "region": (_region, "the macro-region of the territory"),
    "country": (lambda f: f.location.country, "ISO country code of the address used"),
    "state": (lambda f: f.location.state, "state/province code of the address used"),
    "location_source": (lambda f: f.location_source, "account or lead: whose address is used"),
    "customer_found": (lambda f: f.customer is not None, "the family has a customer account"),
    "customer_country": (
        lambda f: country_code(f.customer.billing_country) if f.customer else None,
        "ISO country code of the customer account's billing address",
    ),
    "has_open_opportunity": (
        lambda f: f.has_open_opportunity(),
        "an account of the family has an open opportunity",
    ),
    "duplicate_owner_id": (
        lambda f: f.duplicate_owner_id,
        "owner of another open lead with the same email",
    ),
    "title_seniority": (
        lambda f: f.title_role.seniority,
        "seniority read from the job title: c_level, vp, director, manager, ic, student, unknown",
    ),
    "title_rank": (
        lambda f: f.title_role.rank,
        "the title's seniority as a number, c_level 6 … ic 2, student 1, unknown 0",
    ),
    "title_function": (lambda f: f.title_role.function, "the job title's main function"),
    "title_functions": (
        lambda f: f.title_role.functions,
        "every function the job title names, the main one first",
    ),
}


_UNREAD = object()
_RECORDS: dict[str, Callable[[RecordFacts], Lead | Account | None]] = {
    "lead": lambda f: f.lead,
    "account": lambda f: f.account,
    "customer": lambda f: f.customer,
    "parent": lambda f: f.ultimate_parent,
}


@lru_cache(maxsize=4096)
def _reader(name: str) -> Callable[[RecordFacts], Any]:
    derived = FACTS.get(name)
    if derived is not None:
        return derived[0]
    prefix, _, field = name.partition(".")
    record_of = _RECORDS.get(prefix)
    if record_of is None:
        return lambda f: None

    def read_field(f: RecordFacts) -> Any:
        record = record_of(f)
        return None if record is None else record.fields.get(field)

    return read_field


@dataclass(frozen=True, slots=True)
class TitleFields:
    """A job title's reading as fields a scoring signal can read (`from: [title]`)."""

    role: TitleRole

    @property
    def fields(self) -> dict[str, Any]:
        return {
            "seniority": self.role.seniority,
            "rank": self.role.rank,
            "function": self.role.function,
            "functions": ";".join(self.role.functions),
        }


def known_fact(name: str) -> bool:
    return name in FACTS or (name.startswith(FIELD_PREFIXES) and "." in name and name[-1] != ".")
