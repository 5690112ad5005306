"""Bulk API 2.0: owner updates above the collections threshold, and large reads.

A job costs a handful of calls whatever its size (create, upload, close, a few polls, two
result downloads), which is why big writes and initial loads go here. Polling sleeps through
the injected sleeper, so tests never wait.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from connectors.base import RetryableError
from routing.model import OwnerChange

log = structlog.get_logger(__name__)

FINAL_STATES = frozenset({"JobComplete", "Failed", "Aborted"})


class SalesforceHttp(Protocol):
    bulk2_url: str

    def _call_salesforce(self, method: str, url: str, name: str = "", **kwargs: Any) -> Any: ...  # noqa: SLF001 — simple-salesforce's one authenticated call


@dataclass(frozen=True, slots=True)
class BulkSettings:
    poll_interval: float = 2.0
    max_polls: int = 900
    page_size: int = 50_000


@dataclass(frozen=True, slots=True)
class BulkRowResult:
    record_id: str
    ok: bool
    error: str | None


class Bulk2:
    def __init__(
        self, sf: SalesforceHttp, settings: BulkSettings, sleep: Callable[[float], None]
    ) -> None:
        self._sf = sf
        self._settings = settings
        self._sleep = sleep

    # -- writes ----------------------------------------------------------------------------

    def update_owners(self, object: str, changes: Sequence[OwnerChange]) -> list[BulkRowResult]:
        job = self._json("POST", "ingest/", json=_ingest_job(object))
        job_id = str(job["id"])
        log.info("sf_bulk_ingest_started", object=object, job_id=job_id, records=len(changes))
        self._call("PUT", f"ingest/{job_id}/batches/", data=_owner_csv(changes),
                   headers={"Content-Type": "text/csv"})  # fmt: skip
        self._json("PATCH", f"ingest/{job_id}/", json={"state": "UploadComplete"})
        state = self._wait_for(f"ingest/{job_id}/")
        log.info("sf_bulk_ingest_finished", object=object, job_id=job_id, state=state)
        return self._ingest_results(job_id, changes)

    def _ingest_results(self, job_id: str, changes: Sequence[OwnerChange]) -> list[BulkRowResult]:
        found: dict[str, BulkRowResult] = {}
        for row in self._csv(f"ingest/{job_id}/successfulResults/"):
            found[row["Id"]] = BulkRowResult(row["Id"], True, None)
        for row in self._csv(f"ingest/{job_id}/failedResults/"):
            found[row["Id"]] = BulkRowResult(row["Id"], False, row.get("sf__Error") or "failed")
        missing = "not processed by the Bulk API job (job stopped early)"
        return [found.get(c.record_id, BulkRowResult(c.record_id, False, missing)) for c in changes]

    # -- reads -----------------------------------------------------------------------------

    def query(self, soql: str) -> Iterator[list[dict[str, str]]]:
        job = self._json("POST", "query/", json={"operation": "query", "query": soql})
        job_id = str(job["id"])
        self._wait_for(f"query/{job_id}/")
        locator: str | None = ""
        while locator is not None:
            params: dict[str, Any] = {"maxRecords": self._settings.page_size}
            if locator:
                params["locator"] = locator
            reply = self._call("GET", f"query/{job_id}/results", params=params)
            yield _rows(_utf8(reply))
            next_locator = reply.headers.get("Sforce-Locator")
            locator = None if next_locator in (None, "", "null") else next_locator

    # -- plumbing --------------------------------------------------------------------------

    def _wait_for(self, path: str) -> str:
        for _ in range(self._settings.max_polls):
            state = str(self._json("GET", path).get("state"))
            if state in FINAL_STATES:
                return state
            self._sleep(self._settings.poll_interval)
        raise RetryableError(f"Salesforce Bulk API job {path} did not finish in time")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        # _call_salesforce rather than the raw session: it re-logs in on an expired session.
        call = self._sf._call_salesforce  # noqa: SLF001 — simple-salesforce's authenticated call
        return call(method, self._sf.bulk2_url + path, name="bulk2", **kwargs)

    def _json(self, method: str, path: str, **kwargs: Any) -> Mapping[str, Any]:
        body = self._call(method, path, **kwargs).json()
        if not isinstance(body, Mapping):
            raise ValueError(f"Bulk API {path} replied with {type(body).__name__}, not an object")
        return body

    def _csv(self, path: str) -> list[dict[str, str]]:
        return _rows(_utf8(self._call("GET", path)))


def _ingest_job(object: str) -> dict[str, str]:
    # Bulk API 2.0 runs assignment rules only when given an assignmentRuleId: we never give one.
    return {"object": object, "operation": "update", "contentType": "CSV", "lineEnding": "LF"}


def _owner_csv(changes: Sequence[OwnerChange]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Id", "OwnerId"])
    writer.writerows([c.record_id, c.owner_id] for c in changes)
    return out.getvalue()


def _utf8(reply: Any) -> str:
    """Bulk API 2.0 results are UTF-8; `text/csv` with no charset would make requests guess
    ISO-8859-1 and read Québec as QuÃ©bec (a different territory, a different owner)."""
    return bytes(reply.content).decode("utf-8-sig")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
