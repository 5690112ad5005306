"""The HubSpot connector against a real local HTTP server serving HubSpot's reply shapes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hubspot_server import DROP, TOKEN, HubSpotState, hubspot_server, rate_limited

from config.policy import compile_policy
from config.schema import PolicyFile
from connectors._retry import RetryPolicy
from connectors.base import (
    AuthError,
    ConfigError,
    FatalError,
    QuotaExhausted,
    QuotaExhaustedDuringWrite,
    RetryableError,
    Window,
)
from connectors.hubspot.connector import HubSpotConnector
from routing.model import Lead, OwnerChange
from routing.policy import ToOwnerOf

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def populated(state: HubSpotState) -> HubSpotState:
    state.add_owner("101", "ann@acme.example", user_id=9001)
    state.add_owner("102", "bob@acme.example", user_id=9002)
    state.add_owner("103", "cy@acme.example", archived=True)
    state.add("users", "1", hs_internal_user_id="9001", hs_availability_status="away")
    state.add("users", "2", hs_internal_user_id="9002", hs_availability_status="available")
    state.add("companies", "11", name="Globex", domain="globex.com", numberofemployees="1200")
    state.add("companies", "12", name="Globex Holdings", domain="globexholdings.com")
    state.associate("companies", "11", "companies", "12", 14)
    state.associate("companies", "12", "companies", "11", 13)
    for n in range(1, 6):
        state.add("contacts", str(20 + n), email=f"p{n}@globex.com", company="Globex",
                  country="United States", hubspot_owner_id="101", tech_stack="Snowflake",
                  lastmodifieddate=iso(T0 + timedelta(minutes=n)))  # fmt: skip
    state.associate("contacts", "21", "companies", "12", 279)
    state.associate("contacts", "21", "companies", "11", 1)
    state.add("deals", "31", dealname="Globex - Platform", amount="250000.00",
              hs_is_closed="false", hs_is_closed_won="false", hubspot_owner_id="102")  # fmt: skip
    state.associate("deals", "31", "companies", "11", 5)
    return state


@pytest.fixture
def server() -> Iterator[tuple[str, HubSpotState]]:
    with hubspot_server(populated(HubSpotState())) as running:
        yield running


@pytest.fixture
def state(server: tuple[str, HubSpotState]) -> HubSpotState:
    return server[1]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def hs(server: tuple[str, HubSpotState], sleeps: list[float]) -> HubSpotConnector:
    env = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": server[0],
           "HUBSPOT_CONTACT_FIELDS": "Tech_Stack__c=tech_stack"}  # fmt: skip
    return HubSpotConnector.from_env(
        env, policy=RetryPolicy(sleep=sleeps.append, clock=lambda: NOW)
    )


# -- reading ---------------------------------------------------------------------------------


def test_snapshot_maps_owners_companies_contacts_and_deals(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    snapshot = hs.snapshot()

    ann, bob, cy = (snapshot.users[i] for i in ("101", "102", "103"))
    assert ann.fields["Out_Of_Office__c"] is True and bob.fields["Out_Of_Office__c"] is False
    assert cy.is_active is False and ann.is_active is True
    assert snapshot.accounts["11"].parent_id == "12" and snapshot.accounts["12"].parent_id is None
    assert snapshot.accounts["11"].employees == 1200
    lead = snapshot.leads[0]
    assert isinstance(lead, Lead) and lead.object == "Contact"
    assert (lead.email, lead.company, lead.country, lead.owner_id) == (
        "p1@globex.com", "Globex", "United States", "101")  # fmt: skip
    assert lead.fields["Tech_Stack__c"] == "Snowflake" and lead.fields["AccountId"] == "11"
    assert [c.account_id for c in snapshot.contacts] == ["11"]  # the primary company wins
    deal = snapshot.opportunities[0]
    assert (deal.account_id, deal.amount, deal.is_closed) == ("11", 250000.0, False)


def test_search_pages_by_object_id_past_the_10000_cap(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    for n in range(1000, 1450):
        state.add("contacts", str(n), email=f"bulk{n}@example.com")
    state.search_cap = 400  # the same wall as 10,000, closer

    leads = hs.snapshot().leads

    assert len(leads) == 455 and len({lead.id for lead in leads}) == 455
    searches = [c.body for c in state.calls_to("/contacts/search")]
    assert len(searches) == 3 and all("after" not in body for body in searches)
    last_filter = searches[-1]["filterGroups"][0]["filters"][-1]
    assert last_filter == {"propertyName": "hs_object_id", "operator": "GT", "value": "1394"}


def test_a_window_filters_on_lastmodifieddate_and_ends_at_its_end(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    window = Window.following(T0 + timedelta(minutes=3), now=NOW, lookback=timedelta(minutes=1))

    pages = list(hs.changes("Lead", window))

    assert [r.id for p in pages for r in p.records] == ["22", "23", "24", "25"]  # overlap: 22
    assert [p.watermark for p in pages] == [None, NOW]
    filters = state.calls_to("/contacts/search")[0].body["filterGroups"][0]["filters"]
    since = int((T0 + timedelta(minutes=2)).timestamp() * 1000)
    assert filters[:2] == [
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(since)},
        {
            "propertyName": "lastmodifieddate",
            "operator": "LT",
            "value": str(int(NOW.timestamp() * 1000)),
        },
    ]


def test_a_quiet_poll_costs_one_call_per_object(hs: HubSpotConnector, state: HubSpotState) -> None:
    window = Window(NOW - timedelta(minutes=5), NOW)
    pages = [p for o in ("Lead", "Account", "Opportunity") for p in hs.changes(o, window)]

    assert all(p.records == () and p.watermark == NOW for p in pages)
    assert hs.api_calls == 4  # contacts and Leads objects (both routed as "Lead"), companies, deals


def test_a_portal_without_leads_is_asked_once_then_polls_contacts_only(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    state.leads_object = False
    window = Window(NOW - timedelta(minutes=5), NOW)

    for _ in range(3):
        assert [p.records for p in hs.changes("Lead", window)] == [()]

    assert len(state.calls_to("/leads/search")) == 1 and hs.api_calls == 4
    why, fix = hs.profile.unroutable["Lead"]
    assert "no Leads object" in why and "Unable to infer object type from: leads" in why
    assert fix == "HubSpot contacts are routed with `objects: [Contact]`"


def test_first_touches_read_in_batches_and_skip_deleted_contacts(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    state.objects["contacts"]["21"]["hs_sa_first_engagement_date"] = iso(T0 + timedelta(minutes=7))

    touches = hs.first_touches("Contact", ["21", "22", "999"])

    assert {t.record_id: t.touched_at for t in touches} == {
        "21": T0 + timedelta(minutes=7),
        "22": None,
    }


# -- writing ---------------------------------------------------------------------------------


def test_owners_are_written_in_batches_of_100(hs: HubSpotConnector, state: HubSpotState) -> None:
    for n in range(1000, 1250):
        state.add("contacts", str(n))

    results = hs.write_owners([OwnerChange(str(n), "Contact", "102") for n in range(1000, 1250)])

    assert all(r.ok for r in results)
    updates = state.calls_to("/contacts/batch/update")
    assert [len(c.body["inputs"]) for c in updates] == [100, 100, 50]
    assert state.objects["contacts"]["1249"]["hubspot_owner_id"] == "102"


def test_partial_failures_are_reported_per_record(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    changes = [
        OwnerChange("21", "Contact", "102"),
        OwnerChange("404404", "Contact", "102"),  # deleted
        OwnerChange("22", "Contact", "999"),  # not an owner: HubSpot rejects the whole batch
        OwnerChange("23", "Contact", "102"),
    ]

    results = hs.write_owners(changes)

    assert [r.ok for r in results] == [True, False, False, True]
    assert results[1].error and results[1].error.startswith("OBJECT_NOT_FOUND")
    assert results[2].error and "999 is not a valid owner id" in results[2].error
    assert not any(r.retryable for r in results)
    assert state.objects["contacts"]["23"]["hubspot_owner_id"] == "102"
    assert state.objects["contacts"]["22"]["hubspot_owner_id"] == "101"


# -- faults ----------------------------------------------------------------------------------


def test_429_with_and_without_retry_after_and_5xx_are_retried(
    hs: HubSpotConnector, state: HubSpotState, sleeps: list[float]
) -> None:
    state.fail_next(
        rate_limited("TEN_SECONDLY_ROLLING", retry_after="3"),
        rate_limited("SECONDLY"),
        (502, {"Content-Type": "text/html"}, b"<html>Bad Gateway</html>"),
        DROP,
    )

    assert len(hs.snapshot().users) == 3
    assert sleeps[0] == 3.0 and len(sleeps) == 4 and all(0 <= s <= 30 for s in sleeps)


def test_retries_stop_after_the_cap(hs: HubSpotConnector, state: HubSpotState) -> None:
    state.fail_next(*[(503, {}, b"")] * 5)

    with pytest.raises(RetryableError, match="HTTP 503"):
        hs.snapshot()
    assert len(state.calls) == 5


def test_the_daily_limit_stops_the_job_without_retrying(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    state.fail_next(rate_limited("DAILY"))

    with pytest.raises(QuotaExhausted) as stopped:
        hs.snapshot()
    assert stopped.value.resume_at == NOW + timedelta(hours=1)
    assert len(state.calls) == 1


def test_the_daily_limit_headers_stop_a_write_midway_keeping_its_results(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    for n in range(1000, 1300):
        state.add("contacts", str(n))
    state.daily_limit, state.daily_used = 1000, 498  # the 2nd update reports 500 used of 1000

    with pytest.raises(QuotaExhaustedDuringWrite) as stopped:
        hs.write_owners([OwnerChange(str(n), "Contact", "102") for n in range(1000, 1300)])

    assert len(stopped.value.results) == 200 and all(r.ok for r in stopped.value.results)
    assert len(state.calls_to("/batch/update")) == 2


def test_401_is_a_clear_auth_error_without_the_token(server: tuple[str, HubSpotState]) -> None:
    hs = HubSpotConnector("pat-eu1-wrong-token", base_url=server[0])

    with pytest.raises(AuthError, match="HUBSPOT_ACCESS_TOKEN") as failed:
        hs.snapshot()
    assert "pat-eu1-wrong-token" not in str(failed.value)
    assert "pat-eu1" not in repr(hs)


def test_malformed_json_is_a_clear_fatal_error(hs: HubSpotConnector, state: HubSpotState) -> None:
    state.fail_next((200, {"Content-Type": "application/json"}, b'{"results": [{"id": "1", "prop'))

    with pytest.raises(FatalError, match="not the documented JSON"):
        hs.snapshot()


def test_from_env_needs_a_token_and_reads_the_mapping() -> None:
    with pytest.raises(ConfigError, match="HUBSPOT_ACCESS_TOKEN"):
        HubSpotConnector.from_env({})
    with pytest.raises(ConfigError, match="HUBSPOT_CONTACT_FIELDS"):
        HubSpotConnector.from_env({"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_CONTACT_FIELDS": "oops"})
    env = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_CONTACT_FIELDS": "Status=lifecyclestage"}
    settings = HubSpotConnector.from_env(env).settings
    assert settings.contact_fields["Status"] == "lifecyclestage"
    assert settings.contact_fields["Email"] == "email"


# -- HubSpot's Leads object and queue owners ---------------------------------------------------


def with_leads(state: HubSpotState) -> HubSpotState:
    state.add("leads", "51", hs_lead_name="P1 Lead", hubspot_owner_id="101",
              hs_pipeline_stage="new-stage-id", hs_createdate=iso(T0),
              hs_lastmodifieddate=iso(T0 + timedelta(minutes=30)))  # fmt: skip
    state.associate("leads", "51", "contacts", "21", 578)  # its primary contact
    state.add("leads", "52", hs_lead_name="P2 Lead", hs_pipeline_stage="attempting-stage-id",
              hs_lastmodifieddate=iso(T0 + timedelta(minutes=1)))  # fmt: skip
    state.associate("leads", "52", "contacts", "22", 578)
    state.associate("leads", "52", "companies", "12", 610)
    return state


def test_leads_objects_are_routed_as_lead_with_their_contact_and_company(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    with_leads(state)

    snapshot = hs.snapshot()

    by_object = {(r.object, r.id): r for r in snapshot.leads}
    assert {key[0] for key in by_object} == {"Contact", "Lead"} and len(by_object) == 7
    first, second = by_object[("Lead", "51")], by_object[("Lead", "52")]
    assert (first.email, first.owner_id, first.status, first.created_date) == (
        "p1@globex.com", "101", "new-stage-id", T0)  # fmt: skip
    assert first.fields["Tech_Stack__c"] == "Snowflake" and first.fields["Name"] == "P1 Lead"
    assert first.fields["AccountId"] == "11"  # no company of its own: its contact's primary one
    assert second.fields["AccountId"] == "12" and second.owner_id is None
    assert second.fields["ContactId"] == "22"
    assert "Lead" not in snapshot.profile.unroutable


def test_lead_changes_bring_contacts_and_leads_objects(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    with_leads(state)
    window = Window(T0 + timedelta(minutes=4), NOW)

    records = [r for page in hs.changes("Lead", window) for r in page.records]

    assert [(r.object, r.id) for r in records] == [("Contact", "24"), ("Contact", "25"),
                                                   ("Lead", "51")]  # fmt: skip
    assert [r.id for p in hs.changes("Contact", window) for r in p.records] == ["24", "25"]


def test_leads_read_again_by_id_bring_leads_objects_with_their_contact(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    """What the worker re-reads before it writes: without the Leads objects, every one it
    was about to route looked deleted and was dropped from its session, routed by no one."""
    with_leads(state)

    records = hs.records("Lead", ["21", "52", "404"])

    assert [(r.object, r.id) for r in records] == [("Contact", "21"), ("Lead", "52")]
    lead = records[1]
    assert isinstance(lead, Lead) and lead.owner_id is None
    assert (lead.email, lead.fields["AccountId"]) == ("p2@globex.com", "12")


def test_leads_read_by_id_on_a_portal_without_leads_are_contacts_asked_once(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    state.leads_object = False

    first, again = hs.records("Lead", ["21", "52"]), hs.records("Lead", ["22"])

    assert [r.id for r in first] == ["21"] and [r.id for r in again] == ["22"]
    assert len(state.calls_to("/crm/v3/objects/leads/batch/read")) == 1


def test_an_owner_written_to_a_lead_goes_to_the_leads_object(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    with_leads(state)

    results = hs.write_owners(
        [OwnerChange("51", "Lead", "102"), OwnerChange("21", "Contact", "102")]
    )

    assert all(r.ok for r in results)
    assert state.objects["leads"]["51"]["hubspot_owner_id"] == "102"
    assert state.objects["contacts"]["21"]["hubspot_owner_id"] == "102"
    assert len(state.calls_to("/crm/v3/objects/leads/batch/update")) == 1


def test_first_touches_of_leads_read_the_leads_object(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    with_leads(state)

    touches = hs.first_touches("Lead", ["51", "52"])

    assert {t.record_id: (t.owner_id, t.status) for t in touches} == {
        "51": ("101", "new-stage-id"), "52": (None, "attempting-stage-id")}  # fmt: skip
    assert state.calls_to("/crm/v3/objects/leads/batch/read")


def test_a_portal_without_leads_reads_contacts_and_says_why(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    state.leads_object = False

    snapshot = hs.snapshot()

    assert {lead.object for lead in snapshot.leads} == {"Contact"} and len(snapshot.leads) == 5
    why, fix = snapshot.profile.unroutable["Lead"]
    assert why.startswith("this HubSpot portal has no Leads object") and "[Contact]" in fix


def test_owners_of_type_queue_are_queues_not_reps(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    state.add_owner("150", "", kind="QUEUE", first_name="Junk Queue", last_name="")

    snapshot = hs.snapshot()

    assert {q.id: q.name for q in snapshot.queues.values()} == {"150": "Junk Queue"}
    assert "150" not in snapshot.users and snapshot.profile.name == "HubSpot"


def test_a_policy_team_can_be_the_owners_of_hubspot_teams(
    hs: HubSpotConnector, state: HubSpotState
) -> None:
    state.add_owner("104", "dee@acme.example", teams=("Account Executives", "EMEA"))
    state.add_owner("105", "eve@acme.example", teams=("EMEA",))
    spec = PolicyFile.model_validate({
        "name": "teams", "objects": ["Contact"],
        "routable": {"owners": [{"user": "ann@acme.example"}]},
        "fallback": {"user": "ann@acme.example"},
        "teams": {"aes": {"users": ["bob@acme.example"],
                          "hubspot_teams": ["account executives"]}},
        "rules": [{"name": "named", "assign": {"owner_of": "account", "owner": {"team": "aes"}}}],
    })  # fmt: skip

    snapshot = hs.snapshot()
    policy = compile_policy(spec, snapshot)

    assert snapshot.users["104"].fields["Teams"] == "Account Executives;EMEA"
    target = policy.rules[0].target
    assert isinstance(target, ToOwnerOf) and target.accepts.team == frozenset({"102", "104"})
