"""The enrichment hold through the worker's path: real Redis and SQL, the Acme copy with an
`Enriched__c` field no lead has yet. Time is injected; nothing sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.insights_support import (
    add_column,
    clear_redis,
    policy_with,
    worker_context,
)
from tests.integration.sla_support import cell, edit_rows
from worker.jobs import loop
from worker.jobs.context import CrmContext
from worker.jobs.holds import RedisHolds
from worker.jobs.insight_ticks import release_crm_holds
from worker.store.insights import InsightsStore

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOLD = """
hold:
  rules:
    - name: enrichment
      fields: [Enriched__c]
      timeout_minutes: 30
"""


@pytest.fixture
def clock() -> list[datetime]:
    return [T0]  # what the jobs see as now; a test moves it


@pytest.fixture
def ctx(
    acme_crm: Path, database_url: str, redis_url: str, tmp_path: Path, clock: list[datetime]
) -> Iterator[CrmContext]:
    add_column(acme_crm / "Lead.csv", "Enriched__c")
    policy = policy_with(tmp_path, HOLD)
    home = tmp_path / "home"
    with worker_context(
        acme_crm, policy, database_url, redis_url, home, clock=lambda: clock[0]
    ) as opened:
        yield opened
        clear_redis(opened)


def _held(ctx: CrmContext) -> dict[str, dict[str, object]]:
    store = InsightsStore(ctx.store.engine)
    return {h.record_id: {"since": h.since, "until": h.until} for h in store.held(ctx.key)}


def test_held_records_wait_and_are_visible(
    ctx: CrmContext, clock: list[datetime], acme_crm: Path
) -> None:
    outcome = loop.sweep_crm(ctx, "task-1")
    held = _held(ctx)
    assert outcome.routed == 0 and len(held) > 100
    assert {h["until"] for h in held.values()} == {T0 + timedelta(minutes=30)}
    assert RedisHolds(ctx.redis, ctx.key).count() == len(held)
    first = next(iter(held))
    assert cell(acme_crm / "Lead.csv", first, "OwnerId").startswith("00G")  # still queued

    from worker.bootstrap import Runtime
    from worker.reports import status
    from worker.state.board import ConfiguredCrm

    built = Runtime(ctx.settings, "", ctx.store, ctx.redis)
    built.board.register(ConfiguredCrm(ctx.url, str(ctx.policy_path)))
    shown = next(c for c in status.collect(built)["crms"] if c["key"] == ctx.key)
    assert shown["held"] == len(held)
    assert shown["held_records"][0]["missing"] == ["Enriched__c"]


def test_a_filled_record_is_routed_on_the_next_pass(
    ctx: CrmContext, clock: list[datetime], acme_crm: Path
) -> None:
    loop.sweep_crm(ctx, "task-1")
    record_id = sorted(_held(ctx))[0]
    edit_rows(acme_crm / "Lead.csv", record_id, Enriched__c="yes")
    clock[0] = T0 + timedelta(minutes=12)
    outcome = loop.sweep_crm(ctx, "task-2")
    assert outcome.routed == 1 and record_id in outcome.owners
    assert record_id not in _held(ctx)
    [decision] = ctx.store.decisions_for(record_id)
    assert decision.decision.trace["hold"]["outcome"] == "filled"
    assert "filled after 12 min" in decision.decision.trace["hold"]["why"]
    row = InsightsStore(ctx.store.engine).holds_for(ctx.key, record_id)
    assert row is not None and row["release"] == "filled"


def test_the_timeout_releases_every_held_record(ctx: CrmContext, clock: list[datetime]) -> None:
    loop.sweep_crm(ctx, "task-1")
    count = len(_held(ctx))
    released = sorted(_held(ctx))[0]
    clock[0] = T0 + timedelta(minutes=29)
    assert release_crm_holds(ctx, "beat-1", now=clock[0]) == {"due": 0}
    clock[0] = T0 + timedelta(minutes=30)
    result = release_crm_holds(ctx, "beat-2", now=clock[0])
    assert result == {"due": count, "routed": count, "gone": 0}
    assert _held(ctx) == {} and RedisHolds(ctx.redis, ctx.key).count() == 0
    assert InsightsStore(ctx.store.engine).held_count(ctx.key) == 0
    decision = ctx.store.decisions_for(released)[0].decision
    assert decision.trace["hold"]["outcome"] == "timeout"
    assert decision.trace["hold"]["missing"] == ["Enriched__c"]


def test_held_records_are_never_forgotten_across_a_restart(
    ctx: CrmContext,
    clock: list[datetime],
    acme_crm: Path,
    database_url: str,
    redis_url: str,
    tmp_path: Path,
) -> None:
    loop.sweep_crm(ctx, "task-1")
    before = _held(ctx)
    clear_redis(ctx)  # Redis lost; a new worker process with a new store connection
    clock[0] = T0 + timedelta(minutes=10)
    with worker_context(
        acme_crm, ctx.policy_path, database_url, redis_url, tmp_path / "home", ctx.clock
    ) as restarted:
        loop.sweep_crm(restarted, "task-2")
        assert _held(restarted) == before  # the same since and until: the wait is not reset
        assert RedisHolds(restarted.redis, restarted.key).count() == len(before)


def test_a_record_taken_by_hand_while_held_leaves_the_list(
    ctx: CrmContext, clock: list[datetime], acme_crm: Path
) -> None:
    loop.sweep_crm(ctx, "task-1")
    record_id = sorted(_held(ctx))[0]
    edit_rows(acme_crm / "Lead.csv", record_id, OwnerId="005A0000000000001")
    clock[0] = T0 + timedelta(minutes=31)
    result = release_crm_holds(ctx, "beat-1", now=clock[0])
    assert result["gone"] == 1
    row = InsightsStore(ctx.store.engine).holds_for(ctx.key, record_id)
    assert row is not None and row["release"] == "gone"
