"""An SLA breach never reassigns what the policy was not written for: with the policy now
routing Contacts only, a breached Lead keeps its owner, its manager is told, and the clock's
note says why (issue 15)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from test_sla_check import T0, Acme, acme, by_record

from routing.policy import NOTIFY
from tests.conftest import ACME_POLICY
from tests.integration.sla_support import cell
from worker.jobs.sla import check_slas

__all__ = ["acme"]
PRIYA = "priya.raman@acme-analytics.example"


def contacts_policy(folder: Path) -> Path:
    """Acme's policy moved to Contacts (queues cannot own them: the SDR manager stands in)."""
    text = ACME_POLICY.read_text(encoding="utf-8").replace("objects: [Lead]", "objects: [Contact]")
    for queue in ("Junk Queue", "Nurture Queue"):
        text = text.replace(f"assign: {{queue: {queue}}}", f"assign: {{user: {PRIYA}}}")
    path = folder / "contacts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_breach_on_an_object_the_policy_does_not_route_only_notifies(
    acme: Acme, tmp_path: Path
) -> None:
    clock = acme.clock(lambda c: c.target == "tier 1" and c.pool == "enterprise EMEA")
    report = check_slas(acme.run(contacts_policy(tmp_path)), T0 + timedelta(minutes=6))

    escalation = by_record(report)[clock.record_id]
    assert (escalation.action, escalation.to_owner_id) == (NOTIFY, clock.owner_id)
    assert "not reassigned: the policy routes Contact, not Lead" in escalation.why
    assert cell(acme.leads, clock.record_id, "OwnerId") == clock.owner_id
    [row] = acme.rows(clock.record_id)
    assert row["outcome"] == "breached" and "not reassigned" in str(row["note"])
