"""The HTTP boundary to HubSpot: every call the SDK makes goes through here.

hubspot-api-client builds one generated ApiClient per API; we build each of them (through the
SDK's `api_factory` hook) with urllib3's own retries switched off and their `rest_client.request`
wrapped, so retries, the call count, the daily-limit headers and the translation of HubSpot's
errors into ours live in one place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import urllib3

from connectors._retry import RetryPolicy, call_with_retries, parse_retry_after
from connectors.base import ApiBudget, AuthError, FatalError, RetryableError, Throttled
from connectors.budget import ApiMeter

DAILY = "X-HubSpot-RateLimit-Daily"
DAILY_REMAINING = "X-HubSpot-RateLimit-Daily-Remaining"


class Rejected(FatalError):
    """HubSpot refused the request itself (4xx): `category` says why, e.g. VALIDATION_ERROR."""

    def __init__(self, message: str, status: int, category: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.category = category


def guarded_api_factory(
    token: str, host: str | None, meter: ApiMeter, policy: RetryPolicy
) -> Callable[[Any, str, Mapping[str, Any]], Any]:
    def factory(package: Any, api_name: str, config: Mapping[str, Any]) -> Any:
        configuration = package.Configuration()
        configuration.access_token = token
        if host:
            configuration.host = host
        configuration.retries = False  # tenacity, below, is the only retry layer
        api_client = package.ApiClient(configuration=configuration)
        rest = api_client.rest_client
        rest.request = _guarded(rest.request, meter, policy)
        return getattr(package, api_name)(api_client=api_client)

    return factory


def _guarded(request: Callable[..., Any], meter: ApiMeter, policy: RetryPolicy) -> Any:
    def send(*args: Any, **kwargs: Any) -> Any:
        def once() -> Any:
            meter.before_call()
            meter.count_call()
            try:
                response = request(*args, **kwargs)
            except urllib3.exceptions.HTTPError as exc:
                raise RetryableError(f"HubSpot connection failed: {type(exc).__name__}") from None
            except Exception as exc:  # the SDK's ApiException family, one per generated package
                if not hasattr(exc, "status"):
                    raise
                _record_budget(meter, getattr(exc, "headers", None))
                raise _translated(exc, meter, policy) from None
            _record_budget(meter, response.getheaders())
            return response

        return call_with_retries(once, policy, crm="hubspot")

    return send


def _record_budget(meter: ApiMeter, headers: Mapping[str, str] | None) -> None:
    if not headers:
        return
    daily, remaining = headers.get(DAILY), headers.get(DAILY_REMAINING)
    if daily and remaining and daily.isdigit() and remaining.isdigit():
        meter.record(ApiBudget(used=int(daily) - int(remaining), limit=int(daily)))


def _translated(exc: Any, meter: ApiMeter, policy: RetryPolicy) -> Exception:
    status = int(exc.status or 0)
    body = _body(exc)
    category, message = body.get("category"), str(body.get("message") or exc.reason or "")
    if status == 429:
        return _throttled(exc, body, meter, policy)
    if status == 401:
        return AuthError(
            "HubSpot rejected the access token (401): check HUBSPOT_ACCESS_TOKEN, and that the "
            "private app still exists and is installed"
        )
    if status == 403:
        return AuthError(f"HubSpot refused access (403): {message} — add the scope to the app")
    if status >= 500 or status == 0:
        return RetryableError(f"HubSpot server error (HTTP {status}) {category or ''}".strip())
    return Rejected(f"HubSpot refused the request (HTTP {status} {category}): {message}", status,
                    category)  # fmt: skip


def _throttled(
    exc: Any, body: Mapping[str, Any], meter: ApiMeter, policy: RetryPolicy
) -> Exception:
    policy_name = str(body.get("policyName") or "")
    if policy_name == "DAILY":
        return meter.exhausted("HubSpot's daily API limit is spent (429, policy DAILY)")
    headers = getattr(exc, "headers", None) or {}
    wait = parse_retry_after(headers.get("Retry-After"), policy.clock())
    return Throttled(f"HubSpot throttled the call (429 {policy_name or 'rate limit'})", wait)


def _body(exc: Any) -> Mapping[str, Any]:
    try:
        body = json.loads(exc.body or "null")
    except (TypeError, ValueError):
        return {}
    return body if isinstance(body, Mapping) else {}
