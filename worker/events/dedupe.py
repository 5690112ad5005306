"""Event de-duplication: the first delivery of an event id claims it in Redis (SET NX with a
TTL of at least a day); redeliveries, in any order, find it taken. A claim is released when
the enqueue after it failed, so the CRM's retry is not mistaken for a duplicate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import redis

PREFIX = "leadrelay:events:seen:"


class Dedupe(Protocol):
    def claim(self, source: str, event_ids: Sequence[str]) -> list[bool]:
        """For each id, True if this call saw it first."""
        ...

    def release(self, source: str, event_ids: Sequence[str]) -> None: ...


class RedisDedupe:
    def __init__(self, client: redis.Redis, ttl_s: float, namespace: str = "default") -> None:
        self._redis = client
        self._ttl_ms = max(1, int(ttl_s * 1000))
        self._prefix = f"{PREFIX}{namespace}:"

    def _key(self, source: str, event_id: str) -> str:
        return f"{self._prefix}{source}:{event_id}"

    def claim(self, source: str, event_ids: Sequence[str]) -> list[bool]:
        pipe = self._redis.pipeline(transaction=False)
        for event_id in event_ids:
            pipe.set(self._key(source, event_id), "1", nx=True, px=self._ttl_ms)
        return [bool(first) for first in pipe.execute()]

    def release(self, source: str, event_ids: Sequence[str]) -> None:
        if event_ids:
            self._redis.delete(*(self._key(source, event_id) for event_id in event_ids))

    def ping(self) -> bool:
        return bool(self._redis.ping())
