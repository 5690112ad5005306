"""Owner writes to HubSpot: batch update of `hubspot_owner_id`, at most 100 records a call.

A 207 reply names the records that failed (e.g. OBJECT_NOT_FOUND for a deleted one). A 400
VALIDATION_ERROR rejects the whole batch without saying which record was at fault (an invalid
owner id, say), so the batch is split in halves until each bad record stands alone with its
own error and every good one is written. One result per change; nothing dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from hubspot.crm.objects import BatchInputSimplePublicObjectBatchInput, SimplePublicObjectBatchInput

from connectors.base import QuotaExhausted, QuotaExhaustedDuringWrite, RetryableError, WriteResult
from connectors.hubspot._transport import Rejected
from routing.model import OwnerChange

log = structlog.get_logger(__name__)

BATCH_LIMIT = 100
OBJECT_TYPES = {"Contact": "contacts", "Lead": "leads", "Account": "companies",
                "Opportunity": "deals"}  # fmt: skip


class HubSpotOwnerWriter:
    def __init__(self, objects: Any, batch_size: int = BATCH_LIMIT) -> None:
        self._objects = objects
        self._batch_size = min(batch_size, BATCH_LIMIT)

    def write(self, changes: Sequence[OwnerChange]) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        indexes = sorted(range(len(changes)), key=lambda i: changes[i].object)
        try:
            for start in range(0, len(indexes), self._batch_size):
                chunk = indexes[start : start + self._batch_size]
                try:
                    self._write_batch(changes, chunk, results)
                except RetryableError as exc:
                    _fail(changes, indexes[start:], results, f"not written: {exc}", retryable=True)
                    break
        except QuotaExhausted as exc:
            done = [results[i] for i in sorted(results)]
            raise QuotaExhaustedDuringWrite(str(exc), exc.resume_at, done) from None
        return [results[i] for i in range(len(changes))]

    def _write_batch(
        self, changes: Sequence[OwnerChange], chunk: list[int], results: dict[int, WriteResult]
    ) -> None:
        by_type: dict[str, list[int]] = {}
        for index in chunk:
            by_type.setdefault(OBJECT_TYPES.get(changes[index].object, ""), []).append(index)
        unknown = by_type.pop("", [])
        why = f"HubSpot owners are written for {sorted(OBJECT_TYPES)} only"
        _fail(changes, unknown, results, why, retryable=False)
        for object_type, indexes in by_type.items():
            self._write_same_type(object_type, changes, indexes, results)

    def _write_same_type(
        self,
        object_type: str,
        changes: Sequence[OwnerChange],
        indexes: list[int],
        results: dict[int, WriteResult],
    ) -> None:
        try:
            reply = self._update(object_type, [changes[i] for i in indexes])
        except Rejected as exc:
            if exc.status != 400 or len(indexes) == 1:
                _fail(changes, indexes, results, str(exc), retryable=False)
                return
            middle = len(indexes) // 2
            self._write_same_type(object_type, changes, indexes[:middle], results)
            self._write_same_type(object_type, changes, indexes[middle:], results)
            return
        failed = _failures(reply)
        for index in indexes:
            record_id = changes[index].record_id
            error = failed.get(record_id)
            results[index] = WriteResult(record_id, ok=error is None, error=error)
            if error:
                log.warning("hs_owner_write_failed", record_id=record_id, error=error)

    def _update(self, object_type: str, batch: Sequence[OwnerChange]) -> Any:
        inputs = [
            SimplePublicObjectBatchInput(
                id=c.record_id, properties={"hubspot_owner_id": c.owner_id}
            )
            for c in batch
        ]
        return self._objects.batch_api.update(
            object_type=object_type,
            batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(
                inputs=inputs
            ),
        )


def _failures(reply: Any) -> dict[str, str]:
    """Record id → error, from a 207's `errors` (each names its records in `context.ids`)."""
    failed: dict[str, str] = {}
    for error in getattr(reply, "errors", None) or []:
        text = f"{error.category}: {error.message}"
        for record_id in (error.context or {}).get("ids", []):
            failed[str(record_id)] = text
    return failed


def _fail(
    changes: Sequence[OwnerChange],
    indexes: Sequence[int],
    results: dict[int, WriteResult],
    why: str,
    *,
    retryable: bool,
) -> None:
    for index in indexes:
        record_id = changes[index].record_id
        results[index] = WriteResult(record_id, ok=False, error=why, retryable=retryable)
