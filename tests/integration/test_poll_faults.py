"""A CRM that cannot be read (down, throttling) pauses its polls, for its Retry-After or for a
backoff that grows with each failed poll in a row; nothing is lost meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from connectors.base import RetryableError, Throttled
from connectors.csvcrm.connector import CsvCrm
from routing.model import CrmSnapshot
from tests.e2e.synthetic import QUEUE_ID, owners, write_pool_crm, write_pool_policy
from worker.jobs.context import CrmContext
from worker.jobs.loop import poll_crm
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard
from worker.store.records import WRITTEN, Store


class FailingCrm(CsvCrm):
    failures: list[Exception]

    def snapshot(self) -> CrmSnapshot:
        if self.failures:
            raise self.failures.pop(0)
        return super().snapshot()


@pytest.fixture
def context(
    tmp_path: Path, redis_url: str, redis_namespace: str, database_url: str
) -> Iterator[CrmContext]:
    crm = write_pool_crm(tmp_path / "crm", 10)
    store = Store(database_url)
    store.migrate()
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    state = BatchedRedisState(client, redis_namespace)
    connector = FailingCrm(crm)
    connector.failures = []
    yield CrmContext(
        url=f"csv:{crm}",
        key=redis_namespace,
        policy_path=write_pool_policy(tmp_path / "policy.yaml"),
        connector=connector,
        state=state,
        store=store,
        board=CrmBoard(client),
        settings=Settings(
            LEADRELAY_HOME=str(tmp_path / "home"), LEADRELAY_POLL_SECONDS="2", _env_file=None
        ),
    )
    state.clear()
    client.delete(f"leadrelay:crm:{redis_namespace}:paused")
    store.close()


def paused_for(context: CrmContext) -> float:
    paused = context.board.paused(context.key)
    assert paused is not None
    return (datetime.fromisoformat(paused["until"]) - datetime.now(UTC)).total_seconds()


def resume(context: CrmContext) -> None:
    """The pause ran out (time is not waited for here)."""
    context.board._redis.delete(f"leadrelay:crm:{context.key}:paused")


def test_a_crm_that_is_down_is_polled_less_and_less_often(context: CrmContext) -> None:
    connector = context.connector
    assert isinstance(connector, FailingCrm)
    connector.failures = [RetryableError("connection refused")] * 3
    waits = []
    for attempt in range(3):
        outcome = poll_crm(context, f"poll-{attempt}")
        assert outcome.paused_until and "connection refused" in (outcome.skipped or "")
        waits.append(paused_for(context))
        assert poll_crm(context, "while-paused").skipped.startswith("paused")  # type: ignore[union-attr]
        resume(context)
    assert waits[0] <= 2.0 < waits[1] <= 4.0 < waits[2] <= 8.0  # 2, 4, 8 s: doubling

    back = poll_crm(context, "poll-back")
    assert back.routed == back.written == 10
    assert QUEUE_ID not in owners(Path(context.url.removeprefix("csv:"))).values()
    assert all(
        [r.write_status for r in context.store.decisions_for(lead_id)] == [WRITTEN]
        for lead_id in owners(Path(context.url.removeprefix("csv:")))
    )

    connector.failures = [RetryableError("503")]
    poll_crm(context, "poll-again")
    assert paused_for(context) <= 2.0  # a success reset the backoff


def test_a_throttled_read_waits_for_the_crms_retry_after(context: CrmContext) -> None:
    connector = context.connector
    assert isinstance(connector, FailingCrm)
    connector.failures = [Throttled("429 Too Many Requests", retry_after=30)]
    outcome = poll_crm(context, "poll-1")
    assert outcome.paused_until is not None
    assert 28 < paused_for(context) <= 30
    resume(context)
    assert poll_crm(context, "poll-2").routed == 10
