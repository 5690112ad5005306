"""The worker's jobs in-process against real Redis and real SQL: a CRM with a change feed
(watermarks move only after the batch is written and recorded; a spent quota pauses the CRM
and keeps the watermark), the write retries, and the logging that never shows a secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import structlog

from connectors.base import (
    ChangePage,
    FatalError,
    QuotaExhausted,
    QuotaExhaustedDuringWrite,
    Throttled,
    Window,
    WriteResult,
)
from connectors.csvcrm.connector import CsvCrm
from routing.model import LEAD, OwnerChange
from tests.e2e.synthetic import (
    QUEUE_ID,
    append_leads,
    lead_id,
    lead_row,
    owners,
    write_pool_crm,
    write_pool_policy,
)
from worker.jobs.context import CrmContext
from worker.jobs.loop import poll_crm
from worker.jobs.writes import write_owners
from worker.logging import configure_logging, get_logger, redact
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard
from worker.store.records import WRITTEN, Store


class FeedCrm(CsvCrm):
    """The CSV CRM with a change feed keyed on CreatedDate, and an optional spent quota."""

    quota_spent = False

    def changes(self, object: str, window: Window) -> Iterator[ChangePage]:
        leads = tuple(
            lead
            for lead in self.snapshot().leads
            if lead.created_date
            and (window.start is None or lead.created_date >= window.start)
            and lead.created_date < window.end
        )
        yield ChangePage(object, leads, window.end)

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        if self.quota_spent:
            raise QuotaExhausted("daily API limit reached", datetime.now(UTC) + timedelta(hours=1))
        return super().write_owners(changes, dry_run=dry_run)


@pytest.fixture
def context(
    tmp_path: Path, redis_url: str, redis_namespace: str, database_url: str
) -> Iterator[CrmContext]:
    crm = write_pool_crm(tmp_path / "crm", 20)
    store = Store(database_url)
    store.migrate()
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    state = BatchedRedisState(client, redis_namespace)
    settings = Settings(LEADRELAY_HOME=str(tmp_path / "home"), _env_file=None)
    yield CrmContext(
        url=f"csv:{crm}",
        key=redis_namespace,
        policy_path=write_pool_policy(tmp_path / "policy.yaml"),
        connector=FeedCrm(crm),
        state=state,
        store=store,
        board=CrmBoard(client),
        settings=settings,
    )
    state.clear()
    client.delete(f"leadrelay:crm:{redis_namespace}:paused")
    store.close()


def test_a_feed_poll_routes_the_changes_then_moves_the_watermark(context: CrmContext) -> None:
    outcome = poll_crm(context, "task-1")
    assert outcome.routed == outcome.written == 20
    mark = context.store.watermark(context.key, LEAD)
    assert mark is not None and context.state.get_watermark(context.key, LEAD) == mark
    assert all(
        [r.write_status for r in context.store.decisions_for(lead_id(i))] == [WRITTEN]
        for i in range(20)
    )

    crm = Path(context.url.removeprefix("csv:"))
    append_leads(crm, [lead_row(20 + i, datetime.now(UTC)) for i in range(3)])
    again = poll_crm(context, "task-2")
    assert again.routed == 3  # the new ones; the first twenty are no longer routable
    assert QUEUE_ID not in owners(crm).values()
    assert context.store.watermark(context.key, LEAD) > mark  # type: ignore[operator]


def test_a_spent_quota_pauses_the_crm_and_keeps_the_watermark(context: CrmContext) -> None:
    assert isinstance(context.connector, FeedCrm)
    context.connector.quota_spent = True
    outcome = poll_crm(context, "task-1")
    assert outcome.paused_until is not None and outcome.written == 0
    assert context.store.watermark(context.key, LEAD) is None
    letters = context.store.open_dead_letters(context.key)
    assert len(letters) == 20 and "quota" in letters[0].error  # decided, written later
    assert poll_crm(context, "task-2").skipped.startswith("paused")  # type: ignore[union-attr]


class Scripted:
    """A connector whose write_owners raises what it is told to, in turn."""

    name = "scripted"

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def snapshot(self) -> object:
        raise NotImplementedError

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return [WriteResult(c.record_id, ok=True) for c in changes]


CHANGES = [OwnerChange("00Q1", LEAD, "005A"), OwnerChange("00Q2", LEAD, "005B")]


def test_throttling_is_retried_after_the_crm_s_retry_after() -> None:
    connector = Scripted(Throttled("429", retry_after=0.01), Throttled("429", retry_after=0.01))
    written = write_owners(connector, CHANGES, dry_run=False)  # type: ignore[arg-type]
    assert connector.calls == 3 and all(r.ok for r in written.results)


def test_a_fatal_error_fails_every_change_without_retrying() -> None:
    connector = Scripted(FatalError("401 bad credentials"))
    written = write_owners(connector, CHANGES, dry_run=False)  # type: ignore[arg-type]
    assert connector.calls == 1
    assert [r.ok for r in written.results] == [False, False]
    assert not any(r.retryable for r in written.results)


def test_a_quota_spent_mid_batch_keeps_the_writes_made() -> None:
    spent = QuotaExhaustedDuringWrite("limit", None, [WriteResult("00Q1", ok=True)])
    written = write_owners(Scripted(spent), CHANGES, dry_run=False)  # type: ignore[arg-type]
    assert [r.ok for r in written.results] == [True, False]
    assert written.results[1].retryable and written.quota is spent


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level
    structlog.reset_defaults()


@pytest.mark.usefixtures("restored_logging")
def test_logs_never_show_a_url_password(capsys: pytest.CaptureFixture[str]) -> None:
    assert redact("redis://user:hunter2@host:6379/0") == "redis://user:***@host:6379/0"
    configure_logging("json")
    get_logger("test").info("connected", url="postgresql://lr:s3cret@db/lr", token="pat-123")
    logging.getLogger("celery").warning("broker at redis://:hunter2@redis:6379")
    logged = capsys.readouterr().err
    assert "s3cret" not in logged and "pat-123" not in logged and "hunter2" not in logged
    assert "postgresql://lr:***@db/lr" in logged


def test_trouble_with_the_shared_state_leaves_the_record_for_the_next_poll(
    tmp_path: Path,
) -> None:
    """Never the fallback owner for a lost race or a Redis outage: the record stays routable."""
    import redis as redis_client

    from connectors.csvcrm.connector import CsvCrm
    from tests.conftest import ACME, ACME_POLICY
    from worker.jobs.loop import _decide
    from worker.jobs.session import open_session

    session = open_session(CsvCrm(ACME), ACME_POLICY)
    lead = next(x for x in session.snapshot.leads if x.id == "00Q000001700040DEV")  # an SDR pick

    def unreachable(_pick: object) -> bool:
        raise redis_client.ConnectionError("Redis went away")

    session.router.state.commit = unreachable  # type: ignore[method-assign]
    assert _decide(session, lead) is None
