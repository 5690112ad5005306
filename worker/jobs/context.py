"""What a job is handed: one CRM as the worker sees it (`CrmContext`, built by
`worker.bootstrap`), and the hooks the rest of the worker hangs on the jobs (`Hooks`).

The jobs call their hooks without importing what is behind them (notifications, held records'
bookkeeping): bootstrap hands in the insights, a test hands in a recording fake, and a job
built without them runs with `NO_HOOKS`. Hooks take plain values, never a job's own types.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import redis

from connectors.base import Connector, WriteResult
from routing.model import CrmSnapshot, Decision
from routing.policy import RoutingPolicy
from routing.sla import Escalation
from worker.jobs.warm_session import WarmSession
from worker.logging import get_logger
from worker.notify.senders import Notifier
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard
from worker.store.records import Store

__all__ = [
    "NO_HOOKS",
    "BackfillMoved",
    "Clock",
    "CrmContext",
    "Hooks",
    "NoHooks",
    "Routed",
    "SlaChecked",
    "guest",
    "utc_now",
]

log = get_logger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Routed:
    """A batch once its owners are written and its decisions recorded."""

    policy: RoutingPolicy
    snapshot: CrmSnapshot
    decisions: Sequence[Decision]
    results: Sequence[WriteResult]
    key: str  # the task's key: what one batch tells is told once


@dataclass(frozen=True)
class SlaChecked:
    """One SLA tick's escalations, once carried out (not in a dry run)."""

    crm: str
    policy: RoutingPolicy
    snapshot: CrmSnapshot
    at: datetime
    escalations: Sequence[Escalation]
    write_errors: Mapping[str, str]


@dataclass(frozen=True)
class BackfillMoved:
    """A backfill run whose moves were written (not in a dry run)."""

    crm: str
    policy_path: Path
    snapshot: CrmSnapshot
    run_id: str


class Hooks(Protocol):
    """What runs after a job, as its guest: a hook that fails is logged and swallowed."""

    def after_routing(self, ctx: CrmContext, routed: Routed) -> None: ...

    def after_sla_check(self, checked: SlaChecked) -> None: ...

    def after_backfill(self, moved: BackfillMoved) -> int: ...


class NoHooks:
    def after_routing(self, ctx: CrmContext, routed: Routed) -> None:
        return None

    def after_sla_check(self, checked: SlaChecked) -> None:
        return None

    def after_backfill(self, moved: BackfillMoved) -> int:
        return 0


NO_HOOKS: Hooks = NoHooks()


@contextmanager
def guest(what: str, **context: Any) -> Iterator[None]:
    """Whatever fails inside is logged and swallowed: routing is never blocked or undone by
    a notification, a metric or a hold's bookkeeping."""
    try:
        yield
    except Exception:  # noqa: BLE001 — a guest must never sink routing
        log.exception(f"{what} failed; routing goes on", **context)


@dataclass
class CrmContext:
    """One CRM as the worker sees it; built by `worker.bootstrap`."""

    url: str
    key: str
    policy_path: Path
    connector: Connector
    state: BatchedRedisState
    store: Store
    board: CrmBoard
    settings: Settings
    hooks: Hooks = NO_HOOKS
    notifier: Notifier | None = None  # breach messages; None: none sent
    clock: Clock = utc_now
    warm: WarmSession | None = None  # the session kept between batches
    refused: dict[str, Any] | None = None  # the newest policy version that did not load
    full_read_at: float = 0.0  # change-feed CRMs: when everything was last read
    context_since: datetime | None = None  # ... and what else a decision reads, fed since then
    context_read_at: float = 0.0
    # one batch at a time uses the session (a prefork worker runs one task at a time anyway)
    session_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def redis(self) -> redis.Redis:
        return self.state.client

    @property
    def snapshot(self) -> CrmSnapshot | None:
        """The records the warm session holds now; None before this process's first read."""
        return self.warm.live.snapshot() if self.warm else None

    @property
    def routed_policy_path(self) -> Path:
        """The copy of the policy version the session routes (the file before the first)."""
        return self.warm.policy_path if self.warm else self.policy_path

    @property
    def lock_ttl_s(self) -> float:
        return self.settings.task_time_limit
