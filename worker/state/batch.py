"""`RedisState` with fewer round trips per routed lead, for batches.

- a batch's records are locked in one pipeline and unlocked in another, not one request each;
- a pool choice reads the members' loads and the pool cursors in one request (the engine asks
  for loads, then the cursor); the commit stays the compare-and-set script, so a cursor that
  moved in between still loses the race and the pick is retried.

Two requests per pool pick (read, commit) and one per owner-routed record (its load), instead
of five. It uses RedisState's key layout and scripts, so both read and write the same keys.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping

from routing.engine import Pick
from worker.state.distribution import RedisState

__all__ = ["BatchedRedisState"]


class BatchedRedisState(RedisState):
    _read_cursors: dict[str, str] | None = None

    # --- record locks, a batch at a time ----------------------------------------------------

    def lock_records(self, crm: str, record_ids: Iterable[str], ttl_s: float) -> dict[str, str]:
        """A token per record this caller now holds; records another holds are left out."""
        tokens = {record_id: secrets.token_hex(16) for record_id in record_ids}
        if not tokens:
            return {}
        ttl_ms = max(1, int(ttl_s * 1000))
        pipe = self._redis.pipeline(transaction=False)
        for record_id, token in tokens.items():
            pipe.set(self._key("lock", crm, record_id), token, nx=True, px=ttl_ms)
        taken = self._sent(pipe.execute())
        return {r: t for (r, t), ok in zip(tokens.items(), taken, strict=True) if ok}

    def unlock_records(self, crm: str, tokens: Mapping[str, str]) -> None:
        if not tokens:
            return
        pipe = self._redis.pipeline(transaction=False)
        for record_id, token in tokens.items():
            self._unlock(keys=[self._key("lock", crm, record_id)], args=[token], client=pipe)
        self._sent(pipe.execute())

    # --- one read per pool choice -----------------------------------------------------------

    def loads(self, user_ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(user_ids))
        pipe = self._redis.pipeline(transaction=False)
        pipe.hmget(self._key("loads"), ids or [""])
        pipe.hgetall(self._key("cursors"))
        values, cursors = self._sent(pipe.execute())
        self._read_cursors = dict(cursors)
        return {u: int(v or 0) for u, v in zip(ids, values, strict=False)}

    def cursor(self, pool: str) -> int | None:
        """The cursor read with the loads just before, when there was such a read."""
        read, self._read_cursors = self._read_cursors, None
        if read is None:
            return super().cursor(pool)
        value = read.get(pool)
        return None if value is None else int(value)

    def commit(self, pick: Pick) -> bool:
        self._read_cursors = None
        return super().commit(pick)

    def move_load(self, from_user: str | None, to_user: str) -> None:
        self._read_cursors = None
        super().move_load(from_user, to_user)
