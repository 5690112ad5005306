"""Events routed by the worker's `route_records` against the local HubSpot server, with real
Redis and real SQL: the record is re-read as HubSpot has it now, so a contact created after the
worker's last full read is routed by its event, and an event that only echoes LeadRelay's own
owner write (or a second delivery of one) routes nothing and records no second decision."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hubspot_server import TOKEN, HubSpotState, hubspot_server

from connectors.hubspot.connector import HubSpotConnector
from tests.integration.context_support import crm_context
from worker.jobs.context import CrmContext
from worker.jobs.loop import redrive, route_records

ROUTER, REPS, TRIAGE = "100", ("101", "102"), "103"
POLICY: dict[str, Any] = {
    "name": "hubspot inbound",
    "objects": ["Contact"],
    "routable": {"owners": [{"user": "router@acme.example"}]},
    "fallback": {"user": "ann@acme.example"},
    "pools": [{"name": "reps", "members": ["ann@acme.example", "bob@acme.example"]}],
    "rules": [{"name": "round-robin", "assign": {"pool": "reps"}}],
}


def portal() -> HubSpotState:
    state = HubSpotState()
    state.add_owner(ROUTER, "router@acme.example", user_id=9000)
    state.add_owner("101", "ann@acme.example", user_id=9001)
    state.add_owner("102", "bob@acme.example", user_id=9002)
    state.add_owner(TRIAGE, "triage@acme.example", user_id=9003)
    return state


def add_contact(
    state: HubSpotState, n: int, owner: str = ROUTER, domain: str = "globex.com"
) -> str:
    contact = str(500 + n)
    state.add("contacts", contact, email=f"p{n}@{domain}", hubspot_owner_id=owner)
    return contact


def owner_of(state: HubSpotState, contact: str) -> str:
    return str(state.objects["contacts"][contact]["hubspot_owner_id"])


@pytest.fixture
def hubspot() -> Iterator[tuple[str, HubSpotState]]:
    with hubspot_server(portal()) as running:
        yield running


@pytest.fixture
def policy() -> dict[str, Any]:
    return POLICY


@pytest.fixture
def context(
    hubspot: tuple[str, HubSpotState],
    policy: dict[str, Any],
    tmp_path: Path,
    redis_url: str,
    redis_namespace: str,
    database_url: str,
) -> Iterator[CrmContext]:
    connector = HubSpotConnector.from_env(
        {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": hubspot[0]}
    )
    with crm_context("hubspot:", connector, policy, tmp_path, redis_url, redis_namespace,
                     database_url) as context:  # fmt: skip
        yield context


def decisions(context: CrmContext, record_id: str) -> int:
    return len(context.store.decisions_for(record_id, context.key))


def test_a_contact_created_after_the_last_full_read_is_routed_by_its_event(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    state = hubspot[1]
    first = add_contact(state, 1)
    assert route_records(context, "event-1", [first]).routed == 1  # the worker's full read
    later = add_contact(state, 2)  # created after it
    outcome = route_records(context, "event-2", [later])
    assert outcome.routed == outcome.written == 1
    assert owner_of(state, later) in REPS


def test_echoes_of_our_own_owner_writes_route_nothing(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    state = hubspot[1]
    contacts = [add_contact(state, n) for n in range(8)]
    assert route_records(context, "creations", contacts).routed == 8
    owners = {c: owner_of(state, c) for c in contacts}
    assert set(owners.values()) <= set(REPS)
    # the app is subscribed to hubspot_owner_id changes: each write comes back as an event
    for n, contact in enumerate(contacts):
        assert route_records(context, f"echo-{n}", [contact]).routed == 0
    assert {c: owner_of(state, c) for c in contacts} == owners
    assert all(decisions(context, c) == 1 for c in contacts)


def test_a_duplicate_delivery_routes_once(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    state = hubspot[1]
    contact = add_contact(state, 1)
    assert route_records(context, "delivery-1", [contact, contact]).routed == 1
    owner = owner_of(state, contact)
    assert route_records(context, "delivery-2", [contact]).routed == 0  # the CRM redelivered
    assert owner_of(state, contact) == owner and decisions(context, contact) == 1


def test_concurrent_deliveries_of_one_record_route_it_once(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    contact = add_contact(hubspot[1], 1)
    route_records(context, "warm-up", [])  # one session, as a worker process has
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(
            pool.map(lambda n: route_records(context, f"delivery-{n}", [contact]), range(4))
        )
    assert sum(o.routed for o in outcomes) == 1
    assert decisions(context, contact) == 1


def test_a_contact_a_person_hands_back_to_the_routing_owner_is_routed_again(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    state = hubspot[1]
    contact = add_contact(state, 1)
    assert route_records(context, "creation", [contact]).routed == 1
    first = owner_of(state, contact)
    state.objects["contacts"][contact]["hubspot_owner_id"] = ROUTER  # back to the queue
    outcome = route_records(context, "hand-back", [contact])
    assert outcome.routed == outcome.written == 1
    assert owner_of(state, contact) in REPS and owner_of(state, contact) != first  # rotation
    assert decisions(context, contact) == 2


TRIAGE_POLICY: dict[str, Any] = {
    **POLICY,
    "routable": {"owners": [{"user": "router@acme.example"}, {"user": "triage@acme.example"}]},
    "rules": [
        {
            "name": "triage",
            "when": {"fact": "lead.Email", "contains": "@triage.example"},
            "assign": {"user": "triage@acme.example"},
        },
        *POLICY["rules"],
    ],
}


@pytest.mark.parametrize("policy", [TRIAGE_POLICY])
def test_our_write_to_a_routing_owner_is_told_from_a_hand_back_by_the_store(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    """The triage owner is itself a routing owner: the contact stays routable after our write,
    so only the store can say that the event echoes it."""
    state = hubspot[1]
    contact = add_contact(state, 1, domain="triage.example")
    assert route_records(context, "creation", [contact]).routed == 1
    assert owner_of(state, contact) == TRIAGE
    assert route_records(context, "echo", [contact]).routed == 0
    assert decisions(context, contact) == 1
    state.objects["contacts"][contact]["hubspot_owner_id"] = ROUTER  # a person hands it back
    assert route_records(context, "hand-back", [contact]).routed == 1
    assert decisions(context, contact) == 2


def test_an_event_for_a_deleted_contact_routes_nothing_and_says_so(
    context: CrmContext, hubspot: tuple[str, HubSpotState], capsys: pytest.CaptureFixture[str]
) -> None:
    add_contact(hubspot[1], 1)
    outcome = route_records(context, "ghost", ["999"])
    assert outcome.routed == 0
    logged = capsys.readouterr()  # stdout or stderr, as the process's logging was set up
    assert "does not have (deleted, merged or converted)" in logged.out + logged.err


def test_an_event_reads_its_records_by_id_and_never_waits_for_a_full_read(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    state = hubspot[1]
    assert route_records(context, "first", [add_contact(state, 1)]).routed == 1  # the build
    context.settings.sweep_seconds = 1e-9  # a full read would be due for a poll
    state.calls.clear()
    assert route_records(context, "second", [add_contact(state, 2)]).routed == 1
    assert state.calls_to("/search") == []  # no full read, no search (it lags)
    assert len(state.calls_to("/contacts/batch/read")) == 1


AWAY_POLICY: dict[str, Any] = {**POLICY, "availability": {"away_fields": ["Out_Of_Office__c"]}}


@pytest.mark.parametrize("policy", [AWAY_POLICY])
def test_a_rep_who_went_away_is_skipped_by_the_next_event_without_a_full_read(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    state = hubspot[1]
    assert route_records(context, "first", [add_contact(state, 1)]).routed == 1  # the build
    state.add("users", "1", hs_internal_user_id="9001", hs_availability_status="away")  # Ann
    context.settings.poll_seconds = 1e-9  # the feed of users, deals, companies is due
    connector = context.connector
    assert isinstance(connector, HubSpotConnector)  # and its owners past HUBSPOT_OWNERS_SECONDS
    connector.settings = dataclasses.replace(connector.settings, owners_seconds=0)
    state.calls.clear()
    later = [add_contact(state, n) for n in (2, 3)]
    assert route_records(context, "later", later).routed == 2
    assert {owner_of(state, c) for c in later} == {"102"}  # Bob, while Ann is away
    assert state.calls_to("/crm/v3/owners")  # users were read again ...
    assert not [c for c in state.calls_to("/contacts/search")]  # ... but not every contact


def test_a_retry_reads_only_the_dead_lettered_records_and_keeps_a_person_s_owner(
    context: CrmContext, hubspot: tuple[str, HubSpotState]
) -> None:
    state = hubspot[1]
    state.valid_owner_ids -= set(REPS)  # HubSpot refuses the owner: the write is dead-lettered
    contact = add_contact(state, 1)
    assert route_records(context, "creation", [contact]).dead_lettered == 1
    state.valid_owner_ids |= set(REPS)
    state.objects["contacts"][contact]["hubspot_owner_id"] = TRIAGE  # a person chose
    state.calls.clear()
    assert redrive(context) == {"resolved": 0, "failed": 0, "skipped": 1, "stopped": None}
    assert owner_of(state, contact) == TRIAGE
    assert state.calls_to("/search") == []  # the letters' records by id, not the whole CRM
