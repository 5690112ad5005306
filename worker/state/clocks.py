"""The worker's index of open SLA clocks in Redis: one sorted set per CRM namespace, scored
by due time, so a beat tick finds what is due with one range query however many are open.

A claim moves the due clocks' scores forward by a lease in the same script, so a second beat
(or a second worker) does not see them; a claim whose task died comes due again when the lease
runs out. The store's conditional claim stays the authority; this only keeps the work apart.
Redis is not the record: `rebuild` restores the index from the store after a loss.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

# KEYS: due zset. ARGV: now (epoch s), lease end (epoch s), limit.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #due, 2000 do
  local args = {}
  for j = i, math.min(i + 1999, #due) do
    args[#args + 1] = ARGV[2]
    args[#args + 1] = due[j]
  end
  redis.call('ZADD', KEYS[1], 'XX', unpack(args))
end
return due
"""
_BATCH = 5000


class RedisClocks:
    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self._redis = client
        self._due = f"leadrelay:{{{namespace}}}:sla:due"
        self._built = f"leadrelay:{{{namespace}}}:sla:built"
        self._claim = client.register_script(_CLAIM)

    def add(self, clocks: Iterable[tuple[str, datetime]]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        batch: dict[Any, Any] = {}
        for key, due in clocks:
            batch[key] = _epoch(due)
            if len(batch) >= _BATCH:
                pipe.zadd(self._due, batch)
                batch = {}
        if batch:
            pipe.zadd(self._due, batch)
        pipe.execute()

    def claim_due(self, at: datetime, lease: timedelta, limit: int = 1_000_000) -> list[str]:
        """Keys due by `at`, hidden from other callers until `at + lease`."""
        args = [_epoch(at), _epoch(at + lease), limit]
        return [_text(k) for k in self._claim(keys=[self._due], args=args)]

    def done(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        pipe = self._redis.pipeline(transaction=False)
        for start in range(0, len(keys), _BATCH):
            pipe.zrem(self._due, *keys[start : start + _BATCH])
        pipe.execute()

    def open_count(self) -> int:
        return int(self._redis.zcard(self._due))

    def is_built(self) -> bool:
        return bool(self._redis.exists(self._built))

    def rebuild(self, clocks: Iterable[tuple[str, datetime]]) -> None:
        """Replace the index with the store's unclosed clocks and mark it built."""
        self._redis.delete(self._due)
        self.add(clocks)
        self._redis.set(self._built, datetime.now(UTC).isoformat())


def _epoch(when: datetime) -> float:
    if when.tzinfo is None:
        raise ValueError(f"{when!r} has no time zone; pass an aware datetime (UTC)")
    return when.timestamp()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
