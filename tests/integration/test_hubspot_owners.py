"""HubSpot owners on a budget: a `User` poll re-reads the owners (three calls: active,
archived, the users' availability) only once the last read is `owners_seconds` old, so an idle
poll costs nothing for users and an owner change still reaches routing within that bound."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hubspot_server import TOKEN, HubSpotState, hubspot_server

from connectors._retry import RetryPolicy
from connectors.base import Window
from connectors.hubspot.connector import HubSpotConnector
from routing.model import Rep

T0 = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
POLL = timedelta(seconds=10)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server() -> Iterator[tuple[str, HubSpotState]]:
    state = HubSpotState()
    state.add_owner("101", "ann@acme.example", user_id=9001)
    state.add_owner("102", "bob@acme.example", user_id=9002)
    state.add("users", "1", hs_internal_user_id="9001", hs_availability_status="available")
    with hubspot_server(state) as running:
        yield running


@pytest.fixture
def hs(server: tuple[str, HubSpotState], clock: Clock) -> HubSpotConnector:
    env = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": server[0],
           "HUBSPOT_OWNERS_SECONDS": "300"}  # fmt: skip
    return HubSpotConnector.from_env(env, policy=RetryPolicy(sleep=lambda _: None, clock=clock))


def poll(hs: HubSpotConnector, clock: Clock) -> tuple[dict[str, Rep], int]:
    """One `User` poll at the clock's time over the last poll interval: reps and calls."""
    before = hs.api_calls
    pages = list(hs.changes("User", Window(clock.now - POLL, clock.now)))
    assert pages[-1].watermark == clock.now
    reps = {r.id: r for p in pages for r in p.records if isinstance(r, Rep)}
    return reps, hs.api_calls - before


def test_owners_are_read_by_the_first_poll_then_once_per_owners_interval(
    hs: HubSpotConnector, server: tuple[str, HubSpotState], clock: Clock
) -> None:
    reps, calls = poll(hs, clock)
    assert set(reps) == {"101", "102"} and calls == 3

    for _ in range(29):  # the next 290 s of 10 s polls: nothing read for users
        clock.now += POLL
        assert poll(hs, clock) == ({}, 0)

    server[1].owners[1]["archived"] = True  # bob leaves at 290 s
    clock.now += POLL  # 300 s after the read: owners are re-read, bob's change arrives
    reps, calls = poll(hs, clock)
    assert calls == 3
    assert not reps["102"].is_active and reps["101"].is_active


def test_a_snapshot_counts_as_the_owners_read(hs: HubSpotConnector, clock: Clock) -> None:
    hs.snapshot()
    clock.now += POLL
    assert poll(hs, clock) == ({}, 0)


def test_a_window_reaching_back_past_the_last_read_reads_the_owners(
    hs: HubSpotConnector, clock: Clock
) -> None:
    poll(hs, clock)
    clock.now += POLL
    before = hs.api_calls
    down = Window(clock.now - timedelta(hours=1), clock.now)  # a worker that was down an hour
    reps = [r for p in hs.changes("User", down) for r in p.records]
    assert len(reps) == 2 and hs.api_calls - before == 3
    everything = Window(None, clock.now)  # an initial load
    assert len([r for p in hs.changes("User", everything) for r in p.records]) == 2


def test_owners_seconds_comes_from_the_environment() -> None:
    env = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_OWNERS_SECONDS": "60"}
    assert HubSpotConnector.from_env(env).settings.owners_seconds == 60.0
    assert HubSpotConnector.from_env({"HUBSPOT_ACCESS_TOKEN": TOKEN}).settings.owners_seconds == 300


def test_a_policy_reading_time_zones_gets_them_from_the_users_in_the_same_read(
    hs: HubSpotConnector, server: tuple[str, HubSpotState], clock: Clock
) -> None:
    server[1].objects["users"]["1"]["hs_standard_time_zone"] = "Europe/Berlin"
    hs.need_fields({"User": frozenset({"TimeZoneSidKey"})})

    reps, calls = poll(hs, clock)

    assert calls == 3  # the users' availability read brings the time zone along
    assert reps["101"].fields["TimeZoneSidKey"] == "Europe/Berlin"
    assert reps["102"].fields["TimeZoneSidKey"] is None  # no user record: no zone, unavailable
    assert hs.unreadable_fields({"User": frozenset({"TimeZoneSidKey"})}) == []


def test_a_policy_reading_working_hours_gets_them_from_the_users_in_the_same_read(
    hs: HubSpotConnector, server: tuple[str, HubSpotState], clock: Clock
) -> None:
    hours = '[{"days":"MONDAY_TO_FRIDAY","startMinute":540,"endMinute":1020}]'
    server[1].objects["users"]["1"].update(hs_standard_time_zone="Europe/Berlin",
                                           hs_working_hours=hours)  # fmt: skip
    needs = {"User": frozenset({"TimeZoneSidKey", "hs_working_hours"})}
    hs.need_fields(needs)

    reps, calls = poll(hs, clock)

    assert calls == 3
    assert reps["101"].fields["hs_working_hours"] == hours
    assert reps["101"].fields["TimeZoneSidKey"] == "Europe/Berlin"
    assert hs.unreadable_fields(needs) == []


def test_a_time_zone_field_hubspot_does_not_have_is_refused_with_the_fix(
    hs: HubSpotConnector,
) -> None:
    (refused,) = hs.unreadable_fields({"User": frozenset({"Time_Zone__c"})})

    assert (refused.object, refused.field) == ("User", "Time_Zone__c")
    assert (
        "the time zone from the users' hs_standard_time_zone as TimeZoneSidKey" in refused.problem
    )


def test_the_fix_for_a_refused_user_field_names_both_ways_out(hs: HubSpotConnector) -> None:
    (refused,) = hs.unreadable_fields({"User": frozenset({"TimeZone"})})

    assert "time_zone_field: TimeZoneSidKey" in refused.fix
