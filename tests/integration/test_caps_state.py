"""Caps over time on the shared Redis state: four processes routing into one pool at once never
pass a member's cap or the pool's, keep each member within one lead of their weighted share,
and a Redis that lost its data is recounted from the store's recorded decisions."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from routing.engine import Router, choose
from routing.model import CrmSnapshot, Lead, Queue, Rep
from routing.policy import POOL_SCOPE, Member, Pool, RoutingPolicy, Rule, ToPool, WindowCap
from routing.world import World
from worker.jobs.caps import recorded_tallies
from worker.state.distribution import RedisState
from worker.store.records import Store

PROCESSES = 4
DEADLINE_S = 120.0
# Monday noon in Berlin, years ahead: Redis forgets a counter once its window has passed by
# the wall clock, as it should
NOW = datetime(2036, 11, 3, 11, 0, tzinfo=UTC)
WEIGHTS = {"u1": 3, "u2": 2, "u3": 1, "u4": 1, "u5": 1}


def weighted_pool(*caps: WindowCap, own: dict[str, int] | None = None) -> Pool:
    own = own or {}
    members = tuple(
        Member(u, w, (WindowCap("day", own[u]),) if u in own else None) for u, w in WEIGHTS.items()
    )
    return Pool("inbound", members, caps=caps, time_zone="Europe/Berlin")


def assign(pool: Pool, state: RedisState, now: datetime) -> str | None:
    for _ in range(1000):
        choice = choose(pool, state, lambda _user: None, now=now)
        if choice.pick is None:
            return None
        if state.commit(choice.pick):
            return choice.pick.user_id
    raise AssertionError("no commit in 1000 attempts")


def _route_in_process(
    url: str, namespace: str, pool: Pool, leads: int, start: Any, results: Any
) -> None:
    state = RedisState.from_url(url, namespace)
    start.wait(timeout=DEADLINE_S)  # all processes begin together, so their commits collide
    results.put([assign(pool, state, NOW + timedelta(seconds=i)) for i in range(leads)])


def route_concurrently(url: str, namespace: str, pool: Pool, leads_each: int) -> list[str | None]:
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(PROCESSES), ctx.Queue()
    processes = [
        ctx.Process(
            target=_route_in_process, args=(url, namespace, pool, leads_each, start, results)
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


def test_four_processes_keep_weighted_shares_and_never_pass_a_daily_cap(
    redis_url: str, redis_state: RedisState, redis_namespace: str
) -> None:
    # 4 × 30 = 120 leads; caps 30/day each, u2 ramping at 12: u1's weighted share (45) is cut
    pool = weighted_pool(WindowCap("day", 30), WindowCap("hour", 100, rolling=True), own={"u2": 12})
    assigned = route_concurrently(redis_url, redis_namespace, pool, leads_each=30)

    counts = Counter(user for user in assigned if user is not None)
    assert counts["u1"] == 30 and counts["u2"] == 12  # at their caps, never past them
    assert sum(counts.values()) == 30 + 12 + 3 * 26  # nobody else capped: every lead placed
    assert assigned.count(None) == 0
    # the uncapped members took turns by weight (1 each): equal within one lead
    uncapped = [counts[u] for u in ("u3", "u4", "u5")]
    assert max(uncapped) - min(uncapped) <= 1


def test_four_processes_split_an_uncapped_weighted_pool_within_one_of_each_share(
    redis_url: str, redis_state: RedisState, redis_namespace: str
) -> None:
    pool = weighted_pool(WindowCap("day", 1000))
    assigned = route_concurrently(redis_url, redis_namespace, pool, leads_each=37)

    counts = Counter(assigned)
    total = PROCESSES * 37
    for user, weight in WEIGHTS.items():
        share = total * weight / sum(WEIGHTS.values())
        assert abs(counts[user] - share) <= 1, (user, counts[user], share)


def test_four_processes_never_pass_a_pool_cap(
    redis_url: str, redis_state: RedisState, redis_namespace: str
) -> None:
    pool = weighted_pool(WindowCap("day", 25, scope=POOL_SCOPE))
    assigned = route_concurrently(redis_url, redis_namespace, pool, leads_each=20)

    assert len([u for u in assigned if u is not None]) == 25
    assert assigned.count(None) == PROCESSES * 20 - 25


# --- losing Redis -----------------------------------------------------------------------------


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store(database_url) as store:
        store.migrate()
        yield store


def test_the_counters_are_recounted_from_recorded_decisions_after_a_flush(
    redis_state: RedisState, store: Store
) -> None:
    pool = weighted_pool(WindowCap("day", 4), WindowCap("hour", 3, rolling=True))
    users = {u: Rep(u, u.upper()) for u in WEIGHTS}
    snapshot = CrmSnapshot(users=users, queues={"Q": Queue("Q", "Inbound")})
    policy = RoutingPolicy(
        "t",
        (Rule("all", target=ToPool("inbound")),),
        "u1",
        frozenset({"Q"}),
        pools={"inbound": pool},
    )
    router = Router(
        policy, World(snapshot), redis_state, clock=lambda lead: lead.created_date or NOW
    )
    redis_state.rebuild({}, {})
    first = [router.route(Lead(f"L{i}", owner_id="Q", created_date=NOW)) for i in range(8)]
    store.record_decisions("crm", first, decided_at=NOW)
    before = Counter(d.owner_id for d in first)  # u1 has 3 in the last hour: at that cap

    redis_state.clear()  # Redis lost everything
    redis_state.rebuild({}, {}, tallies=recorded_tallies(store, "crm", policy, NOW))
    later = [
        router.route(Lead(f"M{i}", owner_id="Q", created_date=NOW + timedelta(minutes=5)))
        for i in range(20)
    ]

    after = before + Counter(d.owner_id for d in later if d.pool == "inbound")
    assert before["u1"] == 3
    assert after["u1"] == 3  # still at the rolling hourly cap: no second helping after the loss
    assert all(n <= 3 for n in after.values()) and sum(after.values()) == 3 * len(WEIGHTS)
