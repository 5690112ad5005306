"""`RedisState` with fewer round trips per routed lead, for batches.

- a batch's records are locked in one pipeline and unlocked in another, not one request each.

A pool pick costs two requests either way (`RedisState.read`, then the compare-and-set commit)
and an owner-routed record one (its load). It uses RedisState's key layout and scripts, so both
read and write the same keys.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping

from worker.state.distribution import RedisState

__all__ = ["BatchedRedisState"]


class BatchedRedisState(RedisState):
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
