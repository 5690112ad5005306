"""Locks as leases, against real Redis: renewed while the holder lives, lapsing in seconds when it
dies, and a holder whose lease was lost writes nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from connectors.csvcrm.connector import CsvCrm
from tests.e2e.harness import wait_for
from tests.e2e.synthetic import QUEUE_ID, owners, write_pool_crm, write_pool_policy
from worker.jobs.context import CrmContext
from worker.jobs.loop import POLL_LOCK, poll_crm, sweep_crm
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard
from worker.state.lease import LEASE_S, Lease, LeaseLost, leased
from worker.store.records import Store


@pytest.fixture
def state(redis_url: str, redis_namespace: str) -> Iterator[BatchedRedisState]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    made = BatchedRedisState(client, redis_namespace)
    yield made
    made.clear()


def test_renewal_is_compare_and_set_on_the_token(state: BatchedRedisState) -> None:
    tokens = state.lock_records("csv", ["00Q1", "00Q2"], ttl_s=60)
    state.unlock_record("csv", "00Q2", tokens["00Q2"])
    assert state.lock_record("csv", "00Q2", ttl_s=60) is not None  # someone else holds it now
    assert state.renew_records("csv", tokens, ttl_s=60) == {"00Q2"}


def test_a_lock_lost_with_redis_data_is_taken_back_but_a_lapsed_one_is_not(
    state: BatchedRedisState,
) -> None:
    state.rebuild({}, {})  # a Redis that has not lost its data
    lapsed = state.lock_records("csv", ["00Q1"], ttl_s=0.05)
    wait_for(lambda: state.lock_record("csv", "00Q1", ttl_s=0.05) is not None, 5, "the lapse")
    wait_for(lambda: state.lock_record("csv", "00Q1", ttl_s=60) is not None, 5, "a new holder")
    assert state.renew_records("csv", lapsed, ttl_s=60) == {"00Q1"}  # someone else's now

    held = state.lock_records("csv", ["00Q2"], ttl_s=60)
    state.clear()  # Redis restarted empty: no lock, no `built` mark
    assert state.renew_records("csv", held, ttl_s=60) == set()
    assert state.lock_record("csv", "00Q2", ttl_s=60) is None  # held again by its holder


def test_a_rebuild_leaves_live_holders_a_window_to_take_their_locks_back(
    state: BatchedRedisState,
) -> None:
    held = state.lock_records("csv", ["00Q1", "00Q2"], ttl_s=60)
    state.clear()  # Redis restarted empty under the holder...
    state.rebuild({}, {}, take_back_s=0.5)  # ...and another worker rebuilt the state at once
    assert state.built_and_settled()[0] and 0 < state.built_and_settled()[1] <= 0.5
    assert state.renew_records("csv", {"00Q1": held["00Q1"]}, ttl_s=60) == set()  # in time
    wait_for(lambda: state.built_and_settled() == (True, 0.0), 5, "the window to close")
    assert state.renew_records("csv", held, ttl_s=60) == {"00Q2"}  # too late: a lapse now


def test_a_live_holder_keeps_its_lease_past_the_lease_length(state: BatchedRedisState) -> None:
    token = state.lock_record("csv", "00Q1", ttl_s=0.3)
    assert token is not None
    lease = Lease(state, "csv", {"00Q1": token}, lease_s=0.3, every_s=0.05)
    lease.start()
    try:
        deadline = time.monotonic() + 1.0  # three lease lengths, renewed all along
        while time.monotonic() < deadline:
            assert state.lock_record("csv", "00Q1", ttl_s=60) is None
            time.sleep(0.05)
        lease.confirm()
    finally:
        lease.close()
    assert state.lock_record("csv", "00Q1", ttl_s=60) is not None  # released on close


def test_a_lost_lease_is_refused_at_confirm(state: BatchedRedisState) -> None:
    tokens = state.lock_records("csv", ["00Q1"], ttl_s=60)
    with leased(state, "csv", tokens) as lease:
        state.clear()  # a Redis restarted empty under the holder
        assert state.lock_record("csv", "00Q1", ttl_s=60) is not None  # another worker's now
        with pytest.raises(LeaseLost, match="00Q1"):
            lease.confirm()
    assert state.lock_record("csv", "00Q1", ttl_s=60) is None  # the other's lock was left be


@pytest.fixture
def context(
    tmp_path: Path, state: BatchedRedisState, redis_url: str, database_url: str
) -> Iterator[CrmContext]:
    crm = write_pool_crm(tmp_path / "crm", 20)
    store = Store(database_url)
    store.migrate()
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield CrmContext(
        url=f"csv:{crm}",
        key=state.namespace,
        policy_path=write_pool_policy(tmp_path / "policy.yaml"),
        connector=CsvCrm(crm),
        state=state,
        store=store,
        board=CrmBoard(client),
        settings=Settings(LEADRELAY_HOME=str(tmp_path / "home"), _env_file=None),
    )
    store.close()


def test_a_dead_pollers_lock_lapses_and_the_sweep_runs(context: CrmContext) -> None:
    """A worker SIGKILLed mid-poll leaves its poll lock behind, renewed by nobody: the next
    worker's start-up sweep waits it out (seconds) instead of being skipped."""
    dead = context.state.lock_record(context.key, POLL_LOCK, LEASE_S)
    assert dead is not None
    assert poll_crm(context, "poll-1").skipped == "another task is polling this CRM"
    outcome = sweep_crm(context, "sweep-1")
    assert outcome.skipped is None and outcome.routed == 20
    assert QUEUE_ID not in owners(Path(context.url.removeprefix("csv:"))).values()


def test_a_dead_workers_record_locks_lapse_for_the_next_poll(context: CrmContext) -> None:
    crm = Path(context.url.removeprefix("csv:"))
    ids = list(owners(crm))
    context.state.lock_records(context.key, ids[:5], LEASE_S)  # the dead worker's batch
    first = poll_crm(context, "poll-1")
    assert first.skipped_locked == 5 and first.routed == 15

    def routed_all() -> bool:
        poll_crm(context, "poll-again")
        return QUEUE_ID not in owners(crm).values()

    wait_for(routed_all, LEASE_S * 5, "the dead worker's records to be routed", 0.5)
