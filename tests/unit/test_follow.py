"""What follows an account to its new owner, as the policy says."""

from __future__ import annotations

from dataclasses import replace

from routing.model import Account, Contact, CrmSnapshot, Lead, Opportunity, Rep
from routing.policy import AccountChange, RoutingPolicy
from routing.replay import Move, followers

USERS = {u: Rep(u, n) for u, n in (("U1", "Ana"), ("U2", "Ben"), ("U3", "Cleo"))}
SNAPSHOT = CrmSnapshot(
    USERS,
    {},
    {"A1": Account("A1", "Acme", owner_id="U1"), "A2": Account("A2", "Other", owner_id="U1")},
    (
        Contact("C1", "A1", owner_id="U1"),
        Contact("C2", "A1", owner_id="U3"),
        Contact("C3", "A2", owner_id="U1"),
    ),  # fmt: skip
    (),
    (Lead("L1", owner_id="U1"), Lead("L2", owner_id="U3"), Lead("L3", owner_id="U1")),
)
MOVED = [Move("A1", "Account", "U1", "U2", "Territory changed.")]
POLICY = RoutingPolicy("p", (), "U1", account_change=AccountChange(("contacts", "leads")))


def _account_of(lead: Lead) -> str | None:
    return {"L1": "A1", "L2": "A1", "L3": "A2"}[lead.id]


def test_the_previous_owners_contacts_and_leads_of_the_account_follow() -> None:
    moves = followers(SNAPSHOT, POLICY, MOVED, _account_of)

    assert [(m.record_id, m.object, m.from_owner_id, m.to_owner_id) for m in moves] == [
        ("C1", "Contact", "U1", "U2"),
        ("L1", "Lead", "U1", "U2"),
    ]
    assert moves[0].reason == "Follows its account Acme from Ana to Ben."


def test_everything_of_the_account_follows_when_the_policy_says_so() -> None:
    policy = replace(POLICY, account_change=AccountChange(("contacts",), False))

    moves = followers(SNAPSHOT, policy, MOVED, _account_of)

    assert [m.record_id for m in moves] == ["C1", "C2"]  # leads were not asked for


def test_without_the_section_an_account_moves_alone() -> None:
    assert followers(SNAPSHOT, replace(POLICY, account_change=None), MOVED, _account_of) == []


def test_the_accounts_open_opportunities_follow_and_closed_ones_stay() -> None:
    opportunities = (
        Opportunity("O1", "A1", owner_id="U1"),
        Opportunity("O2", "A1", owner_id="U1", is_closed=True, is_won=True),
        Opportunity("O3", "A1", owner_id="U3"),
        Opportunity("O4", "A2", owner_id="U1"),
    )
    snapshot = replace(SNAPSHOT, opportunities=opportunities)
    policy = replace(POLICY, account_change=AccountChange(("opportunities",)))

    moves = followers(snapshot, policy, MOVED, _account_of)

    assert [(m.record_id, m.object, m.to_owner_id) for m in moves] == [
        ("O1", "Opportunity", "U2")
    ]  # O2 is history, O3 someone else works, O4 is another account's
    assert moves[0].reason == "Follows its account Acme from Ana to Ben."
