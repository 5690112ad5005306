"""Production wiring for `leadrelay serve`: Redis for de-duplication and figures, and the
worker's Celery tasks for the work.

Records are routed by `leadrelay.route_records(crm_url, policy, ids)`, which re-reads them,
locks them and routes those still routable. Events about other objects (an account, a Salesforce
contact) make no lead routable by themselves, so they trigger a cheap incremental poll
(`leadrelay.poll`) instead. The CRM URL and policy come from what `leadrelay worker` registered
in Redis: a CRM no worker routes gets 503, so its events are retried rather than lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from starlette.applications import Starlette

from worker.console.app import build_console
from worker.events.app import Check, create_app
from worker.events.config import EventSettings
from worker.events.dedupe import RedisDedupe
from worker.names import POLL, QUEUE, ROUTE_RECORDS
from worker.settings import Settings
from worker.state.board import ConfiguredCrm, CrmBoard
from worker.state.counters import RedisFigures
from worker.state.embedded import ensure_redis

ROUTED_ONE_BY_ONE = frozenset({"Lead"})
_BOARD_CACHE_S = 5.0

SendTask = Callable[..., object]


class NoWorkerForCrm(RuntimeError):
    pass


class CeleryEnqueue:
    """`enqueue(crm, object, ids)` for the receiver, as Celery messages to the worker."""

    def __init__(self, board: CrmBoard, send_task: SendTask) -> None:
        self._board = board
        self._send_task = send_task
        self._cached: tuple[float, list[ConfiguredCrm]] = (float("-inf"), [])

    def __call__(self, crm: str, object: str, record_ids: list[str]) -> None:
        targets = [c for c in self._configured() if c.url.partition(":")[0].lower() == crm]
        if not targets:
            raise NoWorkerForCrm(f"no `leadrelay worker --crm {crm}:` is registered")
        for target in targets:
            if object in ROUTED_ONE_BY_ONE:
                self._send_task(ROUTE_RECORDS, args=[target.url, target.policy, record_ids])
            else:
                self._send_task(POLL, args=[target.url, target.policy])

    def _configured(self) -> list[ConfiguredCrm]:
        read_at, crms = self._cached
        if time.monotonic() - read_at > _BOARD_CACHE_S:
            crms = self._board.configured()
            self._cached = (time.monotonic(), crms)
        return crms

    def serves(self, crm: str) -> bool:
        return any(c.url.lower().startswith(crm + ":") for c in self._configured())


def build_app(events: EventSettings | None = None, settings: Settings | None = None) -> Starlette:
    from worker.runtime.app import app as celery_app  # configures itself (and Redis) on first use

    events = events or EventSettings()
    settings = settings or Settings()
    redis_url = ensure_redis(settings)
    # short timeouts: with Redis gone, a webhook gets its 503 (and is retried) in seconds
    client = redis.Redis.from_url(
        redis_url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2
    )
    enqueue = CeleryEnqueue(CrmBoard(client), celery_app.send_task)
    checks: dict[str, Check] = {"redis": lambda: bool(client.ping())}
    if events.hubspot_client_secret.get_secret_value():
        checks["hubspot_worker"] = lambda: enqueue.serves("hubspot")
    if events.salesforce_org_id:
        checks["salesforce_worker"] = lambda: enqueue.serves("salesforce")
    return create_app(
        events,
        enqueue,
        RedisDedupe(client, events.dedupe_ttl_s),
        figures=RedisFigures(client, QUEUE),
        checks=checks,
        console=build_console(settings, client, redis_url),
    )
