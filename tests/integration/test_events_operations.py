"""/healthz, /readyz and /metrics under a real server with real Redis, and the production
enqueue: which Celery task each event becomes, for the CRM a worker registered."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from events_support import (
    ORG_ID_18,
    RecordingEnqueue,
    fresh_logging,  # noqa: F401  (a fixture)
    hubspot_event,
    outbound_message,
    post_hubspot,
    post_salesforce,
    served,
)
from redis.backoff import NoBackoff
from redis.retry import Retry
from test_events_hubspot import settings as hubspot_settings

from routing.model import Decision
from worker.events import RedisDedupe, create_app
from worker.events.wiring import POLL, ROUTE_RECORDS, CeleryEnqueue, NoWorkerForCrm
from worker.names import QUEUE
from worker.state.board import ConfiguredCrm, CrmBoard
from worker.state.counters import RedisFigures, WorkerMetrics

NO_RETRY = Retry(NoBackoff(), 0)


pytestmark = pytest.mark.usefixtures("fresh_logging")


@pytest.fixture
def client_redis(redis_url: str) -> Iterator[redis.Redis]:
    """A database of its own: the figures and the board use fixed keys."""
    client = redis.Redis.from_url(redis_url, db=7, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def decided(rule: str, pool: str | None = None) -> Decision:
    return Decision("L1", "Lead", "U1", "Q1", None, "none", rule, 0, None, pool, "", {})


def test_health_readiness_and_metrics(client_redis: redis.Redis, http: httpx.Client) -> None:
    worker = WorkerMetrics(client_redis)  # what the workers record, read at scrape time
    worker.routed("csv:a", [decided("named-account"), decided("round-robin")], [])
    worker.routed("csv:b", [decided("round-robin", "sdr")], [])
    worker.sla_breaches("csv:a", 2)
    worker.sla_breaches("csv:b", 1)
    board = CrmBoard(client_redis)
    hubspot = ConfiguredCrm("hubspot:", "/srv/policy.yaml")
    board.register(hubspot)
    board.note_budget(hubspot.key, used=1_000, limit=500_000)  # as the worker does
    client_redis.rpush(QUEUE, "m1", "m2")
    client_redis.rpush(QUEUE + "\x06\x169", "m3")
    ready = {"redis": lambda: bool(client_redis.ping()), "worker": lambda: False}
    app = create_app(
        hubspot_settings(SALESFORCE_ORG_ID=ORG_ID_18),
        RecordingEnqueue(),
        RedisDedupe(client_redis, 86_400, uuid.uuid4().hex),
        figures=RedisFigures(client_redis, QUEUE),
        checks=ready,
    )
    with served(app) as base:
        assert http.get(f"{base}/healthz").json() == {"status": "ok"}
        readiness = http.get(f"{base}/readyz")
        post_hubspot(http, base, [hubspot_event(1, "contact.creation", 7)])
        post_hubspot(http, base, [hubspot_event(1, "contact.creation", 7)])
        post_hubspot(http, base, b"[")
        post_salesforce(http, base, outbound_message([("04l1", "Lead", "00Q1")]))
        metrics = http.get(f"{base}/metrics").text
    assert readiness.status_code == 503
    assert readiness.json() == {"ready": False, "checks": {"redis": True, "worker": False}}
    for line in (
        'leadrelay_decisions_total{rule="round-robin"} 2.0',
        "leadrelay_sla_breaches_total 3.0",
        "leadrelay_queue_depth 3.0",
        f'leadrelay_api_budget_left_ratio{{crm="{hubspot.key}"}} 0.998',
        'leadrelay_events_total{outcome="new",source="hubspot"} 1.0',
        'leadrelay_events_total{outcome="duplicate",source="hubspot"} 1.0',
        'leadrelay_event_rejections_total{reason="not_json",source="hubspot"} 1.0',
        'leadrelay_event_requests_total{source="salesforce",status="200"} 1.0',
        'leadrelay_event_records_enqueued_total{object="Lead",source="salesforce"} 1.0',
        'leadrelay_event_lag_seconds_count{source="hubspot"} 1.0',
        "leadrelay_worker_figures_up 1.0",
    ):
        assert line in metrics, line


def test_metrics_still_answer_when_redis_is_gone(http: httpx.Client) -> None:
    gone = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=NO_RETRY)
    app = create_app(
        hubspot_settings(),
        RecordingEnqueue(),
        RedisDedupe(gone, 86_400),
        figures=RedisFigures(gone, QUEUE),
        checks={"redis": lambda: bool(gone.ping())},
    )
    with served(app) as base:
        metrics = http.get(f"{base}/metrics")
        readiness = http.get(f"{base}/readyz")
        event = post_hubspot(http, base, [hubspot_event(1, "contact.creation", 7)])
    assert metrics.status_code == 200
    assert "leadrelay_worker_figures_up 0.0" in metrics.text
    assert readiness.status_code == 503
    assert event.status_code == 503  # HubSpot retries; nothing is lost


class SentTasks:
    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Any]]] = []

    def __call__(self, name: str, args: list[Any]) -> None:
        self.sent.append((name, args))


def test_the_production_enqueue_routes_leads_and_polls_for_other_objects(
    client_redis: redis.Redis,
) -> None:
    board = CrmBoard(client_redis)
    board.register(ConfiguredCrm("hubspot:", "/etc/leadrelay/policy.yaml"))
    sent = SentTasks()
    enqueue = CeleryEnqueue(board, sent)
    enqueue("hubspot", "Lead", ["501", "502"])
    enqueue("hubspot", "Account", ["9001"])
    with pytest.raises(NoWorkerForCrm):
        enqueue("salesforce", "Lead", ["00Q1"])
    assert sent.sent == [
        (ROUTE_RECORDS, ["hubspot:", "/etc/leadrelay/policy.yaml", ["501", "502"]]),
        (POLL, ["hubspot:", "/etc/leadrelay/policy.yaml"]),
    ]
    assert enqueue.serves("hubspot") and not enqueue.serves("salesforce")
