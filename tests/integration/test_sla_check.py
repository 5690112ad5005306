"""SLA checks end to end on a routed copy of the Acme sample: real Redis, real SQL, the CSV CRM
edited between checks as reps would, a local Slack webhook and SMTP server. Time is injected."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from connectors.csvcrm.connector import CsvCrm
from routing.engine import open_lead_loads
from routing.policy import MANAGER, NOTIFY, REASSIGN
from routing.sla import Clock, Escalation
from tests.conftest import ACME_POLICY
from tests.integration.sla_support import cell, edit_rows, slack_server, smtp_server
from worker.jobs.session import open_session, route_routable
from worker.jobs.sla import CheckReport, SlaRun, check_slas, start_clocks
from worker.notify.senders import Notifier, NotifySettings
from worker.state.clocks import RedisClocks
from worker.state.distribution import RedisState
from worker.store.records import Store
from worker.store.sla import SlaStore

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
FRIDAY = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday 15:00 in New York
UNTOUCHED = "Open - Not Contacted"
LARS, DANA, PRIYA = "005000000000002AAA", "005000000000001AAA", "005000000000004AAA"
FATIMA, GUSTAV = "005000000000011AAA", "005000000000012AAA"


@dataclass
class Acme:
    folder: Path
    store: Store
    state: RedisState
    client: redis.Redis
    namespace: str
    clocks: list[Clock]
    users: dict[str, str]  # id → name
    notifier: Notifier | None = None

    @property
    def leads(self) -> Path:
        return self.folder / "Lead.csv"

    @property
    def user_file(self) -> Path:
        return self.folder / "User.csv"

    def run(self, policy: Path = ACME_POLICY) -> SlaRun:
        return SlaRun(
            crm="acme",
            connector=CsvCrm(self.folder),
            policy_path=policy,
            store=SlaStore(self.store.engine),
            index=RedisClocks(self.client, self.namespace),
            notifier=self.notifier,
            state=self.state,
            dead_letter=self.store.dead_letter,
        )

    def check(self, at: datetime, **options: bool) -> CheckReport:
        return check_slas(self.run(), at, **options)

    def clock(self, wanted: Callable[[Clock], bool]) -> Clock:
        return next(c for c in self.clocks if wanted(c))

    def rows(self, record_id: str) -> list[dict[str, object]]:
        return SlaStore(self.store.engine).clocks_for("acme", record_id)


def route_acme(
    folder: Path, database_url: str, redis_url: str, namespace: str, at: datetime
) -> Acme:
    store = Store(database_url)
    store.migrate()
    state = RedisState.from_url(redis_url, namespace)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    connector = CsvCrm(folder)
    session = open_session(connector, ACME_POLICY, state)
    state.rebuild(open_lead_loads(session.snapshot, session.policy), {})  # as the worker does
    report = route_routable(session, connector, dry_run=False)
    acme = Acme(folder, store, state, client, namespace, [], {})
    acme.clocks = start_clocks(
        acme.run(), session.policy, session.snapshot.users, report.decisions, report.writes, at
    )
    acme.users = {u.id: u.name for u in session.snapshot.users.values()}
    return acme


@pytest.fixture
def acme(acme_crm: Path, database_url: str, redis_url: str, redis_namespace: str) -> Iterator[Acme]:
    routed = route_acme(acme_crm, database_url, redis_url, redis_namespace, T0)
    yield routed
    routed.state.clear()
    routed.store.close()


def by_record(report: CheckReport) -> dict[str, Escalation]:
    return {e.record_id: e for e in report.escalations}


def emea_tier1(acme: Acme) -> Clock:
    return acme.clock(lambda c: c.target == "tier 1" and c.pool == "enterprise EMEA")


# --- met and breached -------------------------------------------------------------------------


def test_clocks_start_in_the_store_and_in_redis_for_every_routed_lead_with_a_target(
    acme: Acme,
) -> None:
    assert len(acme.clocks) > 100
    assert RedisClocks(acme.client, acme.namespace).open_count() == len(acme.clocks)
    counts = SlaStore(acme.store.engine).counts("acme", T0, timedelta(minutes=10))
    assert counts.open == len(acme.clocks)
    tier1 = [c for c in acme.clocks if c.target == "tier 1"]
    assert tier1 and all(c.due_at == T0 + timedelta(minutes=5) for c in tier1)


def test_a_touched_lead_meets_its_sla_and_an_untouched_one_is_reassigned(acme: Acme) -> None:
    met, breached = [c for c in acme.clocks if c.target == "tier 1" and c.pool][:2]
    edit_rows(acme.leads, met.record_id, Status="Working - Contacted")

    report = acme.check(T0 + timedelta(minutes=6))

    escalations = by_record(report)
    assert met.record_id not in escalations
    assert acme.rows(met.record_id)[0]["outcome"] == "met"
    escalation = escalations[breached.record_id]
    assert escalation.action in (REASSIGN, MANAGER)
    assert cell(acme.leads, breached.record_id, "OwnerId") == escalation.to_owner_id
    assert report.outcomes["met"] >= 1
    assert not any(c.target != "tier 1" for c in acme.clocks if c.record_id in escalations)


def test_a_breach_reassigns_in_the_pool_then_the_second_goes_to_the_manager(acme: Acme) -> None:
    clock = emea_tier1(acme)
    first = by_record(acme.check(T0 + timedelta(minutes=6)))[clock.record_id]
    assert (first.action, first.from_owner_id, first.breaches) == (REASSIGN, clock.owner_id, 1)
    assert first.to_owner_id in (FATIMA, GUSTAV) and first.to_owner_id != clock.owner_id
    assert first.notify_ids == (LARS,)

    second = by_record(acme.check(T0 + timedelta(minutes=12)))[clock.record_id]
    assert (second.action, second.to_owner_id, second.breaches) == (MANAGER, LARS, 2)
    assert cell(acme.leads, clock.record_id, "OwnerId") == LARS
    rows = acme.rows(clock.record_id)
    assert [r["outcome"] for r in rows] == ["breached", "breached"]
    assert rows[1]["breached_owner_ids"] == [clock.owner_id]
    assert clock.record_id not in by_record(acme.check(T0 + timedelta(hours=1)))  # chain ended


def test_a_reassignment_passes_over_a_member_who_is_off_shift(acme: Acme, tmp_path: Path) -> None:
    clock = emea_tier1(acme)
    other = GUSTAV if clock.owner_id == FATIMA else FATIMA
    email = {FATIMA: "fatima.zahra", GUSTAV: "gustav.berg"}[other] + "@acme-analytics.example"
    text = ACME_POLICY.read_text(encoding="utf-8")
    hours = (
        "  default_time_zone: Europe/Berlin    # the breach: Tuesday 16:06 in Berlin\n"
        f"  user_hours: {{{email}: [{{days: [mon, tue, wed, thu, fri], hours: '07:00-12:00'}}]}}\n"
    )
    assert text.count("availability:\n") == 1
    shifted = tmp_path / "shifts.yaml"
    shifted.write_text(text.replace("availability:\n", "availability:\n" + hours), encoding="utf-8")

    escalation = by_record(check_slas(acme.run(shifted), T0 + timedelta(minutes=6)))[
        clock.record_id
    ]

    assert escalation.action == MANAGER and escalation.to_owner_id == LARS
    assert "off shift (Mon–Fri 07:00–12:00 Europe/Berlin)" in escalation.why


def test_ownership_routed_leads_escalate_to_the_manager_and_keep_their_owner(acme: Acme) -> None:
    owned = acme.clock(lambda c: c.ownership and c.target == "tier 2")
    escalation = by_record(acme.check(T0 + timedelta(minutes=61)))[owned.record_id]
    assert (escalation.action, escalation.to_owner_id) == (NOTIFY, owned.owner_id)
    assert escalation.notify_ids
    assert cell(acme.leads, owned.record_id, "OwnerId") == owned.owner_id


# --- business hours -------------------------------------------------------------------------


def test_business_hours_run_over_the_weekend_in_the_leads_region(
    acme_crm: Path, database_url: str, redis_url: str, redis_namespace: str
) -> None:
    acme = route_acme(acme_crm, database_url, redis_url, redis_namespace, FRIDAY)
    try:
        east = acme.clock(lambda c: c.target in ("sdr", "tier 3") and c.calendar == "NA East")
        apac = acme.clock(lambda c: c.target in ("sdr", "tier 3") and c.calendar == "APAC")
        # 2 hours on Friday in New York, 6 on Monday from 09:00 EST → Monday 15:00 EST
        assert east.due_at == datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
        # Friday 20:00 UTC is Saturday 04:00 in Singapore: all 8 hours fall on Monday
        assert apac.due_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

        saturday = acme.check(datetime(2026, 11, 28, 18, 0, tzinfo=UTC))
        assert east.record_id not in by_record(saturday)
        assert east.record_id in by_record(acme.check(east.due_at + timedelta(minutes=1)))
    finally:
        acme.state.clear()
        acme.store.close()


def test_a_holiday_in_the_calendar_moves_the_deadline(
    acme_crm: Path, database_url: str, redis_url: str, redis_namespace: str, tmp_path: Path
) -> None:
    policy = tmp_path / "acme-thanksgiving.yaml"
    text = ACME_POLICY.read_text(encoding="utf-8")
    holiday = 'hours: "09:00-17:00", holidays: [2026-11-26], regions: [NA East, NA]'
    policy.write_text(
        text.replace('hours: "09:00-17:00", regions: [NA East, NA]', holiday), encoding="utf-8"
    )
    wednesday = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # Wednesday 16:00 in New York
    store = Store(database_url)
    store.migrate()
    state = RedisState.from_url(redis_url, redis_namespace)
    connector = CsvCrm(acme_crm)
    session = open_session(connector, policy, state)
    state.rebuild(open_lead_loads(session.snapshot, session.policy), {})
    report = route_routable(session, connector, dry_run=False)
    run = SlaRun(
        "acme",
        connector,
        policy,
        SlaStore(store.engine),
        state=state,
        index=RedisClocks(redis.Redis.from_url(redis_url), redis_namespace),
    )
    try:
        clocks = start_clocks(
            run, session.policy, session.snapshot.users, report.decisions, report.writes, wednesday
        )
        east = next(c for c in clocks if c.calendar == "NA East")
        # 1 hour Wednesday, Thanksgiving off, 7 hours Friday → Friday 16:00 EST
        assert east.due_at == datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
        thursday_evening = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
        assert east.record_id not in by_record(check_slas(run, thursday_evening))
    finally:
        state.clear()
        store.close()


# --- who can take it ---------------------------------------------------------------------------


def test_the_next_rep_away_or_at_cap_is_skipped(acme: Acme) -> None:
    clock = emea_tier1(acme)
    other = GUSTAV if clock.owner_id == FATIMA else FATIMA
    edit_rows(acme.user_file, other, Out_Of_Office__c="true")

    escalation = by_record(acme.check(T0 + timedelta(minutes=6)))[clock.record_id]

    assert (escalation.action, escalation.to_owner_id) == (MANAGER, LARS)
    assert "nobody else in pool 'enterprise EMEA'" in escalation.why


def test_a_rep_at_cap_is_skipped_for_the_next_in_the_pool(acme: Acme) -> None:
    clock = acme.clock(lambda c: c.target == "tier 2" and c.pool == "midmarket NA")
    others = [u for u in ("005000000000016AAA", "005000000000017AAA", "005000000000018AAA")]
    others.remove(clock.owner_id)
    capped, free = others
    acme.state.rebuild({capped: 40, free: 0}, {})

    escalation = by_record(acme.check(T0 + timedelta(minutes=61)))[clock.record_id]

    assert (escalation.action, escalation.to_owner_id) == (REASSIGN, free)


# --- the lead moved on before the deadline ---------------------------------------------------


def test_converted_or_reowned_before_the_deadline_is_not_escalated(acme: Acme) -> None:
    converted, reowned = [c for c in acme.clocks if c.target == "tier 1" and c.pool][:2]
    edit_rows(acme.leads, converted.record_id, IsConverted="true")
    edit_rows(acme.leads, reowned.record_id, OwnerId=PRIYA)

    report = acme.check(T0 + timedelta(minutes=6))

    assert converted.record_id not in by_record(report)
    assert reowned.record_id not in by_record(report)
    assert acme.rows(converted.record_id)[0]["outcome"] == "met"
    assert acme.rows(reowned.record_id)[0]["outcome"] == "reowned"
    assert cell(acme.leads, reowned.record_id, "OwnerId") == PRIYA


# --- people missing ---------------------------------------------------------------------------


def test_a_missing_manager_escalates_to_the_fallback_owner(acme: Acme) -> None:
    dana = acme.clock(lambda c: c.owner_id == DANA and c.target == "tier 1")
    escalation = by_record(acme.check(T0 + timedelta(minutes=6)))[dana.record_id]
    assert escalation.notify_ids == (PRIYA,)
    assert "Dana Whitfield has no manager" in escalation.why


def test_a_breach_on_a_lead_whose_owner_was_deactivated(acme: Acme) -> None:
    pooled = emea_tier1(acme)
    owned = acme.clock(lambda c: c.ownership and c.target == "tier 2")
    for owner in {pooled.owner_id, owned.owner_id}:
        edit_rows(acme.user_file, owner, IsActive="false")

    report = by_record(acme.check(T0 + timedelta(minutes=61)))

    assert report[pooled.record_id].action == REASSIGN
    assert report[owned.record_id].action == MANAGER
    assert cell(acme.leads, owned.record_id, "OwnerId") == report[owned.record_id].to_owner_id


# --- once, whatever happens -------------------------------------------------------------------


def test_two_beats_at_once_fire_each_clock_once(acme: Acme) -> None:
    at = T0 + timedelta(minutes=6)
    reports: list[CheckReport] = []
    threads = [threading.Thread(target=lambda: reports.append(acme.check(at))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fired = [e.record_id for r in reports for e in r.escalations]
    due = [c for c in acme.clocks if c.due_at <= at]
    assert len(fired) == len(set(fired)) == len(due)


def test_a_retried_task_fires_a_clock_its_first_delivery_claimed_but_never_finished(
    acme: Acme,
) -> None:
    clock = emea_tier1(acme)
    at = T0 + timedelta(minutes=6)
    store = SlaStore(acme.store.engine)
    assert store.claim("acme", [clock.key], at, timedelta(minutes=5))  # then the worker died

    assert clock.record_id not in by_record(acme.check(at + timedelta(minutes=1)))
    assert clock.record_id not in by_record(acme.check(at + timedelta(minutes=2), from_store=True))
    later = acme.check(at + timedelta(minutes=6), from_store=True)
    assert [e.record_id for e in later.escalations].count(clock.record_id) == 1


def test_after_a_redis_loss_the_clocks_are_rebuilt_from_the_store(acme: Acme) -> None:
    acme.state.clear()  # the namespace's keys: rotations, loads, the SLA index
    index = RedisClocks(acme.client, acme.namespace)
    assert index.open_count() == 0 and not index.is_built()

    report = acme.check(T0 + timedelta(minutes=6))

    assert report.escalations
    assert index.is_built()
    assert index.open_count() >= len(acme.clocks) - report.checked


# --- notifications ---------------------------------------------------------------------------


def test_managers_are_told_on_slack_and_by_email(acme: Acme) -> None:
    clock = emea_tier1(acme)
    with slack_server() as slack, smtp_server() as smtp:
        slack.fail_next = 1  # one failure, retried
        settings = NotifySettings.model_validate(
            {
                "LEADRELAY_SLACK_WEBHOOK_URL": slack.url,
                "LEADRELAY_SMTP_HOST": "127.0.0.1",
                "LEADRELAY_SMTP_PORT": smtp.port,
            }
        )
        acme.notifier = Notifier(settings, max_backoff_s=0.01)
        report = acme.check(T0 + timedelta(minutes=6))
        acme.notifier.drain(10)
    notified = [e for e in report.escalations if e.notify_ids]
    assert len(slack.posts) == len(notified) and acme.notifier.failed == 0
    assert any(clock.record_id in p["text"] for p in slack.posts)
    lars_mail = [m for m in smtp.messages if "lars.eriksen" in m["To"]]
    assert any(clock.record_id in m["Subject"] for m in lars_mail)


def test_a_dead_slack_never_blocks_the_check(acme: Acme) -> None:
    settings = NotifySettings.model_validate(
        {
            "LEADRELAY_SLACK_WEBHOOK_URL": "http://127.0.0.1:9/hooks/secret",
            "LEADRELAY_NOTIFY_ATTEMPTS": 2,
        }
    )
    acme.notifier = Notifier(settings, max_backoff_s=0.01)
    report = acme.check(T0 + timedelta(minutes=6))
    acme.notifier.drain(10)
    assert report.escalations
    assert acme.notifier.failed == len([e for e in report.escalations if e.notify_ids])


def test_a_dry_run_changes_nothing(acme: Acme) -> None:
    clock = emea_tier1(acme)
    before = cell(acme.leads, clock.record_id, "OwnerId")
    report = acme.check(T0 + timedelta(minutes=6), dry_run=True)
    assert clock.record_id in by_record(report)
    assert cell(acme.leads, clock.record_id, "OwnerId") == before
    assert acme.rows(clock.record_id)[0]["state"] == "open"
    assert by_record(acme.check(T0 + timedelta(minutes=6)))[clock.record_id]
