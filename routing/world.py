"""The CRM snapshot, indexed once for routing: families, open opportunities by account,
open leads by email, owners by Id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from routing.model import Account, CrmSnapshot, Lead, Opportunity, Rep

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Family:
    """An account followed by its parents up the ParentId chain."""

    accounts: tuple[Account, ...]
    problem: str | None = None  # a cycle or a parent that does not exist

    @property
    def ultimate_parent(self) -> Account | None:
        return self.accounts[-1] if self.accounts else None


class World:
    def __init__(self, snapshot: CrmSnapshot) -> None:
        self.snapshot = snapshot
        self.users = snapshot.users
        self.queues = snapshot.queues
        self.accounts = snapshot.accounts
        self.open_opportunities = open_opportunities_by_account(snapshot.opportunities)
        self._families: dict[str, Family] = {}

    def family(self, account_id: str) -> Family:
        cached = self._families.get(account_id)
        if cached is None:
            cached = self._families[account_id] = self._walk_up(account_id)
        return cached

    def _walk_up(self, account_id: str) -> Family:
        chain: list[Account] = []
        seen: set[str] = set()
        current: str | None = account_id
        while current:
            if current in seen:
                names = " → ".join(a.name for a in chain) + f" → {self.accounts[current].name}"
                return Family(tuple(chain), f"ParentId cycle ({names}); stopped at the repeat")
            account = self.accounts.get(current)
            if account is None:
                return Family(tuple(chain), f"parent account {current} does not exist")
            chain.append(account)
            seen.add(current)
            current = account.parent_id
        return Family(tuple(chain))

    def forget_families(self) -> None:
        """An account changed: families are walked again when next asked for."""
        self._families.clear()

    def owner_name(self, owner_id: str | None) -> str:
        if owner_id is None:
            return "nobody"
        if owner_id in self.users:
            return self.users[owner_id].name
        if owner_id in self.queues:
            return f"queue '{self.queues[owner_id].name}'"
        return owner_id

    def user(self, user_id: str | None) -> Rep | None:
        return self.users.get(user_id) if user_id else None


def open_opportunities_by_account(opps: tuple[Opportunity, ...]) -> dict[str, list[Opportunity]]:
    """Newest first: the playbook gives a lead to the owner of the most recent open opp."""
    by_account: dict[str, list[Opportunity]] = defaultdict(list)
    for opp in opps:
        if opp.account_id and not opp.is_closed:
            by_account[opp.account_id].append(opp)
    for opps_of_account in by_account.values():
        opps_of_account.sort(key=lambda o: (o.created_date or _EPOCH, o.id), reverse=True)
    return dict(by_account)


def routing_order(lead: Lead) -> tuple[datetime, str]:
    return (lead.created_date or _EPOCH, lead.id)
