"""Counting calls and watching the CRM's daily API allowance.

The meter is consulted before every HTTP call: once the share of the daily allowance we may use
is spent, the next call raises `QuotaExhausted` instead of being made, so a job stops cleanly
between pages or batches rather than in a retry storm against a spent limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from connectors._retry import Clock, utc_now
from connectors.base import ApiBudget, QuotaExhausted

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class ApiMeter:
    crm: str
    max_share: float = 0.5
    resume_after: timedelta = timedelta(hours=1)
    clock: Clock = field(default=utc_now)
    calls: int = 0
    budget: ApiBudget | None = None
    # told of every call and every reading (the worker keeps the day's spend in Redis); a
    # listener that fails is logged, never fails the call
    on_call: Callable[[], object] | None = None
    on_budget: Callable[[ApiBudget], object] | None = None

    def before_call(self) -> None:
        if self.budget is not None and self.budget.share_used >= self.max_share:
            raise self.exhausted(
                f"{self.crm} daily API usage is {self.budget.used}/{self.budget.limit}, at or "
                f"above the configured {self.max_share:.0%} share"
            )

    def count_call(self) -> None:
        self.calls += 1
        if self.on_call is not None:
            _tell(self.on_call)

    def record(self, budget: ApiBudget) -> None:
        self.budget = budget
        if self.on_budget is not None:
            on_budget = self.on_budget
            _tell(lambda: on_budget(budget))

    def exhausted(self, why: str) -> QuotaExhausted:
        resume_at = self.clock() + self.resume_after
        log.warning("crm_quota_exhausted", crm=self.crm, why=why, resume_at=resume_at.isoformat())
        return QuotaExhausted(f"{why}; stopping, resume at {resume_at.isoformat()}", resume_at)


class MeteredConnector:
    """What a connector with a meter tells `leadrelay status` and the benchmarks."""

    meter: ApiMeter

    @property
    def api_calls(self) -> int:
        return self.meter.calls

    def api_budget(self) -> ApiBudget | None:
        return self.meter.budget


def _tell(listener: Callable[[], object]) -> None:
    try:
        listener()
    except Exception:  # noqa: BLE001 — counting calls must never fail one
        log.warning("api_meter_listener_failed", exc_info=True)
