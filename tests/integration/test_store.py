from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from connectors.base import WriteResult
from connectors.csvcrm.connector import CsvCrm
from routing.model import Decision, OwnerChange
from tests.conftest import ACME_POLICY
from worker.jobs.session import open_session, route_routable
from worker.store import schema_metadata
from worker.store.records import (
    DRY_RUN,
    FAILED,
    PENDING,
    UNCHANGED,
    WRITTEN,
    Store,
    alembic_config,
)

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store(database_url) as store:
        store.migrate()
        yield store


def decision(
    record_id: str = "00Q1",
    owner_id: str = "005A",
    previous: str | None = "00GQUEUE",
    pool: str | None = None,
    slot: int | None = None,
) -> Decision:
    rules: list[dict[str, Any]] = [{"rule": "named", "applied": False, "why": "no account"}]
    if pool is not None:
        detail: dict[str, Any] = {
            "pool": pool,
            "method": "round_robin",
            "cap": None,
            "considered": [],
            "slot": slot,
        }
        rules.append({"rule": "inbound", "applied": True, "why": "next", "pool": detail})
    return Decision(
        record_id=record_id,
        object="Lead",
        owner_id=owner_id,
        previous_owner_id=previous,
        account_id=None,
        match_method="none",
        rule="inbound" if pool else "named",
        score=42,
        tier="B",
        pool=pool,
        reason="Rule inbound: to Ann, next in the rotation.",
        trace={"rules": rules, "path": ["inbound"], "score": {"total": 42, "why": "é ✓"}},
    )


def row_count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


# --- schema -----------------------------------------------------------------------------------


def test_migrations_build_the_schema_from_empty(database_url: str) -> None:
    with Store(database_url) as store:
        store.migrate()
        store.migrate()  # every start runs it: the second time is a no-op

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert context.get_current_revision() == head
            assert compare_metadata(context, schema_metadata()) == []  # migrations match models


def _migrate_in_process(url: str, start: Any) -> None:
    start.wait(timeout=60)
    with Store(url) as store:
        store.migrate()


def test_processes_migrating_together_all_succeed(database_url: str) -> None:
    """Worker and beat started together both migrate on start."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(3)
    processes = [
        ctx.Process(target=_migrate_in_process, args=(database_url, start)) for _ in range(3)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)

    assert [process.exitcode for process in processes] == [0, 0, 0]
    with Store(database_url) as store:
        store.record_decisions("csv:acme", [decision()], key="task-1")
        assert row_count(store, "decisions") == 1


def test_sqlite_lives_under_home_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'home' / 'leadrelay.db'}"
    with Store(url) as store:
        store.migrate()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert (tmp_path / "home" / "leadrelay.db").is_file()


# --- decisions --------------------------------------------------------------------------------


def test_decisions_round_trip_with_their_traces(store: Store) -> None:
    original = decision(pool="inbound", slot=3)

    store.record_decisions(
        "csv:acme", [original], [WriteResult("00Q1", True)], key="task-1", decided_at=T0
    )

    [recorded] = store.decisions_for("00Q1")
    assert recorded.decision == original
    assert (recorded.crm, recorded.key, recorded.decided_at) == ("csv:acme", "task-1", T0)
    assert (recorded.write_status, recorded.written_at) == (WRITTEN, T0)
    assert store.decisions_for("00Q1", crm="hubspot") == []


def test_the_engines_decisions_round_trip(store: Store, acme_crm: Path) -> None:
    connector = CsvCrm(acme_crm)
    session = open_session(connector, ACME_POLICY)
    report = route_routable(session, connector, dry_run=True)
    assert report.decisions

    store.record_decisions(connector.name, report.decisions, key="task-1", dry_run=True)

    for original in report.decisions:
        [recorded] = store.decisions_for(original.record_id, crm=connector.name)
        assert recorded.decision == original
        assert recorded.write_status in (DRY_RUN, UNCHANGED)
    # the cursors a lost Redis would be rebuilt with are the ones the routing left behind
    expected = {
        name: session.router.state.cursor(name)
        for name in session.policy.pools
        if session.router.state.cursor(name) is not None
    }
    assert expected
    assert store.last_slots_by_pool(connector.name) == expected


def test_recording_a_batch_again_is_harmless(store: Store) -> None:
    batch = [decision("00Q1"), decision("00Q2")]
    results = [WriteResult("00Q1", True), WriteResult("00Q2", False, "locked row")]

    for _ in range(2):  # a redelivered task
        store.record_decisions("csv:acme", batch, results, key="task-1", decided_at=T0)

    assert row_count(store, "decisions") == 2
    assert [r.write_status for r in store.decisions_for("00Q2")] == [FAILED]
    assert store.decisions_for("00Q2")[0].write_error == "locked row"


def test_a_retry_replaces_a_pending_decision_but_not_a_written_one(store: Store) -> None:
    store.record_decisions("csv:acme", [decision("00Q1", owner_id="005A")], key="task-1")
    store.record_decisions(
        "csv:acme", [decision("00Q2", owner_id="005A")], [WriteResult("00Q2", True)], key="task-1"
    )

    retried = [decision("00Q1", owner_id="005B"), decision("00Q2", owner_id="005B")]
    store.record_decisions("csv:acme", retried, key="task-1")

    assert [r.decision.owner_id for r in store.decisions_for("00Q1")] == ["005B"]
    assert [r.decision.owner_id for r in store.decisions_for("00Q2")] == ["005A"]
    assert row_count(store, "decisions") == 2


def test_another_task_records_a_new_decision(store: Store) -> None:
    store.record_decisions("csv:acme", [decision()], key="task-1")
    store.record_decisions("csv:acme", [decision()], key="task-2")
    store.record_decisions("hubspot", [decision()], key="task-1")

    assert len(store.decisions_for("00Q1")) == 3


def test_pending_writes_are_settled_once(store: Store) -> None:
    store.record_decisions("csv:acme", [decision("00Q1"), decision("00Q2")], key="task-1")
    assert {r.write_status for r in store.decisions_for("00Q1")} == {PENDING}

    settle = [WriteResult("00Q1", True), WriteResult("00Q2", False, "owner is inactive")]
    store.record_write_results("csv:acme", "task-1", settle)
    store.record_write_results("csv:acme", "task-1", [WriteResult("00Q2", True)])  # too late

    [first], [second] = store.decisions_for("00Q1"), store.decisions_for("00Q2")
    assert first.write_status == WRITTEN and first.written_at is not None
    assert (second.write_status, second.write_error) == (FAILED, "owner is inactive")


def test_write_status_of_unchanged_and_dry_run_decisions(store: Store) -> None:
    kept = decision("00Q1", owner_id="005A", previous="005A")
    moved = decision("00Q2")

    store.record_decisions("csv:acme", [kept, moved], key="dry", dry_run=True)

    assert store.decisions_for("00Q1")[0].write_status == UNCHANGED
    assert store.decisions_for("00Q2")[0].write_status == DRY_RUN


def test_last_slot_per_pool_comes_from_the_latest_pick(store: Store) -> None:
    store.record_decisions(
        "csv:acme",
        [
            decision("00Q1", pool="inbound", slot=0),
            decision("00Q2", pool="inbound", slot=1),
            decision("00Q3", pool="enterprise", slot=4),
            decision("00Q4", pool="balanced", slot=None),  # a load-balanced pick
            decision("00Q5"),
        ],
        key="task-1",
    )
    store.record_decisions("hubspot", [decision("00Q6", pool="inbound", slot=7)], key="task-2")

    assert store.last_slots_by_pool("csv:acme") == {"inbound": 1, "enterprise": 4}
    assert store.last_slots_by_pool() == {"inbound": 7, "enterprise": 4}
    assert store.last_slots_by_pool("salesforce") == {}


def test_counts_for_status(store: Store) -> None:
    store.record_decisions(
        "csv:acme",
        [decision("00Q1"), decision("00Q2"), decision("00Q3")],
        [WriteResult("00Q1", True), WriteResult("00Q2", False, "nope")],
        key="task-1",
        decided_at=T0,
    )
    store.dead_letter("csv:acme", OwnerChange("00Q2", "Lead", "005A"), "nope")

    counts = store.counts("csv:acme")
    assert counts.decisions == 3
    assert counts.by_write_status == {WRITTEN: 1, FAILED: 1, PENDING: 1}
    assert counts.open_dead_letters == 1
    assert counts.last_decided_at == T0
    assert store.counts("hubspot").decisions == 0


# --- dead letters -----------------------------------------------------------------------------


def test_a_record_has_one_open_dead_letter(store: Store) -> None:
    change = OwnerChange("00Q1", "Lead", "005A", "00GQUEUE")
    first = store.dead_letter("csv:acme", change, "locked", failed_at=T0)
    again = store.dead_letter(
        "csv:acme", change, "still locked", failed_at=T0 + timedelta(minutes=5)
    )

    [letter] = store.open_dead_letters("csv:acme")
    assert first == again == letter.id
    assert (letter.attempts, letter.error) == (2, "still locked")
    assert (letter.first_failed_at, letter.last_failed_at) == (T0, T0 + timedelta(minutes=5))
    assert letter.owner_change() == change

    assert store.resolve_dead_letter(letter.id)
    assert not store.resolve_dead_letter(letter.id)
    assert store.open_dead_letters() == []
    reopened = store.dead_letter("csv:acme", change, "locked again")
    assert reopened != letter.id
    assert [d.attempts for d in store.open_dead_letters()] == [1]


def test_dead_letter_failures_keeps_only_the_failed_writes(store: Store) -> None:
    changes = [OwnerChange("00Q1", "Lead", "005A"), OwnerChange("00Q2", "Lead", "005B")]
    results = [WriteResult("00Q1", True), WriteResult("00Q2", False, "validation rule")]

    store.dead_letter_failures("csv:acme", changes, results)

    assert [(d.record_id, d.error) for d in store.open_dead_letters()] == [
        ("00Q2", "validation rule")
    ]


# --- watermarks -------------------------------------------------------------------------------


def test_watermarks_are_mirrored_in_utc(store: Store) -> None:
    later = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert store.watermark("salesforce", "Lead") is None

    store.save_watermark("salesforce", "Lead", T0)
    store.save_watermark("salesforce", "Lead", later)
    store.save_watermark("salesforce", "Contact", T0)

    stored = store.watermark("salesforce", "Lead")
    assert stored == later and stored is not None and stored.tzinfo == UTC
    assert store.watermarks("salesforce") == {
        ("salesforce", "Lead"): later,
        ("salesforce", "Contact"): T0,
    }
    assert store.watermarks("hubspot") == {}


def test_a_naive_time_is_refused(store: Store) -> None:
    with pytest.raises(sa.exc.StatementError, match="time zone"):
        store.save_watermark("csv", "Lead", datetime(2024, 1, 1))
