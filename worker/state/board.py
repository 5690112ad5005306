"""What the workers tell `leadrelay status` about each CRM, kept in Redis: which CRMs are
configured (and with which policy), the last poll's outcome, the API budget last reported, and
a pause after the CRM's daily quota ran out.

None of this is the record: losing it loses a status line until the next poll writes it again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
import structlog

from connectors.budget import MeteredConnector
from connectors.estimate import Counts, snapshot_calls
from routing.model import CrmSnapshot

log = structlog.get_logger(__name__)

_CRMS = "leadrelay:crms"
_PREFIX = "leadrelay:crm:"


def crm_key(url: str) -> str:
    """A short, stable name for a CRM URL: the Redis namespace and the store's `crm` column.
    A csv: folder is named by its absolute path, so `./crm` and `/home/me/crm` agree."""
    scheme, _, rest = url.strip().partition(":")
    if scheme.lower() == "csv":
        rest = str(Path(rest.strip()).expanduser().resolve())
    digest = hashlib.sha256(f"{scheme.lower()}:{rest}".encode()).hexdigest()[:10]
    return f"{scheme.lower()}-{digest}"


def canonical_url(url: str) -> str:
    scheme, _, rest = url.strip().partition(":")
    if scheme.lower() == "csv":
        return f"csv:{Path(rest.strip()).expanduser().resolve()}"
    return url.strip()


@dataclass(frozen=True, slots=True)
class ConfiguredCrm:
    url: str
    policy: str

    @property
    def key(self) -> str:
        return crm_key(self.url)


class CrmBoard:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    @classmethod
    def from_url(cls, url: str) -> CrmBoard:
        return cls(redis.Redis.from_url(url, decode_responses=True))

    def register(self, crm: ConfiguredCrm) -> None:
        self._redis.hset(_CRMS, crm.key, json.dumps({"url": crm.url, "policy": crm.policy}))

    def configured(self) -> list[ConfiguredCrm]:
        found = self._redis.hgetall(_CRMS)
        return [ConfiguredCrm(**json.loads(value)) for _, value in sorted(found.items())]

    def note_poll(self, key: str, outcome: dict[str, Any]) -> None:
        stamped = {**outcome, "at": datetime.now(UTC).isoformat()}
        self._redis.set(_PREFIX + key + ":last_poll", json.dumps(stamped, default=str))

    def last_poll(self, key: str) -> dict[str, Any] | None:
        raw = self._redis.get(_PREFIX + key + ":last_poll")
        return None if raw is None else dict(json.loads(raw))

    def note_policy(self, key: str, routing: str, refused: dict[str, Any] | None) -> None:
        """The policy version the workers route, and the newer one they refused (and why)."""
        value = {"routing": routing, "refused": refused, "at": datetime.now(UTC).isoformat()}
        self._redis.set(_PREFIX + key + ":policy", json.dumps(value))

    def policy(self, key: str) -> dict[str, Any] | None:
        raw = self._redis.get(_PREFIX + key + ":policy")
        return None if raw is None else dict(json.loads(raw))

    def note_budget(self, key: str, used: int, limit: int) -> None:
        self._redis.set(_PREFIX + key + ":budget", json.dumps({"used": used, "limit": limit}))

    def budget(self, key: str) -> dict[str, int] | None:
        raw = self._redis.get(_PREFIX + key + ":budget")
        return None if raw is None else dict(json.loads(raw))

    def count_calls(self, key: str, calls: int = 1, at: datetime | None = None) -> None:
        """API calls LeadRelay made to the CRM, per UTC day, across every worker process."""
        day = _day_key(key, at or datetime.now(UTC))
        pipe = self._redis.pipeline(transaction=False)
        pipe.incrby(day, calls)
        pipe.expire(day, int(timedelta(days=2).total_seconds()))
        pipe.execute()

    def calls_today(self, key: str, at: datetime | None = None) -> int:
        raw = self._redis.get(_day_key(key, at or datetime.now(UTC)))
        return int(raw or 0)

    def pause(self, key: str, until: datetime, why: str) -> None:
        seconds = max(1, int((until - datetime.now(UTC)).total_seconds()))
        value = json.dumps({"until": until.isoformat(), "why": why})
        self._redis.set(_PREFIX + key + ":paused", value, ex=seconds)

    def paused(self, key: str) -> dict[str, str] | None:
        raw = self._redis.get(_PREFIX + key + ":paused")
        return None if raw is None else dict(json.loads(raw))


def _day_key(key: str, at: datetime) -> str:
    return f"{_PREFIX}{key}:calls:{at.astimezone(UTC):%Y-%m-%d}"


def meter_into(board: CrmBoard, key: str, connector: object) -> None:
    """Every API call of `connector` counted on the board, and every allowance the CRM reports
    noted as it arrives (from polls, sweeps, SLA ticks and events alike)."""
    if not isinstance(connector, MeteredConnector):
        return  # a CSV folder: no API
    meter = connector.meter
    meter.on_call = lambda: board.count_calls(key)
    meter.on_budget = lambda budget: board.note_budget(key, budget.used, budget.limit)


def log_sweep_spend(key: str, connector: object, known: CrmSnapshot | None) -> None:
    """Said before a sweep reads the whole CRM: the calls it will take, estimated from the
    record counts of the last read (none yet: the first sweep of this process)."""
    if not isinstance(connector, MeteredConnector):
        return
    if known is None:
        log.info("sweep_api_estimate", crm=key, calls=None,
                 why="no earlier read in this process: record counts unknown")  # fmt: skip
        return
    counts = Counts.of(known)
    calls = snapshot_calls(connector, counts)
    log.info("sweep_api_estimate", crm=key, calls=calls, counts=counts.text())
