"""The one place that wires settings → Redis → store → connectors → state → jobs.

Nothing connects at import. A worker process builds its `Runtime` on its first task (after the
pool forked it, so no connection is shared across a fork) and keeps one `CrmContext` per CRM,
so a CSV CRM's parsed files and the SQL connection pool outlive a single task.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import redis

from config.errors import PolicyError
from connectors.registry import open_connector
from worker.jobs.loop import CrmContext
from worker.jobs.policy_fields import read_policy_fields, unreadable_summary
from worker.jobs.policy_source import as_origin, copy_of, current_source, last_loaded
from worker.logging import get_logger
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard, canonical_url, crm_key, meter_into
from worker.state.embedded import ensure_redis
from worker.store.records import Store

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
        # it reads what the policy it routes reads, or this CRM is not routed at all; unless a
        # version loaded here before: the first batch then refuses this one and routes that
        source = current_source(self.store.engine, Path(policy))
        try:
            with as_origin(source):
                read_policy_fields(connector, copy_of(source, self.settings.home))
        except PolicyError as error:
            if last_loaded(self.settings.home, source.name) is None:
                log.error("policy_reads_unreadable_fields", crm=url, problems=str(error))
                self.board.note_poll(crm_key(url), {"skipped": unreadable_summary(error)})
                raise
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
