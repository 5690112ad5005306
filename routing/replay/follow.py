"""When an account changes hands, what of it follows the new owner, as the policy says: its
contacts, the open leads matched to it and its open opportunities — by default only those its
previous owner owns (a contact someone else works stays with them). Each is a move of its own,
with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from routing.engine import is_open
from routing.model import ACCOUNT, CONTACT, LEAD, OPPORTUNITY, CrmSnapshot, Lead
from routing.policy import AccountChange, RoutingPolicy
from routing.replay.backfill import Move
from routing.world import World

CONTACTS, LEADS, OPPORTUNITIES = "contacts", "leads", "opportunities"
AccountOf = Callable[[Lead], str | None]  # a lead → the account it matches, or None


@dataclass(frozen=True, slots=True)
class _Handover:
    account_id: str
    account: str
    from_owner_id: str | None
    to_owner_id: str


def followers(
    snapshot: CrmSnapshot,
    policy: RoutingPolicy,
    moves: Iterable[Move],
    account_of: AccountOf | None = None,
    world: World | None = None,
) -> list[Move]:
    """The moves that follow the account moves among `moves` (contacts first, then open
    opportunities, then leads, each in Id order). `account_of` matches a lead to its account;
    without it leads do not follow. `world`: the snapshot's, when one is at hand."""
    change = policy.account_change
    if change is None:
        return []
    world = world or World(snapshot)
    handovers = {
        m.record_id: _Handover(
            m.record_id, _name(world, m.record_id), m.from_owner_id, m.to_owner_id
        )
        for m in moves
        if m.object == ACCOUNT
    }
    if not handovers:
        return []
    found: list[Move] = []
    if CONTACTS in change.follow:
        for contact in sorted(snapshot.contacts, key=lambda c: c.id):
            handover = handovers.get(contact.account_id or "")
            if handover is not None and _follows(change, contact.owner_id, handover):
                found.append(_move(contact.id, CONTACT, contact.owner_id, handover, world))
    if OPPORTUNITIES in change.follow:
        for opportunity in sorted(snapshot.opportunities, key=lambda o: o.id):
            handover = handovers.get(opportunity.account_id or "")
            if (
                handover is not None
                and not opportunity.is_closed
                and _follows(change, opportunity.owner_id, handover)
            ):
                found.append(
                    _move(opportunity.id, OPPORTUNITY, opportunity.owner_id, handover, world)
                )
    if LEADS in change.follow and account_of is not None:
        previous = {h.from_owner_id for h in handovers.values()}
        for lead in sorted(snapshot.leads, key=lambda x: x.id):
            if lead.object != LEAD or not is_open(lead, policy):
                continue
            if change.only_owned_by_previous and lead.owner_id not in previous:
                continue  # not matched at all: the cheap test first
            handover = handovers.get(account_of(lead) or "")
            if handover is not None and _follows(change, lead.owner_id, handover):
                found.append(_move(lead.id, LEAD, lead.owner_id, handover, world))
    return found


def _follows(change: AccountChange, owner_id: str | None, handover: _Handover) -> bool:
    if owner_id == handover.to_owner_id:
        return False  # already with the new owner
    return not change.only_owned_by_previous or owner_id == handover.from_owner_id


def _move(
    record_id: str, object: str, owner_id: str | None, handover: _Handover, world: World
) -> Move:
    why = (
        f"Follows its account {handover.account} from {world.owner_name(handover.from_owner_id)} "
        f"to {world.owner_name(handover.to_owner_id)}."
    )
    return Move(record_id, object, owner_id, handover.to_owner_id, why)


def _name(world: World, account_id: str) -> str:
    account = world.accounts.get(account_id)
    return account.name if account is not None else account_id
