"""Prometheus metrics from the worker: decisions by rule and pool, routing latency, SLA
breaches, assignment notifications, queue depth, API budget left, held records.

Why Redis and not prometheus_client's multiprocess mode: Celery's prefork children come and
go, and a deployment runs workers on several machines. Multiprocess mode needs its directory
set before prometheus_client is first imported, one shared directory per host, and still
gives one /metrics per host to add up. Here every process adds its counts to Redis (one
pipeline per routed batch, not per record), and one exporter — started by the worker's main
process when LEADRELAY_METRICS_PORT is set — reads the totals of every worker everywhere at
scrape time, with the gauges (queue depth, budget, held records) read live.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import redis
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.logging import get_logger
from worker.names import QUEUE
from worker.state.counters import LABEL_SEPARATOR as _SEP
from worker.state.counters import LATENCY_BUCKETS, PREFIX, RedisFigures, decoded

log = get_logger(__name__)


class MetricsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # LEADRELAY_METRICS_PORT: the worker's main process serves /metrics on this port;
    # 0 (the default): no exporter. One per worker node; the figures cover every worker.
    port: int = Field(default=0, ge=0, le=65535, alias="LEADRELAY_METRICS_PORT")
    addr: str = Field(default="0.0.0.0", alias="LEADRELAY_METRICS_ADDR")  # noqa: S104


Gauges = Callable[[], Mapping[str, Mapping[str, float]]]


class WorkerCollector(Collector):
    """The scrape side: totals from Redis, gauges from `gauges()` — a mapping of gauge name
    (queue_depth, api_budget_left_ratio, held_records) to values by CRM."""

    def __init__(self, client: redis.Redis, gauges: Gauges) -> None:
        self._redis = client
        self._gauges = gauges

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time only: Redis may be down when the exporter starts

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("leadrelay_worker_up", "1 if Redis answered the scrape")
        try:
            families = [*self._counters(), *self._gauge_families()]
        except redis.RedisError as error:
            log.warning("metrics scrape: Redis unavailable", error=type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _counters(self) -> Iterator[Metric]:
        pipe = self._redis.pipeline(transaction=False)
        for name in ("decisions", "latency", "latency_sum", "sla_breaches", "notifications"):
            pipe.hgetall(PREFIX + name)
        decisions, latency, latency_sum, breaches, notices = (
            {decoded(k): v for k, v in raw.items()} for raw in pipe.execute()
        )
        routed = CounterMetricFamily(
            "leadrelay_worker_decisions",
            "Routing decisions by CRM, the rule that decided and the pool picked from",
            labels=["crm", "rule", "pool"],
        )
        for label, count in sorted(decisions.items()):
            routed.add_metric(label.split(_SEP, 2), float(count))
        yield routed
        yield _histogram(latency, latency_sum)
        yield _by_crm(
            CounterMetricFamily(
                "leadrelay_worker_sla_breaches", "SLA clocks breached", labels=["crm"]
            ),
            breaches,
        )
        sent = CounterMetricFamily(
            "leadrelay_notifications",
            "Assignment notification messages by outcome (sent, failed_attempt, given_up)",
            labels=["crm", "outcome"],
        )
        for label, count in sorted(notices.items()):
            sent.add_metric(label.split(_SEP, 1), float(count))
        yield sent

    def _gauge_families(self) -> Iterator[Metric]:
        helps = {
            "queue_depth": "Tasks waiting in the broker",
            "api_budget_left_ratio": "Share of the CRM's daily API allowance left",
            "held_records": "Records held for enrichment now",
        }
        values = self._gauges()
        for name, help_text in helps.items():
            family = GaugeMetricFamily(f"leadrelay_worker_{name}", help_text, labels=["crm"])
            for crm, value in sorted(values.get(name, {}).items()):
                family.add_metric([crm], value)
            yield family


def _histogram(buckets: Mapping[str, Any], sums: Mapping[str, Any]) -> Metric:
    family = HistogramMetricFamily(
        "leadrelay_routing_latency_seconds",
        "Time to decide one record (the engine, matching included)",
        labels=["crm"],
    )
    per_crm: dict[str, dict[str, int]] = {}
    for label, count in buckets.items():
        crm, _, bound = label.rpartition(_SEP)
        per_crm.setdefault(crm, {})[bound] = int(count)
    for crm, counts in sorted(per_crm.items()):
        running, cumulative = 0, []
        for bound in (*map(str, LATENCY_BUCKETS), "+Inf"):
            running += counts.get(bound, 0)
            cumulative.append((bound, float(running)))
        family.add_metric([crm], cumulative, float(sums.get(crm, 0.0)))
    return family


def _by_crm(family: CounterMetricFamily, values: Mapping[str, Any]) -> Metric:
    for crm, count in sorted(values.items()):
        family.add_metric([crm], float(count))
    return family


# --- the exporter --------------------------------------------------------------------------------


def live_gauges(client: redis.Redis, queue: str, held: Callable[[], Mapping[str, int]]) -> Gauges:
    """Queue depth from the broker, budget from the CRM board, held records from `held`."""
    figures = RedisFigures(client, queue)

    def read() -> Mapping[str, Mapping[str, float]]:
        return {
            "queue_depth": {"all": float(figures.queue_depth())},
            "api_budget_left_ratio": dict(figures.api_budget_left()),
            "held_records": {k: float(v) for k, v in held().items()},
        }

    return read


def registry_for(client: redis.Redis, gauges: Gauges) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WorkerCollector(client, gauges))
    return registry


def start_worker_exporter(**_: Any) -> None:
    """Celery's `worker_init` (the main process, before the pool forks): serve /metrics when
    LEADRELAY_METRICS_PORT is set. A port in use is logged, never fatal."""
    settings = MetricsSettings()
    if not settings.port:
        return
    from worker.bootstrap import runtime
    from worker.store.insights import InsightsStore

    built = runtime()
    insights = InsightsStore(built.store.engine)
    gauges = live_gauges(built.client, QUEUE, lambda: _held_by_crm(built, insights))
    try:
        start_http_server(settings.port, settings.addr, registry_for(built.client, gauges))
    except OSError as error:
        log.warning("metrics exporter not started", port=settings.port, error=str(error))
        return
    log.info("metrics exporter listening", port=settings.port)


def _held_by_crm(built: Any, insights: Any) -> dict[str, int]:
    return {crm.key: insights.held_count(crm.key) for crm in built.board.configured()}
