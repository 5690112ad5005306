"""The worker's metric counters in Redis: the keys, the writing side (`WorkerMetrics`, every
worker process) and the reading side (`RedisFigures`, whoever serves /metrics). No Prometheus
here: the worker's exporter and the event receiver both read through this module.

Why Redis and not prometheus_client's multiprocess mode: Celery's prefork children come and
go, and a deployment runs workers on several machines; here every process adds its counts to
Redis (one pipeline per routed batch, not per record) and a scrape reads the totals of all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import redis

from routing.model import Decision
from worker.state.board import CrmBoard

__all__ = [
    "LABEL_SEPARATOR",
    "LATENCY_BUCKETS",
    "PREFIX",
    "RedisFigures",
    "decoded",
    "WorkerMetrics",
]

_PRIORITY_SEP = "\x06\x16"  # kombu's Redis transport: one list per priority step
_PRIORITY_STEPS = ("", f"{_PRIORITY_SEP}3", f"{_PRIORITY_SEP}6", f"{_PRIORITY_SEP}9")
PREFIX = "leadrelay:metrics:worker:"
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
LABEL_SEPARATOR = _SEP = "|"  # a decision's counter label: crm|rule|pool
NO_POOL = "none"


class WorkerMetrics:
    """The recording side, shared by every worker process."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def routed(self, crm: str, decisions: Sequence[Decision], latencies: Sequence[float]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for decision in decisions:
            label = _SEP.join((crm, decision.rule, decision.pool or NO_POOL))
            pipe.hincrby(PREFIX + "decisions", label, 1)
        for seconds in latencies:
            bucket = next((str(b) for b in LATENCY_BUCKETS if seconds <= b), "+Inf")
            pipe.hincrby(PREFIX + "latency", f"{crm}{_SEP}{bucket}", 1)
        if latencies:
            pipe.hincrbyfloat(PREFIX + "latency_sum", crm, sum(latencies))
        pipe.execute()

    def sla_breaches(self, crm: str, count: int) -> None:
        if count:
            self._redis.hincrby(PREFIX + "sla_breaches", crm, count)

    def notifications(self, crm: str, counts: Mapping[str, int]) -> None:
        """Messages by outcome: sent, failed_attempt, given_up."""
        pipe = self._redis.pipeline(transaction=False)
        for outcome, count in counts.items():
            if count:
                pipe.hincrby(PREFIX + "notifications", f"{crm}{_SEP}{outcome}", count)
        pipe.execute()


class RedisFigures:
    """Reads the counters the workers keep in Redis (`WorkerMetrics`), the API budget
    each worker notes on the CRM board, and the length of the Celery queue."""

    def __init__(self, client: redis.Redis, queue: str) -> None:
        self._redis = client
        self._queue = queue

    def decisions_by_rule(self) -> Mapping[str, int]:
        by_rule: dict[str, int] = {}
        for label, count in self._redis.hgetall(PREFIX + "decisions").items():
            _crm, rule, _pool = decoded(label).split(LABEL_SEPARATOR)
            by_rule[rule] = by_rule.get(rule, 0) + int(count)
        return by_rule

    def sla_breaches(self) -> int:
        return sum(int(n) for n in self._redis.hgetall(PREFIX + "sla_breaches").values())

    def queue_depth(self) -> int:
        pipe = self._redis.pipeline(transaction=False)
        for suffix in _PRIORITY_STEPS:
            pipe.llen(self._queue + suffix)
        return sum(int(n) for n in pipe.execute())

    def api_budget_left(self) -> Mapping[str, float]:
        board = CrmBoard(self._redis)
        left = {}
        for crm in board.configured():
            budget = board.budget(crm.key)
            if budget and budget.get("limit"):
                left[crm.key] = max(0.0, 1 - budget["used"] / budget["limit"])
        return left


def decoded(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
