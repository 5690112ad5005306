"""The worker's path: a sweep routes and writes the Acme leads and starts their clocks (store
and Redis); the beat's check, run as of an injected moment, escalates through the shared state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME_POLICY
from tests.integration.sla_support import cell
from worker.jobs import loop
from worker.jobs.context import CrmContext
from worker.jobs.sla import check_slas, worker_run
from worker.settings import Settings
from worker.state.batch import BatchedRedisState  # what worker.bootstrap builds
from worker.state.board import CrmBoard, canonical_url, crm_key
from worker.state.clocks import RedisClocks
from worker.state.distribution import RedisState
from worker.store.records import Store
from worker.store.sla import SlaStore


def test_a_sweep_starts_clocks_and_a_check_escalates_them(
    acme_crm: Path, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    url = canonical_url(f"csv:{acme_crm}")
    key = crm_key(url)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = Store(database_url)
    store.migrate()
    settings = Settings.model_validate(
        {"LEADRELAY_HOME": str(tmp_path / "home"), "DATABASE_URL": database_url}
    )
    ctx = CrmContext(
        url,
        key,
        ACME_POLICY,
        CsvCrm(acme_crm),
        BatchedRedisState(client, key),
        store,
        CrmBoard(client),
        settings,
    )
    try:
        before = datetime.now(UTC)
        outcome = loop.sweep_crm(ctx, "task-1")
        assert outcome.routed > 100

        index = RedisClocks(client, key)
        sla = SlaStore(store.engine)
        opened = sla.counts(key, before, timedelta(minutes=5)).open
        assert opened > 0 and index.open_count() == opened

        report = check_slas(worker_run(ctx), before + timedelta(minutes=7))
        assert report.escalations
        moved = next(e for e in report.escalations if e.changes_owner)
        assert cell(acme_crm / "Lead.csv", moved.record_id, "OwnerId") == moved.to_owner_id
        again = check_slas(worker_run(ctx), before + timedelta(minutes=7))
        assert not {e.record_id for e in again.escalations} & {
            e.record_id for e in report.escalations if e.next_clock is None
        }
    finally:
        RedisState(client, key).clear()
        store.close()
