"""Owner writes to Salesforce: sObject Collections, or Bulk API 2.0 above a threshold.

Each change gets exactly one result. A record that fails for a reason that passes (a row
lock) is tried again in a later round; one that will not pass (inactive owner, validation
rule, deleted record) is reported as it is, for the dead letters. Nothing is dropped.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from connectors._retry import RetryPolicy
from connectors.base import (
    QuotaExhausted,
    QuotaExhaustedDuringWrite,
    RetryableError,
    WriteResult,
)
from connectors.salesforce._bulk import Bulk2
from routing.model import OwnerChange

log = structlog.get_logger(__name__)

RETRYABLE_RECORD_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})
COLLECTION_LIMIT = 200
Translate = Callable[[str], AbstractContextManager[None]]


class Restful(Protocol):
    def restful(self, path: str, params: Any = None, method: str = "GET", **kwargs: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class WriteSettings:
    collection_size: int = COLLECTION_LIMIT
    bulk_threshold: int = 2_000
    rounds: int = 3


class OwnerWriter:
    def __init__(
        self,
        sf: Restful,
        bulk: Bulk2,
        settings: WriteSettings,
        policy: RetryPolicy,
        translate: Translate,
    ) -> None:
        self._sf = sf
        self._bulk = bulk
        self._settings = settings
        self._policy = policy
        self._translate = translate

    def write(self, changes: Sequence[OwnerChange]) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        pending = list(range(len(changes)))
        try:
            if len(changes) > self._settings.bulk_threshold:
                pending = self._bulk_write(changes, pending, results)
            for round_number in range(self._settings.rounds):
                if not pending:
                    break
                if round_number:
                    self._pause(round_number)
                pending = self._collections_round(changes, pending, results)
        except QuotaExhausted as exc:
            done = [results[i] for i in sorted(results)]
            raise QuotaExhaustedDuringWrite(str(exc), exc.resume_at, done) from None
        return [results[i] for i in range(len(changes))]

    # -- sObject Collections ---------------------------------------------------------------

    def _collections_round(
        self, changes: Sequence[OwnerChange], pending: list[int], results: dict[int, WriteResult]
    ) -> list[int]:
        retry: list[int] = []
        ordered = sorted(pending, key=lambda i: changes[i].object)
        for position, chunk in enumerate(_chunks(ordered, self._settings.collection_size)):
            try:
                replies = self._patch([changes[i] for i in chunk])
            except RetryableError as exc:
                rest = ordered[position * self._settings.collection_size :]
                _fail_all(changes, rest, results, f"not written: {exc}")
                return []
            retry += _record_replies(changes, chunk, replies, results)
        return retry

    def _patch(self, batch: Sequence[OwnerChange]) -> list[Mapping[str, Any]]:
        body = {"allOrNone": False, "records": [_sobject(change) for change in batch]}
        with self._translate(f"writing {len(batch)} owners"):
            reply = self._sf.restful(
                "composite/sobjects",
                method="PATCH",
                json=body,
                headers={"Sforce-Auto-Assign": "FALSE"},
            )
        if not isinstance(reply, list) or len(reply) != len(batch):
            raise RetryableError("Salesforce's reply did not hold one result per record")
        return [item if isinstance(item, Mapping) else {} for item in reply]

    def _pause(self, round_number: int) -> None:
        cap = min(self._policy.max_wait, self._policy.initial_wait * 2**round_number)
        self._policy.sleep(random.uniform(0, cap))

    # -- Bulk API 2.0 ----------------------------------------------------------------------

    def _bulk_write(
        self, changes: Sequence[OwnerChange], pending: list[int], results: dict[int, WriteResult]
    ) -> list[int]:
        retry: list[int] = []
        for object, indexes in _by_object(changes, pending).items():
            with self._translate(f"writing {len(indexes)} {object} owners in bulk"):
                rows = self._bulk.update_owners(object, [changes[i] for i in indexes])
            for index, row in zip(indexes, rows, strict=True):
                code = (row.error or "").split(":", 1)[0]
                results[index] = WriteResult(
                    changes[index].record_id,
                    ok=row.ok,
                    error=row.error,
                    retryable=not row.ok and _retryable(code, row.error),
                )
                if results[index].retryable:
                    retry.append(index)
        return retry


def _record_replies(
    changes: Sequence[OwnerChange],
    chunk: Sequence[int],
    replies: Sequence[Mapping[str, Any]],
    results: dict[int, WriteResult],
) -> list[int]:
    retry: list[int] = []
    for index, reply in zip(chunk, replies, strict=True):
        result = _result_of(changes[index], reply)
        results[index] = result
        if result.retryable:
            retry.append(index)
        elif not result.ok:
            log.warning("sf_owner_write_failed", record_id=result.record_id, error=result.error)
    return retry


def _result_of(change: OwnerChange, reply: Mapping[str, Any]) -> WriteResult:
    if reply.get("success") is True:
        return WriteResult(change.record_id, ok=True)
    errors = reply.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], Mapping) else {}
    code = str(first.get("statusCode") or "UNKNOWN_ERROR")
    message = f"{code}: {first.get('message') or 'no message'}"
    fields = first.get("fields") or []
    if fields:
        message += f" (fields: {', '.join(map(str, fields))})"
    return WriteResult(change.record_id, ok=False, error=message, retryable=_retryable(code, ""))


def _retryable(code: str, message: str | None) -> bool:
    return code in RETRYABLE_RECORD_CODES or "not processed" in (message or "")


def _fail_all(
    changes: Sequence[OwnerChange],
    indexes: Sequence[int],
    results: dict[int, WriteResult],
    why: str,
) -> None:
    for index in indexes:
        results[index] = WriteResult(changes[index].record_id, ok=False, error=why, retryable=True)


def _sobject(change: OwnerChange) -> dict[str, Any]:
    return {
        "attributes": {"type": change.object},
        "id": change.record_id,
        "OwnerId": change.owner_id,
    }


def _by_object(changes: Sequence[OwnerChange], indexes: Sequence[int]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for index in indexes:
        grouped.setdefault(changes[index].object, []).append(index)
    return grouped


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
