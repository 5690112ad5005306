"""The one place that wires settings → Redis → store → connectors → state → jobs.

Nothing connects at import. A worker process builds its `Runtime` on its first task (after the
pool forked it, so no connection is shared across a fork) and keeps one `CrmContext` per CRM,
so a CSV CRM's parsed files and the SQL connection pool outlive a single task.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis

from config.errors import PolicyError
from connectors.base import Connector
from connectors.registry import open_connector
from worker.jobs.context import NO_HOOKS, Clock, CrmContext, Hooks, utc_now
from worker.jobs.insights import InsightsHooks
from worker.jobs.policy.fields import read_policy_fields, unreadable_summary
from worker.jobs.policy.source import as_origin, copy_of, current_source, last_loaded
from worker.jobs.sla import SlaRun
from worker.logging import get_logger
from worker.notify.senders import Notifier, NotifySettings
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard, canonical_url, crm_key, meter_into
from worker.state.clocks import RedisClocks
from worker.state.embedded import ensure_redis
from worker.store.records import Store
from worker.store.sla import SlaStore

__all__ = [
    "ConnectorFactory",
    "Runtime",
    "configure",
    "hooks_for",
    "open_crm",
    "open_store",
    "policy_connector",
    "runtime",
    "sla_run",
]

log = get_logger(__name__)


ConnectorFactory = Callable[[str], Connector]


@dataclass
class Runtime:
    settings: Settings
    redis_url: str
    store: Store
    client: redis.Redis
    hooks: Hooks = NO_HOOKS
    notifier: Notifier | None = None
    connector_factory: ConnectorFactory = open_connector
    clock: Clock = utc_now
    _crms: dict[tuple[str, str], CrmContext] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        settings: Settings | None = None,
        *,
        connector_factory: ConnectorFactory | None = None,
        clock: Clock = utc_now,
    ) -> Runtime:
        settings = settings or Settings()
        redis_url = ensure_redis(settings)
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        store = Store(settings.database_url.get_secret_value())
        return cls(
            settings,
            redis_url,
            store,
            client,
            hooks=hooks_for(store, clock),
            notifier=Notifier(NotifySettings()),
            connector_factory=connector_factory or _connector_factory,
            clock=clock,
        )

    def connector(self, url: str) -> Connector:
        return self.connector_factory(url)

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
        connector = self.connector(url)
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
            hooks=self.hooks,
            notifier=self.notifier,
            clock=self.clock,
        )

    def close(self) -> None:
        self.store.close()
        self.client.close()


def open_store(settings: Settings | None = None) -> Store:
    """The durable record a command reads or writes, migrated to the schema's head."""
    store = Store((settings or Settings()).database_url.get_secret_value())
    try:
        store.migrate()
    except BaseException:
        store.close()
        raise
    return store


def open_crm(url: str) -> Connector:
    """A command's connector, opened as the worker's are (`configure`)."""
    return _connector_factory(url)


def policy_connector(url: str, policy: Path | None) -> Connector:
    """The CRM's connector, reading what the policy reads (and refusing what it lacks)."""
    connector = open_crm(url)
    if policy is not None:
        read_policy_fields(connector, policy)
    return connector


def sla_run(
    url: str, store: Store, policy: Path | None, settings: Settings | None = None
) -> SlaRun:
    """A command's SLA run: the worker's due-index when Redis is configured, the store's
    rotation cursors, and the same notifier and hooks as the worker."""
    settings = settings or Settings()
    key = crm_key(canonical_url(url))
    index = None
    if settings.redis_url is not None:
        client = redis.Redis.from_url(settings.redis_url.get_secret_value(), decode_responses=True)
        index = RedisClocks(client, key)
    return SlaRun(
        crm=key,
        connector=policy_connector(url, policy),
        policy_path=policy or Path(),
        store=SlaStore(store.engine),
        index=index,
        notifier=Notifier(NotifySettings()),
        cursors=store.last_slots_by_pool(key),
        dead_letter=store.dead_letter,
        hooks=hooks_for(store),
    )


def hooks_for(store: Store, clock: Clock = utc_now) -> Hooks:
    """What runs after the jobs: routing insights (notifications, held records)."""
    return InsightsHooks(store, clock=clock)


_connector_factory: ConnectorFactory = open_connector


def configure(*, connector_factory: ConnectorFactory) -> None:
    """How this process (and the worker processes it forks) opens its CRMs: a fault test's
    misbehaving CRM comes in through here, not by patching a module."""
    global _connector_factory
    _connector_factory = connector_factory


_lock = threading.Lock()
_current: tuple[int, Runtime] | None = None


def runtime() -> Runtime:
    """This process's runtime, built on first use; a forked child builds its own."""
    global _current
    with _lock:
        if _current is None or _current[0] != os.getpid():
            _current = (os.getpid(), Runtime.build())
        return _current[1]
