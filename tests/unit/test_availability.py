"""Availability as people live it: shifts in each rep's own time zone, out of office, holidays
from the SLA calendars, the on/off switch; unreadable data makes a rep unavailable, never
always on; a pool with nobody on shift overflows or waits for the first rep back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from config.policy import compile_policy, policy_warnings
from config.schema import PolicyFile
from routing.engine import MemoryState, Router
from routing.model import CrmSnapshot, Decision, Lead, Queue, Rep
from routing.world import World

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
# Monday 2 November 2026, 15:00 UTC: 16:00 in Berlin, 10:00 in New York
MONDAY_15_UTC = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def rep(user_id: str, name: str, zone: str | None, **fields: Any) -> Rep:
    return Rep(
        user_id, name, f"{name.lower()}@x.example", fields={"TimeZoneSidKey": zone, **fields}
    )


def router(users: list[Rep], availability: dict[str, Any], **pool: Any) -> Router:
    snapshot = CrmSnapshot(
        users={u.id: u for u in [*users, Rep("U9", "Fallback", "fb@x.example")]},
        queues={"Q1": Queue("Q1", "Inbound")},
    )
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"user": "fb@x.example"},
            "availability": availability,
            "pools": [{"name": "sdr", "members": [u.email for u in users], **pool}],
            "rules": [{"name": "sdr", "assign": {"pool": "sdr"}}],
            **({"sla": SLA} if availability.get("calendar_holidays") else {}),
        }
    )
    return Router(compile_policy(spec, snapshot), World(snapshot), MemoryState())


SLA = {
    "calendars": {
        "germany": {"time_zone": BERLIN, "holidays": ["2026-11-02"], "users": ["ana@x.example"]}
    },
    "targets": [{"name": "all", "minutes": 60}],
}
NINE_TO_FIVE = {
    "working_hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "hours": "09:00-17:00"}]
}


def route(r: Router, at: datetime) -> Decision:
    return r.route(Lead("L1", owner_id="Q1", created_date=at))


def test_shifts_are_read_in_each_reps_own_time_zone() -> None:
    users = [rep("U1", "Ana", BERLIN), rep("U2", "Ben", NEW_YORK)]
    r = router(users, NINE_TO_FIVE)

    at_17_berlin = route(r, MONDAY_15_UTC + timedelta(hours=1))  # 17:00 Berlin, 11:00 NY
    assert at_17_berlin.owner_id == "U2"
    assert "Ana off shift (Mon–Fri 09:00–17:00 Europe/Berlin)" in at_17_berlin.reason
    at_8_ny = route(r, datetime(2026, 11, 2, 13, 0, tzinfo=UTC))  # 14:00 Berlin, 08:00 NY
    assert at_8_ny.owner_id == "U1"


def test_a_rep_with_an_unreadable_time_zone_is_unavailable_and_named() -> None:
    users = [rep("U1", "Ana", "Mars/Olympus"), rep("U2", "Ben", None)]
    r = router(users, NINE_TO_FIVE)

    decided = route(r, MONDAY_15_UTC)

    assert decided.rule == "fallback"
    assert "Ana unavailable: TimeZoneSidKey 'Mars/Olympus' is not a time zone" in str(decided.trace)
    assert r.schedule_problems()[:2] == [
        "user Ana (U1): unavailable: TimeZoneSidKey 'Mars/Olympus' is not a time zone",
        "user Ben (U2): unavailable: no time zone in TimeZoneSidKey (set it on the user)",
    ]


def test_out_of_office_dates_and_a_bad_range() -> None:
    ooo = {"out_of_office": {"start": "OOO_Start__c", "end": "OOO_End__c"}}
    users = [
        rep("U1", "Ana", BERLIN, OOO_Start__c="2026-11-02", OOO_End__c="2026-11-03"),
        rep("U2", "Ben", BERLIN, OOO_Start__c="2026-11-02", OOO_End__c="next week"),
        rep("U3", "Cy", BERLIN),
    ]
    r = router(users, {**NINE_TO_FIVE, **ooo})

    decided = route(r, MONDAY_15_UTC)

    assert decided.owner_id == "U3"
    assert "Ana out of office until 2026-11-04 00:00 Europe/Berlin" in decided.reason
    assert "Ben unavailable: OOO_End__c 'next week' is not a date" in decided.reason


def test_holidays_come_from_the_sla_calendar_naming_the_rep() -> None:
    users = [rep("U1", "Ana", BERLIN), rep("U2", "Ben", BERLIN)]
    r = router(users, {**NINE_TO_FIVE, "calendar_holidays": True})

    decided = route(r, MONDAY_15_UTC)

    assert decided.owner_id == "U2" and "Ana on holiday (2026-11-02)" in decided.reason


def test_reps_switch_themselves_off() -> None:
    users = [rep("U1", "Ana", BERLIN, Taking_Leads__c=False), rep("U2", "Ben", BERLIN)]
    r = router(users, {"on_field": "Taking_Leads__c"})
    assert route(r, MONDAY_15_UTC).owner_id == "U2"


def test_a_shift_in_a_user_field_and_a_bad_one() -> None:
    users = [
        rep("U1", "Ana", BERLIN, Shift__c="mon-fri 06:00-10:00"),
        rep("U2", "Ben", BERLIN, Shift__c="weekdays nine to five"),
    ]
    r = router(users, {**NINE_TO_FIVE, "hours_field": "Shift__c"})

    route(r, datetime(2026, 11, 2, 7, 0, tzinfo=UTC))  # 08:00 in Berlin
    decided = route(r, datetime(2026, 11, 2, 7, 1, tzinfo=UTC))  # Ben's turn, but

    assert decided.owner_id == "U1"
    assert "Ben unavailable: Shift__c 'weekdays nine to five' is not a shift" in decided.reason


def test_hubspot_working_hours_are_a_shift_in_the_reps_own_time_zone() -> None:
    hours = '[{"days": "MONDAY_TO_FRIDAY", "startMinute": 360, "endMinute": 600}]'
    users = [
        rep("U1", "Ana", BERLIN, hs_working_hours=hours),  # 06:00-10:00 in Berlin
        rep("U2", "Ben", BERLIN, hs_working_hours='[{"days": "WEEKENDS"}]'),
    ]
    r = router(users, {**NINE_TO_FIVE, "hours_field": "hs_working_hours"})

    route(r, datetime(2026, 11, 2, 7, 0, tzinfo=UTC))  # 08:00 in Berlin
    decided = route(r, datetime(2026, 11, 2, 7, 1, tzinfo=UTC))  # Ben's turn, but

    assert decided.owner_id == "U1"
    assert "working-hours days 'WEEKENDS'" in decided.reason
    late = route(r, datetime(2026, 11, 2, 9, 30, tzinfo=UTC))  # 10:30 in Berlin: Ana is off
    assert late.owner_id != "U1"


def test_nobody_on_shift_waits_for_the_first_rep_back() -> None:
    users = [rep("U1", "Ana", BERLIN), rep("U2", "Ben", NEW_YORK)]
    r = router(users, NINE_TO_FIVE, off_shift="wait")

    decided = route(r, datetime(2026, 11, 2, 23, 0, tzinfo=UTC))  # 00:00 Berlin, 18:00 NY

    assert decided.owner_id == "Q1"  # stays in the queue, and no SLA clock starts: no owner
    assert decided.trace["waiting"]["until"] == "2026-11-03T08:00:00+00:00"  # Ana at 09:00
    assert "when the first member is back on shift" in decided.reason


def test_nobody_on_shift_overflows_by_default() -> None:
    users = [rep("U1", "Ana", BERLIN)]
    r = router(users, NINE_TO_FIVE, overflow={"user": "fb@x.example"})
    decided = route(r, datetime(2026, 11, 2, 23, 0, tzinfo=UTC))
    assert decided.owner_id == "U9" and "overflow" in decided.reason


def test_without_shifts_nothing_about_time_is_asked() -> None:
    r = router([rep("U1", "Ana", None)], {"away_fields": ["Away__c"]})
    assert route(r, MONDAY_15_UTC).owner_id == "U1"  # no time zone needed


def test_policy_warnings_name_each_rep_whose_schedule_cannot_be_read() -> None:
    users = [rep("U1", "Ana", "Mars/Olympus"), rep("U2", "Ben", BERLIN)]
    r = router(users, NINE_TO_FIVE)
    warnings = policy_warnings(r.policy, r.world.snapshot)
    assert warnings == [
        "user Ana (U1): unavailable: TimeZoneSidKey 'Mars/Olympus' is not a time zone — they "
        "take no leads until it is fixed"
    ]
