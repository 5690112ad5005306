"""The one rule every writer asks: may this policy write this owner onto this object?"""

from __future__ import annotations

import pytest

from routing.model import CrmProfile, CrmSnapshot, OwnerChange, Queue, Rep
from routing.ownership import OwnerRule
from routing.policy import NOTIFY, REASSIGN
from routing.sla import Escalation

QUEUE, REP = "00G1", "0051"
SALESFORCE = CrmSnapshot(
    users={REP: Rep(REP, "Ann")},
    queues={QUEUE: Queue(QUEUE, "Junk Queue")},
    profile=CrmProfile("Salesforce"),
)
HUBSPOT = CrmSnapshot(
    users={REP: Rep(REP, "Ann")},
    queues={QUEUE: Queue(QUEUE, "Junk Queue")},
    profile=CrmProfile("HubSpot", queue_objects=None),
)

# (CRM, objects the policy routes, object written, owner, refused with — None: allowed)
CASES = [
    (SALESFORCE, ("Lead",), "Lead", QUEUE, None),
    (SALESFORCE, ("Lead",), "Lead", REP, None),
    (SALESFORCE, ("Lead",), "Account", REP, "the policy routes Lead, not Account"),
    (SALESFORCE, ("Lead",), "Contact", REP, "the policy routes Lead, not Contact"),
    (SALESFORCE, ("Account",), "Account", QUEUE, "Salesforce does not let a queue own an Account"),
    (SALESFORCE, ("Account",), "Account", REP, None),
    (SALESFORCE, ("Contact",), "Contact", QUEUE, "Salesforce does not let a queue own a Contact"),
    (HUBSPOT, ("Contact",), "Contact", QUEUE, None),
    (HUBSPOT, ("Lead",), "Contact", REP, "the policy routes Lead, not Contact"),
]  # fmt: skip


@pytest.mark.parametrize(("snapshot", "routed", "object", "owner", "refused"), CASES)
def test_who_may_own_what(
    snapshot: CrmSnapshot, routed: tuple[str, ...], object: str, owner: str, refused: str | None
) -> None:
    why = OwnerRule.of(routed, snapshot).refusal(object, owner)
    assert (why is None) == (refused is None), why
    assert refused is None or (why is not None and refused in why)


def test_split_keeps_the_writable_and_says_why_of_the_rest() -> None:
    changes = [OwnerChange("L1", "Lead", QUEUE), OwnerChange("A1", "Account", REP)]
    allowed, refused = OwnerRule.of(("Lead",), SALESFORCE).split(changes)
    assert allowed == changes[:1]
    assert [(c.record_id, "not Account" in why) for c, why in refused] == [("A1", True)]


def test_a_breach_the_policy_may_not_reassign_only_notifies() -> None:
    moves = Escalation("C1", "Contact", REASSIGN, REP, "0052", 1, ("0059",), "breached")
    stays = Escalation("L1", "Lead", REASSIGN, REP, "0052", 1, ("0059",), "breached")
    [(_, kept), (_, moved)] = OwnerRule.of(("Lead",), SALESFORCE).escalations(
        [("c1", moves), ("l1", stays)]
    )
    assert (kept.action, kept.to_owner_id, kept.changes_owner) == (NOTIFY, REP, False)
    assert "not reassigned: the policy routes Lead, not Contact" in kept.why
    assert kept.notify_ids == ("0059",)
    assert moved == stays
