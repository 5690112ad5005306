"""Counting calls and watching the CRM's daily API allowance.

The meter is consulted before every HTTP call: once the share of the daily allowance we may use
is spent, the next call raises `QuotaExhausted` instead of being made, so a job stops cleanly
between pages or batches rather than in a retry storm against a spent limit.
"""

from __future__ import annotations

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

    def before_call(self) -> None:
        if self.budget is not None and self.budget.share_used >= self.max_share:
            raise self.exhausted(
                f"{self.crm} daily API usage is {self.budget.used}/{self.budget.limit}, at or "
                f"above the configured {self.max_share:.0%} share"
            )

    def count_call(self) -> None:
        self.calls += 1

    def record(self, budget: ApiBudget) -> None:
        self.budget = budget

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
