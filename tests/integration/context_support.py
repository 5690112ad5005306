"""A worker's context for one CRM, as the integration tests drive the worker's jobs: the
policy written to a file, a real Store and the real Redis state under the test's namespace,
all closed and cleared afterwards."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
import yaml

from connectors.base import Connector
from worker.jobs.context import CrmContext
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard
from worker.store.records import Store


@contextmanager
def crm_context(
    url: str,
    connector: Connector,
    policy: Mapping[str, Any],
    folder: Path,
    redis_url: str,
    namespace: str,
    database_url: str,
) -> Iterator[CrmContext]:
    policy_path = folder / "policy.yaml"
    policy_path.write_text(yaml.safe_dump(dict(policy), sort_keys=False))
    store = Store(database_url)
    store.migrate()
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    state = BatchedRedisState(client, namespace)
    try:
        yield CrmContext(
            url=url, key=namespace, policy_path=policy_path, connector=connector, state=state,
            store=store, board=CrmBoard(client),
            settings=Settings(LEADRELAY_HOME=str(folder / "home"), _env_file=None),
        )  # fmt: skip
    finally:
        state.clear()
        client.close()
        store.close()
