"""A worker context on a private Acme copy whose policy adds `hold:` and `notifications:`."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME_POLICY
from worker.jobs.context import Clock, CrmContext, utc_now
from worker.jobs.insights import InsightsHooks
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard, canonical_url, crm_key
from worker.state.distribution import RedisState
from worker.store.records import Store


def policy_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(ACME_POLICY.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return path


def add_column(path: Path, column: str, value: str = "") -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [*(reader.fieldnames or []), column]
        rows = [{**row, column: value} for row in reader]
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)


@contextmanager
def worker_context(
    crm: Path,
    policy: Path,
    database_url: str,
    redis_url: str,
    home: Path,
    clock: Clock = utc_now,
) -> Iterator[CrmContext]:
    """A worker's context with the insights hooked on, as bootstrap builds it; `clock` is the
    time the jobs and their hooks see."""
    url = canonical_url(f"csv:{crm}")
    key = crm_key(url)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = Store(database_url)
    store.migrate()
    settings = Settings.model_validate({"LEADRELAY_HOME": str(home), "DATABASE_URL": database_url})
    ctx = CrmContext(
        url,
        key,
        policy,
        CsvCrm(crm),
        BatchedRedisState(client, key),
        store,
        CrmBoard(client),
        settings,
        hooks=InsightsHooks(store, clock=clock),
        clock=clock,
    )
    try:
        yield ctx
    finally:
        store.close()


def clear_redis(ctx: CrmContext) -> None:
    RedisState(ctx.redis, ctx.key).clear()
