"""Coordination state in Redis: rotation cursors, open-lead loads and the counters of caps over
time (the routing engine's `DistributionState`), watermarks, per-record locks, redelivery
de-duplication, poll times.

Everything that must not interleave between workers is one Lua script, so a pick is committed
whole or not at all. Keys live under `leadrelay:{<namespace>}:`; the braces are a Redis Cluster
hash tag that keeps one namespace's keys in one slot, as multi-key scripts require.

Nothing here is the record: after a Redis loss `rebuild` restores loads from the CRM, cursors
and the caps' counters from the store, and watermarks are mirrored in SQL.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import redis

from routing.engine import Pick, Reading
from routing.engine.windows import Tally

_NONE = ""  # how a missing slot, expected slot or cap travels as a script argument

# KEYS: cursors hash, loads hash, the pool's recent-picks list, the rolling entries' sequence,
# then one key per tally (a counter for a calendar window, a sorted set for a rolling one).
# ARGV: pool, user, slot, expected slot, cap, window, then four per tally: limit, expiry (ms
# since the epoch), since ('' for a calendar window), at (epoch seconds).
# Every check comes before any write, so a pick is counted whole or not at all.
_COMMIT = """
if ARGV[3] ~= '' then
  local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
  if current ~= ARGV[4] then return 0 end
end
if ARGV[5] ~= '' then
  local load = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
  if load >= tonumber(ARGV[5]) then return 0 end
end
for i = 5, #KEYS do
  local a = 7 + (i - 5) * 4
  local count
  if ARGV[a + 2] == '' then
    count = tonumber(redis.call('GET', KEYS[i]) or '0')
  else
    count = redis.call('ZCOUNT', KEYS[i], '(' .. ARGV[a + 2], '+inf')
  end
  if count >= tonumber(ARGV[a]) then return 0 end
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if ARGV[6] ~= '' then
  redis.call('LPUSH', KEYS[3], ARGV[2])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[6]) - 1)
end
for i = 5, #KEYS do
  local a = 7 + (i - 5) * 4
  if ARGV[a + 2] == '' then
    redis.call('INCR', KEYS[i])
  else
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[a + 2])
    redis.call('ZADD', KEYS[i], ARGV[a + 3], redis.call('INCR', KEYS[4]))
  end
  redis.call('PEXPIREAT', KEYS[i], ARGV[a + 1])
end
return 1
"""

# KEYS: lock key. ARGV: token. Deletes the lock only for the holder of the token.
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: the state's `built` mark, its take-back window, then lock keys. ARGV: the lease in ms,
# then one token per lock key. Extends each lock still held with its token. A lock that is gone
# while the `built` mark is gone too, or within the take-back window that a rebuild opens, was
# lost with Redis's data (a restart, a flush), not taken: its holder takes it back.
# Returns the (1-based) positions among the lock keys of those no longer held.
_RENEW = """
local lost = {}
local wiped = redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 1
for i = 3, #KEYS do
  local current = redis.call('GET', KEYS[i])
  if current == ARGV[i - 1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
  elseif current == false and wiped then
    redis.call('SET', KEYS[i], ARGV[i - 1], 'PX', ARGV[1])
  else
    table.insert(lost, i - 2)
  end
end
return lost
"""


class RedisState:
    """Shared state for every worker of one namespace (usually one CRM).

    `round_trips` counts the requests sent to Redis by this object (a pipeline or a script is
    one), so benchmarks can report the cost per routed lead.
    """

    def __init__(self, client: redis.Redis, namespace: str = "default") -> None:
        if not namespace or "{" in namespace or "}" in namespace:
            raise ValueError(f"namespace {namespace!r} must be non-empty and without braces")
        self._redis = client
        self.namespace = namespace
        self.prefix = f"leadrelay:{{{namespace}}}:"
        self.round_trips = 0
        self._commit = client.register_script(_COMMIT)
        self._unlock = client.register_script(_UNLOCK)
        self._renew = client.register_script(_RENEW)

    @property
    def client(self) -> redis.Redis:
        return self._redis

    @classmethod
    def from_url(cls, url: str, namespace: str = "default") -> RedisState:
        return cls(redis.Redis.from_url(url, decode_responses=True), namespace)

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _sent(self, result: Any) -> Any:
        self.round_trips += 1
        return result

    # --- DistributionState -----------------------------------------------------------------

    def cursor(self, pool: str) -> int | None:
        value = self._sent(self._redis.hget(self._key("cursors"), pool))
        return None if value is None else int(value)

    def loads(self, user_ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}
        values = self._sent(self._redis.hmget(self._key("loads"), ids))
        return {u: int(v or 0) for u, v in zip(ids, values, strict=True)}

    def read(self, pool: str, user_ids: Sequence[str], tallies: Sequence[Tally]) -> Reading:
        """Loads, the cursor and the tallies' counts in one round trip."""
        ids = list(dict.fromkeys(user_ids))
        calendar = [t for t in tallies if t.since is None]
        rolling = [t for t in tallies if t.since is not None]
        pipe = self._redis.pipeline(transaction=False)
        pipe.hmget(self._key("loads"), ids or [""])
        pipe.hget(self._key("cursors"), pool)
        if calendar:
            pipe.mget([self._tally_key(t) for t in calendar])
        for tally in rolling:
            pipe.zcount(self._tally_key(tally), f"({tally.since}", "+inf")
        replies = self._sent(pipe.execute())
        loads = {u: int(v or 0) for u, v in zip(ids, replies[0], strict=False)}
        cursor = None if replies[1] is None else int(replies[1])
        sizes = replies[len(replies) - len(rolling) :]
        counts = _counts(calendar, replies[2] if calendar else [], rolling, sizes)
        return Reading(loads, cursor, counts)

    def commit(self, pick: Pick) -> bool:
        args: list[str | int | float] = [
            pick.pool,
            pick.user_id,
            _arg(pick.slot),
            _arg(pick.expected_slot),
            _arg(pick.cap),
            _arg(pick.window or None),  # best fit remembers the pool's last `window` picks
        ]
        keys = [
            self._key("cursors"),
            self._key("loads"),
            self._key("recent", pick.pool),
            self._key("rolling_seq"),
        ]
        for tally in pick.tallies:
            keys.append(self._tally_key(tally))
            since = "" if tally.since is None else repr(tally.since)
            args += [tally.limit, int(tally.expires * 1000), since, repr(tally.at)]
        return bool(self._sent(self._commit(keys=keys, args=args)))

    def _tally_key(self, tally: Tally) -> str:
        return self._key("tally", tally.key)

    def recent(self, pool: str, window: int) -> dict[str, int]:
        """Assignments per user among the pool's last `window` picks committed with a window."""
        if window <= 0:
            return {}
        newest = self._sent(self._redis.lrange(self._key("recent", pool), 0, window - 1))
        return dict(Counter(_text(user) for user in newest))

    def move_load(self, from_user: str | None, to_user: str) -> None:
        """Counts the assignment toward `to_user`; like `MemoryState`, the previous owner (a
        queue, for a routable record) keeps its count."""
        self._sent(self._redis.hincrby(self._key("loads"), to_user, 1))

    # --- after a Redis loss ------------------------------------------------------------------

    def rebuild(
        self,
        loads: Mapping[str, int],
        cursors: Mapping[str, int],
        take_back_s: float = 0.0,
        tallies: Iterable[tuple[Tally, Sequence[float]]] = (),
    ) -> None:
        """Replace loads and cursors whole, in one transaction, and mark the state built.
        `tallies`: each counter of a cap over time with the times of the assignments it
        counts (`routing.engine.windows.recount`), replacing what the counter held.
        `take_back_s`: for that long, live lock holders may still take back the locks Redis
        lost (`renew_records`); nobody takes a record lock until it has passed
        (`built_and_settled`)."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(self._key("loads"), self._key("cursors"))
        for name, values in (("loads", loads), ("cursors", cursors)):
            if values:
                fields: dict[Any, Any] = {key: int(value) for key, value in values.items()}
                pipe.hset(self._key(name), mapping=fields)
        for tally, times in tallies:
            self._restore_tally(pipe, tally, times)
        pipe.set(self._key("built"), _iso(datetime.now(UTC)))
        if take_back_s > 0:
            pipe.set(self._key("take_back"), "1", px=max(1, int(take_back_s * 1000)))
        self._sent(pipe.execute())

    def _restore_tally(self, pipe: Any, tally: Tally, times: Sequence[float]) -> None:
        key = self._tally_key(tally)
        pipe.delete(key)
        if not times:
            return
        if tally.since is None:
            pipe.set(key, len(times))
        else:
            pipe.zadd(key, {f"r{i}:{at!r}": at for i, at in enumerate(times)})
        pipe.pexpireat(key, int(tally.expires * 1000))

    def is_built(self) -> bool:
        """False on a fresh or flushed Redis: loads and cursors must be rebuilt first."""
        return bool(self._sent(self._redis.exists(self._key("built"))))

    def built_and_settled(self) -> tuple[bool, float]:
        """Whether the state is built, and the seconds left of its take-back window (0 when
        none is open), in one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.exists(self._key("built"))
        pipe.pttl(self._key("take_back"))
        built, left_ms = self._sent(pipe.execute())
        return bool(built), max(0, int(left_ms)) / 1000

    # --- watermarks and poll times -----------------------------------------------------------

    def get_watermark(self, crm: str, object: str) -> datetime | None:
        return _parse(self._sent(self._redis.hget(self._key("watermarks"), f"{crm}|{object}")))

    def set_watermark(self, crm: str, object: str, when: datetime) -> None:
        self._sent(self._redis.hset(self._key("watermarks"), f"{crm}|{object}", _iso(when)))

    def mark_polled(self, crm: str, when: datetime | None = None) -> None:
        stamp = _iso(when or datetime.now(UTC))
        self._sent(self._redis.hset(self._key("polled"), crm, stamp))

    def last_polled(self, crm: str) -> datetime | None:
        return _parse(self._sent(self._redis.hget(self._key("polled"), crm)))

    def note_failed_poll(self, crm: str) -> int:
        """Count a poll the CRM failed (down, throttling); returns how many in a row."""
        key = self._key("failed_polls", crm)
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, 3600)  # a count nobody clears (a CRM removed) does not linger
        count, _ = self._sent(pipe.execute())
        return int(count)

    def clear_failed_polls(self, crm: str) -> None:
        self._sent(self._redis.delete(self._key("failed_polls", crm)))

    # --- per-record locks and redelivery -----------------------------------------------------

    def lock_record(self, crm: str, record_id: str, ttl_s: float) -> str | None:
        """A token proving this caller holds the record for `ttl_s`, or None if another does."""
        token = secrets.token_hex(16)
        ttl_ms = max(1, int(ttl_s * 1000))
        key = self._key("lock", crm, record_id)
        taken = self._sent(self._redis.set(key, token, nx=True, px=ttl_ms))
        return token if taken else None

    def unlock_record(self, crm: str, record_id: str, token: str) -> bool:
        """Release the lock if `token` still holds it; an expired or stolen lock is left be."""
        key = self._key("lock", crm, record_id)
        return bool(self._sent(self._unlock(keys=[key], args=[token])))

    def renew_records(self, crm: str, tokens: Mapping[str, str], ttl_s: float) -> set[str]:
        """Extend the locks still held with these tokens to `ttl_s` from now (compare and set,
        in one script); returns the records whose lock was lost (expired, or taken since).
        After Redis lost its data (no `built` mark yet, or within the take-back window of the
        rebuild), a lock that is simply gone is taken back: its holder is alive, since it is
        renewing."""
        if not tokens:
            return set()
        ids = list(tokens)
        locks = (self._key("lock", crm, record_id) for record_id in ids)
        keys = [self._key("built"), self._key("take_back"), *locks]
        args: list[str | int] = [max(1, int(ttl_s * 1000)), *(tokens[i] for i in ids)]
        lost = self._sent(self._renew(keys=keys, args=args))
        return {ids[int(position) - 1] for position in lost}

    def seen_change(self, crm: str, key: str, ttl_s: float) -> bool:
        """True if this change was seen in the last `ttl_s` (a redelivery: skip it); the
        first caller gets False and the change is remembered."""
        ttl_ms = max(1, int(ttl_s * 1000))
        first = self._sent(self._redis.set(self._key("seen", crm, key), "1", nx=True, px=ttl_ms))
        return not first

    # --- housekeeping ------------------------------------------------------------------------

    def clear(self) -> int:
        """Delete this namespace's keys only (tests, `leadrelay reset`); other namespaces and
        the broker's queues on the same server are untouched."""
        removed = 0
        batch: list[str] = []
        for key in self._redis.scan_iter(match=_glob_escape(self.prefix) + "*", count=500):
            batch.append(key)
            if len(batch) == 500:
                removed += self._redis.unlink(*batch)
                batch.clear()
        if batch:
            removed += self._redis.unlink(*batch)
        return removed


def _counts(
    calendar: Sequence[Tally], values: Sequence[Any], rolling: Sequence[Tally], sizes: Sequence[Any]
) -> dict[str, int]:
    counts = {t.key: int(v or 0) for t, v in zip(calendar, values, strict=True)}
    counts.update((t.key, int(n)) for t, n in zip(rolling, sizes, strict=True))
    return counts


def _arg(value: int | None) -> str:
    return _NONE if value is None else str(value)


def _iso(when: datetime) -> str:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{when!r} has no time zone; pass an aware datetime (UTC)")
    return when.astimezone(UTC).isoformat()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _parse(value: str | bytes | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(_text(value)).astimezone(UTC)


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
