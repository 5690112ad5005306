"""The HTTP boundary to Salesforce: every call simple-salesforce makes goes through here.

Being a `requests.Session`, it sits under `query_all_iter`, `restful`, the login flows and our
Bulk API 2.0 calls alike, so retries, the call count and the daily-budget check live in one
place. 401 and ordinary 4xx replies are handed back untouched: simple-salesforce re-logs in on
INVALID_SESSION_ID when it holds credentials, and raises its own errors for the rest, which the
connector translates.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from connectors._retry import RetryPolicy, call_with_retries, parse_retry_after
from connectors.base import ApiBudget, RetryableError, Throttled
from connectors.budget import ApiMeter

RETRYABLE_ERROR_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})
QUOTA_ERROR_CODE = "REQUEST_LIMIT_EXCEEDED"
WRITE_METHODS = frozenset({"PATCH", "POST", "PUT"})
NO_ASSIGNMENT_RULES = {"Sforce-Auto-Assign": "FALSE"}


class SalesforceSession(requests.Session):
    def __init__(self, meter: ApiMeter, policy: RetryPolicy) -> None:
        super().__init__()
        self.meter = meter
        self.policy = policy

    def request(
        self, method: str, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if method.upper() in WRITE_METHODS:
            # on every write, not only where the writer asks: simple-salesforce sends a call
            # again after a new login without the headers it was given, and a write without
            # this header runs the org's assignment rules over the owner we chose
            kwargs["headers"] = {**(kwargs.get("headers") or {}), **NO_ASSIGNMENT_RULES}

        def send_once() -> requests.Response:
            return self._send_once(method, url, *args, **kwargs)

        return call_with_retries(send_once, self.policy, crm="salesforce")

    def _send_once(
        self, method: str, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self.meter.before_call()
        self.meter.count_call()
        try:
            response = super().request(method, url, *args, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetryableError(f"Salesforce connection failed: {type(exc).__name__}") from None
        self._record_limit_info(response)
        self._raise_for_fault(response)
        return response

    def _record_limit_info(self, response: requests.Response) -> None:
        usage = parse_limit_info(response.headers.get("Sforce-Limit-Info"))
        if usage is not None:
            self.meter.record(usage)

    def _raise_for_fault(self, response: requests.Response) -> None:
        status = response.status_code
        code, message = first_error(response)
        if code == QUOTA_ERROR_CODE:
            raise self.meter.exhausted(f"Salesforce refused the call: {code}: {message}")
        if status == 429 or (status == 503 and "Retry-After" in response.headers):
            wait = parse_retry_after(response.headers.get("Retry-After"), self.policy.clock())
            raise Throttled(f"Salesforce throttled the call (HTTP {status})", wait)
        if status >= 500 and not _is_soap_fault(response):
            raise RetryableError(f"Salesforce server error (HTTP {status}) {code or ''}".strip())
        if code in RETRYABLE_ERROR_CODES:
            raise RetryableError(f"Salesforce: {code}: {message}")


def _is_soap_fault(response: requests.Response) -> bool:
    """A failed SOAP login answers 500 with a fault: retrying it could lock the user out."""
    return b"Fault>" in response.content[:2000]


def parse_limit_info(header: str | None) -> ApiBudget | None:
    """`api-usage=25/15000` (optionally followed by `;per-app-api-usage=...`)."""
    if not header:
        return None
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "api-usage":
            used, _, limit = value.partition("/")
            if used.isdigit() and limit.isdigit():
                return ApiBudget(used=int(used), limit=int(limit))
    return None


def first_error(response: requests.Response) -> tuple[str | None, str]:
    """The errorCode and message of a REST error body (`[{"errorCode":..,"message":..}]`)."""
    if response.status_code < 400:
        return None, ""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return None, ""
    error = body[0] if isinstance(body, list) and body else body
    if not isinstance(error, dict):
        return None, ""
    code = error.get("errorCode") or error.get("error")
    message = error.get("message") or error.get("error_description") or ""
    return (str(code) if code else None), str(message)
