"""The one retry policy used at the CRM boundary.

Only `RetryableError`s are retried: capped exponential backoff with full jitter, or the CRM's
own `Retry-After` when it gave one. A `Retry-After` longer than the cap is not slept through:
it becomes `QuotaExhausted`, so a worker never blocks for an hour and the job is rescheduled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TypeVar

import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from connectors.base import QuotaExhausted, RetryableError, Throttled

T = TypeVar("T")
Sleep = Callable[[float], None]
Clock = Callable[[], datetime]

log = structlog.get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    initial_wait: float = 0.5
    max_wait: float = 30.0
    sleep: Sleep = field(default=time.sleep)
    clock: Clock = field(default=utc_now)


def call_with_retries(send: Callable[[], T], policy: RetryPolicy, *, crm: str) -> T:
    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=_wait_for(policy),
        retry=retry_if_exception_type(RetryableError),
        sleep=policy.sleep,
        before_sleep=_log_retry(crm),
        reraise=True,
    )
    return retrying(send)


def _wait_for(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    backoff = wait_random_exponential(multiplier=policy.initial_wait, max=policy.max_wait)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, Throttled) and error.retry_after is not None:
            return _honoured_retry_after(error.retry_after, policy)
        return float(backoff(state))

    return wait


def _honoured_retry_after(retry_after: float, policy: RetryPolicy) -> float:
    if retry_after > policy.max_wait:
        resume_at = policy.clock() + timedelta(seconds=retry_after)
        raise QuotaExhausted(
            f"the CRM asked us to wait {retry_after:.0f}s, longer than the "
            f"{policy.max_wait:.0f}s we wait inline; resume at {resume_at.isoformat()}",
            resume_at=resume_at,
        )
    return max(retry_after, 0.0)


def _log_retry(crm: str) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "crm_call_retry",
            crm=crm,
            attempt=state.attempt_number,
            error=str(error),
            wait_s=round(state.upcoming_sleep, 3),
        )

    return before_sleep


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header, given as seconds or as an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)
