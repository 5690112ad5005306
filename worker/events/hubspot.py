"""HubSpot webhooks: the v3 request signature and the event batch.

The signature is base64(HMAC-SHA256(client secret, method + URI + body + timestamp)), with the
URI as HubSpot called it (a few percent-encoded characters decoded first, as HubSpot's docs
list them) and the timestamp in milliseconds from `X-HubSpot-Request-Timestamp`. The SDK's
`Signature` helper computes the same digest, but accepts any timestamp in the future and reads
its own clock, so the check is done here over the raw bytes, with the clock passed in. The
URI is tried decoded (as HubSpot's docs prescribe) and as received (as the SDK leaves it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from worker.events.errors import BadRequest, Unauthorized

SIGNATURE_HEADER = "x-hubspot-signature-v3"
TIMESTAMP_HEADER = "x-hubspot-request-timestamp"

# HubSpot signs the URI with these decoded; `?` may start the query and stays as it is.
_DECODED_IN_URI = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
    "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}  # fmt: skip

# objectTypeId of the generic `object.*` subscriptions
_OBJECT_TYPES = {"0-1": "contact", "0-2": "company"}
# what each object's events ask the worker to route (the connector's object names)
ROUTED_OBJECT = {"contact": "Lead", "company": "Account"}
_IGNORED_CHANGES = {"deletion", "restore", "privacyDeletion"}


def signed_uri(uri: str) -> str:
    for encoded, plain in _DECODED_IN_URI.items():
        uri = uri.replace(encoded, plain).replace(encoded.lower(), plain)
    return uri


def expected_signature(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> bytes:
    """Over the bytes as received: a body that is not UTF-8 still verifies (and then fails
    to parse, a 400) rather than crashing the check."""
    message = method.encode() + uri.encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest)


def verify_request(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now_s: float,
    max_skew_s: float,
) -> None:
    """Raises Unauthorized unless the request is signed with `secret` and recent."""
    signature = headers.get(SIGNATURE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not signature or not timestamp:
        raise Unauthorized("hubspot", "missing_signature")
    if not timestamp.isdigit():
        raise Unauthorized("hubspot", "bad_timestamp")
    if abs(now_s - int(timestamp) / 1000) > max_skew_s:
        raise Unauthorized("hubspot", "stale_timestamp")
    given = signature.encode()  # bytes: compare_digest refuses non-ASCII str
    if not any(
        hmac.compare_digest(expected_signature(secret, method, form, body, timestamp), given)
        for form in dict.fromkeys((signed_uri(uri), uri))
    ):
        raise Unauthorized("hubspot", "bad_signature")


@dataclass(frozen=True, slots=True)
class HubSpotEvent:
    event_id: str
    object: str  # "contact" or "company"
    change: str  # "creation", "propertyChange", "merge", "associationChange", ...
    object_ids: tuple[str, ...]  # the records to re-read (a merge names the surviving one)
    occurred_at_ms: int | None
    property_name: str | None


def parse_events(body: bytes) -> list[HubSpotEvent]:
    """The batch HubSpot posts: a JSON array of events. Anything else is a BadRequest."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("hubspot", "not_json") from None
    if not isinstance(payload, list) or not all(isinstance(e, dict) for e in payload):
        raise BadRequest("hubspot", "not_an_event_array")
    return [_event(raw) for raw in payload]


def _event(raw: Mapping[str, Any]) -> HubSpotEvent:
    event_id, kind = raw.get("eventId"), raw.get("subscriptionType")
    if not isinstance(event_id, int | str) or not isinstance(kind, str) or "." not in kind:
        raise BadRequest("hubspot", "event_without_id_or_type")
    object, _, change = kind.partition(".")
    if object == "object":
        object = _OBJECT_TYPES.get(str(raw.get("objectTypeId")), "other")
    occurred = raw.get("occurredAt")
    prop = raw.get("propertyName")
    return HubSpotEvent(
        event_id=str(event_id),
        object=object,
        change=change,
        object_ids=_object_ids(raw, change),
        occurred_at_ms=occurred if isinstance(occurred, int) else None,
        property_name=prop if isinstance(prop, str) else None,
    )


def _object_ids(raw: Mapping[str, Any], change: str) -> tuple[str, ...]:
    if change == "merge":
        survivor = raw.get("primaryObjectId") or raw.get("newObjectId")
        return (str(survivor),) if _is_id(survivor) else ()
    if change == "associationChange":
        return tuple(str(raw[key]) for key in ("fromObjectId",) if _is_id(raw.get(key)))
    object_id = raw.get("objectId")
    return (str(object_id),) if _is_id(object_id) else ()


def _is_id(value: Any) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        or (isinstance(value, str) and value.isdigit())
    )


def routing_requests(events: Iterable[HubSpotEvent]) -> dict[str, list[str]]:
    """Record ids per routed object, each once, in the order the events named them."""
    wanted: dict[str, dict[str, None]] = {}
    for event in events:
        object = ROUTED_OBJECT.get(event.object)
        if object is None or event.change in _IGNORED_CHANGES:
            continue
        ids = wanted.setdefault(object, {})
        ids.update(dict.fromkeys(event.object_ids))
    return {object: list(ids) for object, ids in wanted.items() if ids}


def event_ids(events: Sequence[HubSpotEvent]) -> list[str]:
    return [e.event_id for e in events]
