"""The worker's metrics: counts added to Redis by any process, read back at scrape time."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from prometheus_client import generate_latest

from routing.model import Decision
from worker.runtime.exporter import registry_for
from worker.state.counters import PREFIX, WorkerMetrics

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url, decode_responses=True)
    for key in connection.scan_iter(PREFIX + "*"):
        connection.delete(key)
    yield connection
    for key in connection.scan_iter(PREFIX + "*"):
        connection.delete(key)
    connection.close()


def _decision(rule: str, pool: str | None) -> Decision:
    return Decision(uuid.uuid4().hex, "Lead", "005A", None, None, "none", rule, 0, None, pool,
                    "r", {})  # fmt: skip


def _scrape(client: redis.Redis, held: int = 0) -> str:
    gauges = {
        "queue_depth": {"all": 3.0},
        "api_budget_left_ratio": {"acme": 0.25},
        "held_records": {"acme": float(held)},
    }
    return generate_latest(registry_for(client, lambda: gauges)).decode()


def test_counts_from_several_processes_add_up(client: redis.Redis) -> None:
    one, two = WorkerMetrics(client), WorkerMetrics(client)  # as two prefork children would
    one.routed("acme", [_decision("emea", "emea"), _decision("fallback", None)], [0.0004, 0.02])
    two.routed("acme", [_decision("emea", "emea")], [3.0])
    one.sla_breaches("acme", 2)
    two.notifications("acme", {"sent": 5, "failed_attempt": 1, "given_up": 0})
    text = _scrape(client, held=7)
    assert 'leadrelay_worker_decisions_total{crm="acme",pool="emea",rule="emea"} 2.0' in text
    assert 'leadrelay_worker_decisions_total{crm="acme",pool="none",rule="fallback"} 1.0' in text
    assert 'leadrelay_routing_latency_seconds_bucket{crm="acme",le="0.0005"} 1.0' in text
    assert 'leadrelay_routing_latency_seconds_bucket{crm="acme",le="0.025"} 2.0' in text
    assert 'leadrelay_routing_latency_seconds_bucket{crm="acme",le="+Inf"} 3.0' in text
    assert 'leadrelay_routing_latency_seconds_count{crm="acme"} 3.0' in text
    assert 'leadrelay_worker_sla_breaches_total{crm="acme"} 2.0' in text
    assert 'leadrelay_notifications_total{crm="acme",outcome="sent"} 5.0' in text
    assert 'leadrelay_worker_held_records{crm="acme"} 7.0' in text
    assert 'leadrelay_worker_api_budget_left_ratio{crm="acme"} 0.25' in text
    assert "leadrelay_worker_up 1.0" in text


def test_a_scrape_without_redis_says_so() -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    text = generate_latest(registry_for(dead, lambda: {})).decode()
    assert "leadrelay_worker_up 0.0" in text


def test_the_sample_dashboard_reads_these_metrics() -> None:
    dashboard = json.loads((REPO / "deploy" / "grafana" / "leadrelay.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for name in (
        "leadrelay_worker_decisions_total",
        "leadrelay_routing_latency_seconds_bucket",
        "leadrelay_worker_sla_breaches_total",
        "leadrelay_worker_queue_depth",
        "leadrelay_worker_api_budget_left_ratio",
        "leadrelay_worker_held_records",
        "leadrelay_notifications_total",
    ):
        assert name in exprs
