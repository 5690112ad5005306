"""Prometheus metrics for `/metrics`.

What the receiver itself sees (requests, events, duplicates, event lag) is counted in this
process. What the worker knows (decisions by rule, SLA breaches, API budget left) lives in
other processes, so the worker publishes those figures to Redis (`FiguresRecorder`, and the
budget it already notes on the CRM board) and each scrape reads them back (`RedisFigures`),
with the broker's queue depth. One registry per app,
so several apps (tests) never share counters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol

import redis
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

LAG_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)


class WorkerFigures(Protocol):
    def decisions_by_rule(self) -> Mapping[str, int]: ...
    def sla_breaches(self) -> int: ...
    def queue_depth(self) -> int: ...
    def api_budget_left(self) -> Mapping[str, float]: ...


class EventMetrics:
    def __init__(self, figures: WorkerFigures | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "leadrelay_event_requests", "Webhook requests by source and HTTP status",
            ["source", "status"], registry=self.registry,
        )  # fmt: skip
        self.rejected = Counter(
            "leadrelay_event_rejections", "Requests refused, by source and reason",
            ["source", "reason"], registry=self.registry,
        )  # fmt: skip
        self.events = Counter(
            "leadrelay_events", "Events received, by source and outcome (new or duplicate)",
            ["source", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.enqueued = Counter(
            "leadrelay_event_records_enqueued", "Records enqueued for routing",
            ["source", "object"], registry=self.registry,
        )  # fmt: skip
        self.lag = Histogram(
            "leadrelay_event_lag_seconds", "From the change in the CRM to its event arriving",
            ["source"], buckets=LAG_BUCKETS, registry=self.registry,
        )  # fmt: skip
        if figures is not None:
            self.registry.register(_FiguresCollector(figures))


class _FiguresCollector(Collector):
    def __init__(self, figures: WorkerFigures) -> None:
        self._figures = figures

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time only: Redis may be down when the app starts

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("leadrelay_worker_figures_up", "1 if Redis answered the scrape")
        try:
            families = list(self._families())
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[Metric]:
        figures = self._figures
        decisions = CounterMetricFamily(
            "leadrelay_decisions", "Routing decisions by the rule that decided", labels=["rule"]
        )
        for rule, count in sorted(figures.decisions_by_rule().items()):
            decisions.add_metric([rule], count)
        yield decisions
        yield CounterMetricFamily(
            "leadrelay_sla_breaches", "Response-time SLAs breached", value=figures.sla_breaches()
        )
        yield GaugeMetricFamily(
            "leadrelay_queue_depth", "Tasks waiting in the broker", value=figures.queue_depth()
        )
        budget = GaugeMetricFamily(
            "leadrelay_api_budget_left_ratio",
            "Share of the CRM's daily API allowance left, as the CRM last reported it",
            labels=["crm"],
        )
        for crm, left in sorted(figures.api_budget_left().items()):
            budget.add_metric([crm], left)
        yield budget
