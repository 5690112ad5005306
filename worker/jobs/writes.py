"""One batch of owner writes, retried at the CRM boundary, always answered record by record.

Whatever the CRM does — refuses one record, fails the whole call, throttles, runs out of its
daily quota half-way — every change gets a `WriteResult`, so the caller records each outcome
and dead-letters each failure: a change is never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from connectors.base import (
    Connector,
    ConnectorError,
    QuotaExhausted,
    QuotaExhaustedDuringWrite,
    RetryableError,
    Throttled,
    WriteResult,
)
from routing.model import OwnerChange
from worker.logging import get_logger

__all__ = ["WRITE_ATTEMPTS", "Written", "quota_stopped", "write_owners"]

log = get_logger(__name__)

WRITE_ATTEMPTS = 4
_MAX_WAIT_S = 10.0


@dataclass(frozen=True, slots=True)
class Written:
    results: list[WriteResult]  # one per change, in order
    quota: QuotaExhausted | None = None  # set when the CRM's quota stopped the batch


def write_owners(connector: Connector, changes: Sequence[OwnerChange], *, dry_run: bool) -> Written:
    if not changes:
        return Written([])
    try:
        results = _with_retries(connector, changes, dry_run)
    except QuotaExhausted as stop:
        return Written(quota_stopped(changes, stop), stop)
    except RetryableError as error:
        why = f"the CRM kept failing after {WRITE_ATTEMPTS} attempts: {error}"
        return Written([_failed(c, why, True) for c in changes])
    except ConnectorError as error:
        return Written([_failed(c, f"the CRM refused the batch: {error}", False) for c in changes])
    return Written(results)


def quota_stopped(changes: Sequence[OwnerChange], stop: QuotaExhausted) -> list[WriteResult]:
    """One result per change: those written before the quota ran out, the rest not written."""
    done = (
        {r.record_id: r for r in stop.results}
        if isinstance(stop, QuotaExhaustedDuringWrite)
        else {}
    )
    why = f"not written: {stop}; it is written by `leadrelay retry` once the quota resets"
    return [done.get(c.record_id) or _failed(c, why, True) for c in changes]


def _with_retries(
    connector: Connector, changes: Sequence[OwnerChange], dry_run: bool
) -> list[WriteResult]:
    retrying = Retrying(
        retry=retry_if_exception_type(RetryableError),
        stop=stop_after_attempt(WRITE_ATTEMPTS),
        wait=_honour_retry_after,
        before_sleep=_log_retry,
        reraise=True,
    )
    for attempt in retrying:
        with attempt:
            return connector.write_owners(changes, dry_run=dry_run)
    raise AssertionError("unreachable: tenacity either returns or re-raises")


_backoff = wait_exponential_jitter(multiplier=0.5, max=_MAX_WAIT_S, jitter=0.5)


def _honour_retry_after(state: RetryCallState) -> float:
    """The CRM's Retry-After when it gave one (capped), else capped exponential backoff."""
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, Throttled) and error.retry_after is not None:
        return min(max(error.retry_after, 0.0), _MAX_WAIT_S)
    return float(_backoff(state))


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("owner write failed; retrying", attempt=state.attempt_number, error=str(error))


def _failed(change: OwnerChange, error: str, retryable: bool) -> WriteResult:
    return WriteResult(change.record_id, ok=False, error=error, retryable=retryable)
