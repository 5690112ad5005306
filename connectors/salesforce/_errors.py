"""simple-salesforce's exceptions, translated into ours, with what to do about them.

The messages are built from the error code and Salesforce's own message only: never from the
request, its headers or its URL, so no session id or password can leak into a log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from connectors.base import AuthError, ConnectorError, FatalError

_FIXES = {
    "INVALID_FIELD": "check the field names in SALESFORCE_AVAILABILITY_FIELD and "
    "SALESFORCE_EXTRA_FIELDS, and that the integration user can see them",
    "INVALID_TYPE": "check that the integration user can read this object",
    "MALFORMED_QUERY": "check SALESFORCE_LEAD_FILTER and SALESFORCE_OPPORTUNITY_FILTER",
    "INSUFFICIENT_ACCESS": "give the integration user read and edit access to this object",
}


_REFUSED = (SalesforceMalformedRequest, SalesforceRefusedRequest, SalesforceResourceNotFound)


@contextmanager
def salesforce_errors(doing: str, *, can_relogin: bool) -> Iterator[None]:
    try:
        yield
    except ConnectorError:
        raise
    except SalesforceAuthenticationFailed as exc:
        raise AuthError(f"Salesforce login failed while {doing}: {_detail(exc)}") from None
    except SalesforceExpiredSession as exc:
        raise AuthError(_expired(doing, exc, can_relogin)) from None
    except _REFUSED as exc:
        raise FatalError(_refused(doing, exc)) from None
    except SalesforceError as exc:
        raise FatalError(f"Salesforce failed while {doing}: {_detail(exc)}") from None
    except ValueError as exc:  # requests' JSONDecodeError is a ValueError
        raise FatalError(
            f"Salesforce sent a reply that is not the JSON we expect while {doing} "
            f"({type(exc).__name__}); nothing was changed on our side, try again later"
        ) from None


def _expired(doing: str, exc: SalesforceError, can_relogin: bool) -> str:
    if can_relogin:
        return f"Salesforce kept refusing the session while {doing}: {_detail(exc)}"
    return (
        f"the Salesforce session expired while {doing}: set a fresh SALESFORCE_SESSION_ID, "
        "or configure username/password or JWT credentials so LeadRelay can log in again"
    )


def _refused(doing: str, exc: SalesforceError) -> str:
    code, message = error_code(exc.content)
    fix = _FIXES.get(code or "", "see the error code in the Salesforce REST API documentation")
    return f"Salesforce refused the request while {doing}: {code}: {message} — {fix}"


def _detail(exc: SalesforceError) -> str:
    code, message = error_code(exc.content)
    if code:
        return f"{code}: {message}"
    return message or f"HTTP {exc.status}"


def error_code(content: Any) -> tuple[str | None, str]:
    if isinstance(content, bytes):
        return None, content.decode("utf-8", "replace")[:200]
    error = content[0] if isinstance(content, list) and content else content
    if isinstance(error, dict):
        code = error.get("errorCode") or error.get("error")
        return (str(code) if code else None), str(error.get("message", ""))[:500]
    return None, ""
