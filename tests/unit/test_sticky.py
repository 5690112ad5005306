"""Sticky owners: a returning person goes back to the rep who had them, within the window and
only if that rep can take the lead now; otherwise the rules route it and the trace says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console

from config.policy import compile_policy
from config.schema import PolicyFile
from routing.engine import MemoryState, Router
from routing.model import Account, Contact, CrmSnapshot, Lead, Match, Queue, Rep
from routing.world import World
from worker.reports import render

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Berlin
USERS = {
    "U1": Rep("U1", "Ana", "ana@x.example", fields={"TimeZoneSidKey": "Europe/Berlin"}),
    "U2": Rep("U2", "Ben", "ben@x.example", fields={"TimeZoneSidKey": "Europe/Berlin"}),
    "U3": Rep("U3", "Cleo", "cleo@x.example", fields={"TimeZoneSidKey": "Asia/Tokyo"}),
    "U4": Rep("U4", "Dan", "dan@x.example", is_active=False),
    "U9": Rep("U9", "Fallback", "fb@x.example"),
}
ACCOUNTS = {"A1": Account("A1", "Acme", website="acme.example")}


def _earlier(lead_id: str, email: str, owner: str, days_ago: float) -> Lead:
    when = NOW - timedelta(days=days_ago)
    return Lead(lead_id, email=email, owner_id=owner, created_date=when, status="Working")


def _router(
    earlier: list[Lead], contacts: tuple[Contact, ...] = (), **sticky: Any
) -> tuple[Router, CrmSnapshot]:
    snapshot = CrmSnapshot(
        USERS, {"Q1": Queue("Q1", "Inbound")}, ACCOUNTS, contacts, (), tuple(earlier)
    )
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"user": "fb@x.example"},
            "availability": {
                "working_hours": [
                    {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": "09:00-17:00"}
                ]
            },  # fmt: skip
            "sticky": sticky,
            "pools": [
                {
                    "name": "sdr",
                    "members": ["ben@x.example"],
                    "caps": [{"per": "day", "max": 1}],
                    "time_zone": "Europe/Berlin",
                }
            ],  # fmt: skip
            "rules": [{"name": "sdr", "assign": {"pool": "sdr"}}],
        }
    )
    return Router(compile_policy(spec, snapshot), World(snapshot), MemoryState()), snapshot


def _new(email: str, n: int = 0) -> Lead:
    return Lead(f"N{n}", email=email, owner_id="Q1", created_date=NOW + timedelta(seconds=n))


def test_a_returning_person_goes_back_to_their_rep_and_the_reason_says_so() -> None:
    router, _ = _router([_earlier("L1", "pat@acme.example", "U1", days_ago=30)])

    decision = router.route(_new("Pat@Acme.example"))

    assert (decision.owner_id, decision.rule, decision.pool) == ("U1", "sticky", None)
    assert "Returning person: back to Ana, owner of an earlier lead with the same email" in (
        decision.reason
    )
    assert decision.trace["sticky"]["record_id"] == "L1"


def test_outside_the_window_the_rules_route_it() -> None:
    router, _ = _router([_earlier("L1", "pat@acme.example", "U1", days_ago=40)], window_days=30)

    decision = router.route(_new("pat@acme.example"))

    assert (decision.owner_id, decision.rule) == ("U2", "sdr")
    assert "sticky" not in decision.trace


def test_an_owner_who_cannot_take_it_now_is_passed_over_with_the_reason() -> None:
    earlier = [
        _earlier("L1", "off@acme.example", "U3", days_ago=1),  # Tokyo: 19:00, off shift
        _earlier("L2", "gone@acme.example", "U4", days_ago=1),
    ]
    router, _ = _router(earlier)

    off, gone = router.route(_new("off@acme.example")), router.route(_new("gone@acme.example", 1))

    assert off.rule == "sdr" and off.owner_id == "U2"
    assert off.trace["sticky"]["stuck"] is False
    assert "Cleo, owner of an earlier lead with the same email (L1" in off.trace["sticky"]["why"]
    assert "is off shift" in off.trace["sticky"]["why"]
    assert "is inactive" in gone.trace["sticky"]["why"]


def test_an_owner_at_a_cap_over_time_is_passed_over() -> None:
    earlier = [_earlier("L1", "a@acme.example", "U2", days_ago=2)]
    router, _ = _router(earlier)
    router.route(_new("someone@else.example"))  # Ben takes his one lead of the day

    decision = router.route(_new("a@acme.example", 1))

    assert decision.rule == "fallback"
    assert (
        "is at daily cap 1/1 (resets 00:00 Europe/Berlin) in pool 'sdr'"
        in (decision.trace["sticky"]["why"])
    )


def test_the_contact_and_the_company_count_when_the_policy_says_so() -> None:
    contact = Contact("C1", "A1", "kim@acme.example", "U1")
    earlier = [_earlier("L1", "lee@acme.example", "U1", days_ago=3)]
    router, _ = _router(earlier, (contact,))

    by_contact = router.route(_new("kim@acme.example"))
    colleague = router.route(Lead("N2", email="max@acme.example", owner_id="Q1",
                                  created_date=NOW), Match("N2", "A1", "domain", 1.0))  # fmt: skip
    unmatched = router.route(_new("max@acme.example", 3))

    assert (by_contact.owner_id, by_contact.trace["sticky"]["via"]) == ("U1", "contact")
    assert (colleague.owner_id, colleague.trace["sticky"]["via"]) == ("U1", "account")
    assert unmatched.rule != "sticky"  # no account matched: a shared domain alone is not enough


def test_a_free_mail_domain_is_not_a_company() -> None:
    earlier = [_earlier("L1", "someone@gmail.com", "U1", days_ago=3)]
    router, _ = _router(earlier, by=["account"])

    decision = router.route(
        Lead("N1", email="other@gmail.com", owner_id="Q1", created_date=NOW),
        Match("N1", "A1", "domain", 1.0),
    )

    assert decision.rule != "sticky"


def test_explain_shows_why_it_did_or_did_not_stick() -> None:
    router, snapshot = _router([_earlier("L1", "off@acme.example", "U3", days_ago=1)])
    decision = router.route(_new("off@acme.example"))
    console = Console(record=True, width=200)

    render.explain(console, decision, router.world, routable=True)

    text = console.export_text()
    assert "Sticky owner ✗ not back to Cleo, owner of an earlier lead" in text


def test_the_live_worker_finds_an_earlier_lead_that_arrived_after_it_started() -> None:
    from routing.engine import LiveCrm

    router, snapshot = _router([])
    live = LiveCrm(snapshot, router.policy)
    live.apply([_earlier("L1", "pat@acme.example", "U1", days_ago=1)])  # read from the feed

    held_now = Router(router.policy, live.world, MemoryState(), earlier=live.snapshot())

    assert held_now.route(_new("pat@acme.example")).owner_id == "U1"
