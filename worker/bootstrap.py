"""The one place that wires settings → Redis → store → connectors → state → jobs.

Nothing connects at import. A worker process builds its `Runtime` on its first task (after the
pool forked it, so no connection is shared across a fork) and keeps one `CrmContext` per CRM,
so a CSV CRM's parsed files and the SQL connection pool outlive a single task.
"""

from __future__ import annotations

import os
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import redis

from config.errors import PolicyError
from connectors.registry import open_connector
from worker.batch_state import BatchedRedisState
from worker.crm_board import CrmBoard, canonical_url, crm_key, meter_into
from worker.embedded_redis import ensure_redis
from worker.logging import get_logger
from worker.loop import CrmContext
from worker.policy_fields import read_policy_fields
from worker.policy_source import current_source
from worker.settings import Settings
from worker.store import Store

__all__ = ["Runtime", "runtime"]

log = get_logger(__name__)


@dataclass
class Runtime:
    settings: Settings
    redis_url: str
    store: Store
    client: redis.Redis
    _crms: dict[tuple[str, str], CrmContext] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings | None = None) -> Runtime:
        settings = settings or Settings()
        redis_url = ensure_redis(settings)
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        return cls(settings, redis_url, Store(settings.database_url.get_secret_value()), client)

    @property
    def board(self) -> CrmBoard:
        return CrmBoard(self.client)

    def crm(self, url: str, policy: str) -> CrmContext:
        wanted = (canonical_url(url), str(Path(policy).expanduser().resolve()))
        context = self._crms.get(wanted)
        if context is None:
            context = self._crms[wanted] = self._open(*wanted)
        return context

    def state(self, url: str) -> BatchedRedisState:
        return BatchedRedisState(self.client, crm_key(url))

    def _open(self, url: str, policy: str) -> CrmContext:
        connector = open_connector(url)
        meter_into(self.board, crm_key(url), connector)
        # it reads what the policy routed reads; one that does not load is the first
        # batch's to report (it then routes the version that loaded last, if any)
        source = current_source(self.store.engine, Path(policy))
        if source.content is not None:
            with suppress(PolicyError):
                read_policy_fields(connector, source.copy_in(self.settings.home))
        return CrmContext(
            url=url,
            key=crm_key(url),
            policy_path=Path(policy),
            connector=connector,
            state=self.state(url),
            store=self.store,
            board=self.board,
            settings=self.settings,
        )

    def close(self) -> None:
        self.store.close()
        self.client.close()


_lock = threading.Lock()
_current: tuple[int, Runtime] | None = None


def runtime() -> Runtime:
    """This process's runtime, built on first use; a forked child builds its own."""
    global _current
    with _lock:
        if _current is None or _current[0] != os.getpid():
            _current = (os.getpid(), Runtime.build())
        return _current[1]
