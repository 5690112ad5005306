from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from routing.engine import MemoryState, Pick, choose
from routing.policy import LOAD_BALANCED, Member, Pool
from worker.state.distribution import RedisState

MEMBERS = ("u1", "u2", "u3", "u4", "u5")
PROCESSES = 4
DEADLINE_S = 120.0


def round_robin(cap: int | None = None, name: str = "inbound") -> Pool:
    return Pool(name, tuple(Member(m) for m in MEMBERS), cap=cap)


def assign(pool: Pool, state: RedisState | MemoryState, attempts: int = 1000) -> str | None:
    """What the engine does: choose, commit, and choose again after a lost race."""
    for _ in range(attempts):
        choice = choose(pool, state, lambda _user: None)
        if choice.pick is None:
            return None
        if state.commit(choice.pick):
            return choice.pick.user_id
    raise AssertionError(f"no commit in {attempts} attempts")


# --- the compare-and-set under real concurrency -----------------------------------------------


def _route_in_process(
    url: str, namespace: str, cap: int | None, leads: int, start: Any, results: Any
) -> None:
    state = RedisState.from_url(url, namespace)
    pool = round_robin(cap)
    start.wait(timeout=DEADLINE_S)  # all processes begin together, so their commits collide
    results.put([assign(pool, state) for _ in range(leads)])


def route_concurrently(
    url: str, namespace: str, cap: int | None, leads_each: int
) -> list[str | None]:
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(PROCESSES), ctx.Queue()
    processes = [
        ctx.Process(
            target=_route_in_process, args=(url, namespace, cap, leads_each, start, results)
        )
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    assigned = [user for _ in processes for user in results.get(timeout=DEADLINE_S)]
    for process in processes:
        process.join(timeout=DEADLINE_S)
        assert process.exitcode == 0
    return assigned


def test_round_robin_stays_exact_across_processes(
    redis_url: str, redis_state: RedisState, redis_namespace: str
) -> None:
    assigned = route_concurrently(redis_url, redis_namespace, cap=None, leads_each=26)

    counts = Counter(assigned)
    assert None not in counts
    assert sum(counts.values()) == PROCESSES * 26  # every lead committed exactly once
    assert max(counts.values()) - min(counts.values()) <= 1
    assert redis_state.loads(MEMBERS) == dict(counts)  # no commit counted twice or lost
    assert redis_state.cursor("inbound") == (PROCESSES * 26 - 1) % len(MEMBERS)


def test_caps_hold_across_processes(
    redis_url: str, redis_state: RedisState, redis_namespace: str
) -> None:
    cap = 20  # 5 × 20 = 100 places for 120 leads
    assigned = route_concurrently(redis_url, redis_namespace, cap=cap, leads_each=30)

    counts = Counter(user for user in assigned if user is not None)
    assert counts == {member: cap for member in MEMBERS}
    assert assigned.count(None) == PROCESSES * 30 - len(MEMBERS) * cap
    assert redis_state.loads(MEMBERS) == {member: cap for member in MEMBERS}


# --- one process: the same answers as MemoryState -------------------------------------------


def test_redis_state_routes_like_memory_state(redis_state: RedisState) -> None:
    memory = MemoryState({"u2": 3})
    redis_state.rebuild({"u2": 3}, {})
    pool = round_robin(cap=4)
    balanced = Pool("balanced", tuple(Member(m) for m in MEMBERS), LOAD_BALANCED, cap=6)

    for _ in range(14):
        assert assign(pool, redis_state) == assign(pool, memory)
        assert assign(balanced, redis_state) == assign(balanced, memory)
    redis_state.move_load("queue", "u5")
    memory.move_load("queue", "u5")

    assert redis_state.loads(MEMBERS) == memory.loads(MEMBERS)
    assert redis_state.cursor("inbound") == memory.cursor("inbound")


def test_commit_refuses_a_moved_cursor_and_a_full_member(redis_state: RedisState) -> None:
    assert redis_state.commit(Pick("p", "u1", slot=0, expected_slot=None, cap=None))

    assert not redis_state.commit(Pick("p", "u2", slot=1, expected_slot=None, cap=None))
    assert not redis_state.commit(Pick("p", "u1", slot=1, expected_slot=0, cap=1))
    assert redis_state.commit(Pick("p", "u2", slot=1, expected_slot=0, cap=1))
    assert redis_state.cursor("p") == 1
    assert redis_state.loads(["u1", "u2", "u3"]) == {"u1": 1, "u2": 1, "u3": 0}


def test_a_load_balanced_pick_ignores_the_cursor(redis_state: RedisState) -> None:
    redis_state.commit(Pick("p", "u1", slot=3, expected_slot=None, cap=None))

    assert redis_state.commit(Pick("p", "u2", slot=None, expected_slot=None, cap=5))
    assert redis_state.cursor("p") == 3


def test_recent_picks_are_kept_per_pool_like_memory_state(redis_state: RedisState) -> None:
    memory = MemoryState()
    users, windows = "aabcabca", [3, 3, 3, 3, 3, 2, 2, 4]

    for user, window in zip(users, windows, strict=True):
        pick = Pick("fit", user, None, None, None, window=window)
        assert redis_state.commit(pick) and memory.commit(pick)
        for asked in (1, 2, 3, 5):
            assert redis_state.recent("fit", asked) == memory.recent("fit", asked)

    redis_state.commit(Pick("other", "z", None, None, None))  # no window: not remembered
    assert redis_state.recent("other", 5) == {}
    assert redis_state.recent("fit", 0) == {}


def test_round_trips_per_routed_lead(redis_state: RedisState) -> None:
    pool = round_robin(cap=10)
    assign(pool, redis_state)  # loads the script once
    before = redis_state.round_trips

    for _ in range(10):
        assign(pool, redis_state)

    assert redis_state.round_trips - before == 10 * 2  # loads with the cursor, commit


# --- losing Redis -----------------------------------------------------------------------------


def test_rebuild_after_the_namespace_is_flushed(redis_state: RedisState) -> None:
    pool = round_robin()
    redis_state.rebuild({}, {})
    for _ in range(3):
        assign(pool, redis_state)
    assert redis_state.is_built()

    redis_state.clear()
    assert not redis_state.is_built()
    assert redis_state.cursor("inbound") is None
    assert redis_state.loads(["u1"]) == {"u1": 0}

    redis_state.rebuild({"u1": 7, "u3": 2}, {"inbound": 2})
    assert redis_state.is_built()
    assert redis_state.loads(["u1", "u3"]) == {"u1": 7, "u3": 2}
    assert assign(pool, redis_state) == "u4"  # the rotation resumes after slot 2


def test_rebuild_replaces_what_was_there(redis_state: RedisState) -> None:
    redis_state.rebuild({"u1": 1, "u2": 9}, {"a": 1, "b": 2})
    redis_state.rebuild({"u1": 4}, {"a": 0})

    assert redis_state.loads(["u1", "u2"]) == {"u1": 4, "u2": 0}
    assert (redis_state.cursor("a"), redis_state.cursor("b")) == (0, None)


def test_namespaces_do_not_share_state(redis_url: str, redis_state: RedisState) -> None:
    other = RedisState.from_url(redis_url, redis_state.namespace + "-other")
    try:
        redis_state.commit(Pick("p", "u1", slot=0, expected_slot=None, cap=None))
        redis_state.set_watermark("csv", "Lead", datetime(2024, 1, 1, tzinfo=UTC))

        assert other.cursor("p") is None
        assert other.loads(["u1"]) == {"u1": 0}
        assert other.get_watermark("csv", "Lead") is None
        other.commit(Pick("p", "u2", slot=0, expected_slot=None, cap=None))
        redis_state.clear()
        assert other.cursor("p") == 0
    finally:
        other.clear()


def test_a_namespace_with_braces_is_refused(redis_url: str) -> None:
    with pytest.raises(ValueError, match="braces"):
        RedisState.from_url(redis_url, "a{b}")


# --- watermarks, poll times ---------------------------------------------------------------------


def test_watermarks_round_trip_in_utc(redis_state: RedisState) -> None:
    paris_summer = timezone(timedelta(hours=2))
    when = datetime(2024, 6, 1, 14, 30, 5, 123456, tzinfo=paris_summer)

    assert redis_state.get_watermark("salesforce", "Lead") is None
    redis_state.set_watermark("salesforce", "Lead", when)

    stored = redis_state.get_watermark("salesforce", "Lead")
    assert stored == when
    assert stored is not None and stored.utcoffset() == timedelta(0)
    assert stored.hour == 12
    assert redis_state.get_watermark("salesforce", "Contact") is None
    assert redis_state.get_watermark("hubspot", "Lead") is None


def test_a_naive_watermark_is_refused(redis_state: RedisState) -> None:
    with pytest.raises(ValueError, match="time zone"):
        redis_state.set_watermark("csv", "Lead", datetime(2024, 1, 1))


def test_last_poll_time_per_crm(redis_state: RedisState) -> None:
    when = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    redis_state.mark_polled("salesforce", when)

    assert redis_state.last_polled("salesforce") == when
    assert redis_state.last_polled("hubspot") is None


# --- locks and redelivery -------------------------------------------------------------------------


def test_a_record_lock_is_exclusive_and_released_only_by_its_holder(
    redis_state: RedisState,
) -> None:
    token = redis_state.lock_record("csv", "00Q1", ttl_s=60)
    assert token is not None
    assert redis_state.lock_record("csv", "00Q1", ttl_s=60) is None
    assert redis_state.lock_record("csv", "00Q2", ttl_s=60) is not None
    assert redis_state.lock_record("hubspot", "00Q1", ttl_s=60) is not None

    assert not redis_state.unlock_record("csv", "00Q1", "not-the-token")
    assert redis_state.lock_record("csv", "00Q1", ttl_s=60) is None
    assert redis_state.unlock_record("csv", "00Q1", token)
    assert redis_state.lock_record("csv", "00Q1", ttl_s=60) is not None


def test_an_expired_lock_passes_on_and_the_old_holder_cannot_release_it(
    redis_state: RedisState,
) -> None:
    first = redis_state.lock_record("csv", "00Q1", ttl_s=0.05)
    assert first is not None

    second = _poll(lambda: redis_state.lock_record("csv", "00Q1", ttl_s=60))

    assert not redis_state.unlock_record("csv", "00Q1", first)
    assert redis_state.lock_record("csv", "00Q1", ttl_s=60) is None
    assert redis_state.unlock_record("csv", "00Q1", second)


def test_a_redelivered_change_is_seen(redis_state: RedisState) -> None:
    assert not redis_state.seen_change("csv", "00Q1@2024-01-01T00:00:00Z", ttl_s=60)
    assert redis_state.seen_change("csv", "00Q1@2024-01-01T00:00:00Z", ttl_s=60)
    assert not redis_state.seen_change("csv", "00Q1@2024-01-02T00:00:00Z", ttl_s=60)
    assert not redis_state.seen_change("hubspot", "00Q1@2024-01-01T00:00:00Z", ttl_s=60)


def test_clear_removes_only_its_own_namespace(redis_url: str, redis_state: RedisState) -> None:
    bystander = RedisState.from_url(redis_url, redis_state.namespace + "-bystander")
    try:
        bystander.lock_record("csv", "00Q1", ttl_s=60)
        redis_state.lock_record("csv", "00Q1", ttl_s=60)
        redis_state.mark_polled("csv")

        assert redis_state.clear() == 2
        assert redis_state.lock_record("csv", "00Q1", ttl_s=60) is not None
        assert bystander.lock_record("csv", "00Q1", ttl_s=60) is None
    finally:
        bystander.clear()


def _poll(attempt: Any, timeout_s: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while (result := attempt()) is None:
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)
    return result
