"""POST /hooks/hubspot under a real uvicorn server, with real Redis for de-duplication and a
recording enqueue: v3 signatures as HubSpot signs them, refusals that enqueue nothing,
duplicates enqueued once, rate limits, and no secret in the logs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from events_support import (
    HUBSPOT_SECRET,
    RecordingEnqueue,
    fresh_logging,  # noqa: F401  (a fixture)
    hubspot_event,
    json_logs,  # noqa: F401  (a fixture)
    post_hubspot,
    served,
    signed_hubspot_headers,
)
from pydantic import SecretStr

from worker.events import EventSettings, RedisDedupe, create_app

pytestmark = pytest.mark.usefixtures("fresh_logging")


def settings(**overrides: object) -> EventSettings:
    values: dict[str, object] = {
        "HUBSPOT_CLIENT_SECRET": SecretStr(HUBSPOT_SECRET),
        "SALESFORCE_ORG_ID": "",
        "LEADRELAY_EVENTS_RATE": 1000.0,
        "LEADRELAY_EVENTS_BURST": 1000,
        "LEADRELAY_EVENTS_MAX_BODY": 64 * 1024,
    }
    values.update(overrides)
    return EventSettings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def base(dedupe: RedisDedupe, enqueue: RecordingEnqueue) -> Iterator[str]:
    with served(create_app(settings(), enqueue, dedupe)) as url:
        yield url


BATCH = [
    hubspot_event(1001, "contact.creation", 501),
    hubspot_event(
        1002, "contact.propertyChange", 502, propertyName="hubspot_owner_id", propertyValue="77"
    ),  # fmt: skip
    hubspot_event(
        1003, "contact.propertyChange", 501, propertyName="lifecyclestage", propertyValue="lead"
    ),  # fmt: skip
    hubspot_event(
        1004, "company.propertyChange", 9001, propertyName="hubspot_owner_id", propertyValue="77"
    ),  # fmt: skip
    hubspot_event(1005, "contact.deletion", 503),
]


def test_a_signed_batch_enqueues_each_record_once_and_answers_204(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    response = post_hubspot(client, base, BATCH)
    assert response.status_code == 204
    assert enqueue.calls == [("hubspot", "Lead", ["501", "502"]), ("hubspot", "Account", ["9001"])]


def test_merges_and_generic_object_events_name_the_surviving_contact(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    events = [
        hubspot_event(2001, "contact.merge", 601, primaryObjectId=600, mergedObjectIds=[601]),
        hubspot_event(2002, "object.creation", 602, objectTypeId="0-1"),
        hubspot_event(2003, "object.creation", 603, objectTypeId="0-3"),  # a deal: not routed
    ]
    assert post_hubspot(client, base, events).status_code == 204
    assert enqueue.calls == [("hubspot", "Lead", ["600", "602"])]


def test_redeliveries_in_any_order_are_enqueued_once(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    assert post_hubspot(client, base, BATCH[:2]).status_code == 204
    retried = [BATCH[1] | {"attemptNumber": 1}, BATCH[0] | {"attemptNumber": 1}]
    assert post_hubspot(client, base, retried).status_code == 204
    assert post_hubspot(client, base, [BATCH[2], BATCH[0], BATCH[2]]).status_code == 204
    assert enqueue.ids() == ["501", "502", "501"]  # 1003 is a new event about 501
    assert [c[2] for c in enqueue.calls] == [["501", "502"], ["501"]]


def test_concurrent_deliveries_of_one_batch_are_enqueued_once(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: post_hubspot(client, base, BATCH).status_code, range(8)))
    assert statuses == [204] * 8
    assert sorted(enqueue.ids()) == ["501", "502"]


@pytest.mark.parametrize(
    "tamper",
    ["signature", "secret", "body", "timestamp_old", "timestamp_future", "missing", "uri"],
)
def test_a_bad_or_stale_signature_is_401_and_enqueues_nothing(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue, tamper: str
) -> None:
    body = json.dumps(BATCH).encode()
    url = f"{base}/hooks/hubspot"
    now_ms = int(time.time() * 1000)
    headers = signed_hubspot_headers(body, url)
    if tamper == "signature":
        headers["X-HubSpot-Signature-v3"] = headers["X-HubSpot-Signature-v3"][:-4] + "AAA="
    elif tamper == "secret":
        headers = signed_hubspot_headers(body, url, secret="another-app-secret")
    elif tamper == "body":
        body = body.replace(b"501", b"666")
    elif tamper == "timestamp_old":
        headers = signed_hubspot_headers(body, url, timestamp_ms=now_ms - 301_000)
    elif tamper == "timestamp_future":
        headers = signed_hubspot_headers(body, url, timestamp_ms=now_ms + 301_000)
    elif tamper == "missing":
        del headers["X-HubSpot-Signature-v3"]
    elif tamper == "uri":
        headers = signed_hubspot_headers(body, url + "?portal=1")
    response = client.post(url, content=body, headers=headers)
    assert response.status_code == 401
    assert enqueue.calls == []


def test_a_timestamp_just_under_five_minutes_old_is_accepted(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    old = int(time.time() * 1000) - 290_000
    assert post_hubspot(client, base, BATCH[:1], timestamp_ms=old).status_code == 204
    assert enqueue.ids() == ["501"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"eventId": 1}',
        b'[{"objectId": 5}]',
        b"[1, 2]",
        b'[{"eventId": 1, "subscriptionType": 5}]',
    ],
)
def test_a_signed_but_malformed_body_is_400_and_enqueues_nothing(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue, body: bytes
) -> None:
    assert post_hubspot(client, base, body).status_code == 400
    assert enqueue.calls == []


def test_an_oversized_body_is_413_before_it_is_read_chunked_or_not(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    big = json.dumps([hubspot_event(i, "contact.creation", i) for i in range(400)]).encode()
    assert len(big) > 64 * 1024
    assert post_hubspot(client, base, big).status_code == 413

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    url = f"{base}/hooks/hubspot"
    response = client.post(url, content=chunks(), headers=signed_hubspot_headers(big, url))
    assert response.status_code == 413
    assert enqueue.calls == []


def test_the_signature_covers_the_public_url_behind_a_proxy(
    client: httpx.Client, dedupe: RedisDedupe, enqueue: RecordingEnqueue
) -> None:
    public = "https://hooks.acme.example"
    app = create_app(settings(LEADRELAY_PUBLIC_BASE_URL=public + "/"), enqueue, dedupe)
    with served(app) as base:
        body = json.dumps(BATCH[:1]).encode()
        # HubSpot signs the URI it called with %3A and the like decoded
        as_called = signed_hubspot_headers(body, f"{public}/hooks/hubspot?app=lr:1")
        local = signed_hubspot_headers(body, f"{base}/hooks/hubspot?app=lr%3A1")
        url = f"{base}/hooks/hubspot?app=lr%3A1"
        assert client.post(url, content=body, headers=local).status_code == 401
        assert client.post(url, content=body, headers=as_called).status_code == 204
    assert enqueue.ids() == ["501"]


def test_past_the_rate_limit_requests_get_429_with_retry_after(
    client: httpx.Client, dedupe: RedisDedupe, enqueue: RecordingEnqueue
) -> None:
    limited = settings(LEADRELAY_EVENTS_RATE=0.01, LEADRELAY_EVENTS_BURST=2)
    with served(create_app(limited, enqueue, dedupe)) as base:
        first = [
            post_hubspot(client, base, [hubspot_event(i, "contact.creation", i)]) for i in (1, 2)
        ]
        third = post_hubspot(client, base, [hubspot_event(3, "contact.creation", 3)])
        salesforce = client.post(f"{base}/hooks/salesforce", content=b"<x/>")
    assert [r.status_code for r in first] == [204, 204]
    assert third.status_code == 429
    assert int(third.headers["Retry-After"]) >= 1
    assert enqueue.ids() == ["1", "2"]
    assert salesforce.status_code == 404  # another source, and not configured here


def test_when_the_queue_is_down_the_answer_is_503_and_the_retry_is_not_a_duplicate(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    enqueue.fail_next = 1
    assert post_hubspot(client, base, BATCH[:2]).status_code == 503
    assert post_hubspot(client, base, BATCH[:2]).status_code == 204
    assert enqueue.ids() == ["501", "502"]


def test_without_a_client_secret_the_hook_is_404(
    client: httpx.Client, dedupe: RedisDedupe, enqueue: RecordingEnqueue
) -> None:
    app = create_app(settings(HUBSPOT_CLIENT_SECRET=SecretStr("")), enqueue, dedupe)
    with served(app) as base:
        response = post_hubspot(client, base, BATCH, secret="")
    assert response.status_code == 404
    assert enqueue.calls == []


@pytest.mark.usefixtures("json_logs")
def test_no_secret_or_signature_reaches_the_logs(
    client: httpx.Client,
    base: str,
    enqueue: RecordingEnqueue,
    capfd: pytest.CaptureFixture[str],
) -> None:
    body = json.dumps(BATCH).encode()
    url = f"{base}/hooks/hubspot"
    headers = signed_hubspot_headers(body, url)
    assert client.post(url, content=body, headers=headers).status_code == 204
    bad = dict(headers, **{"X-HubSpot-Signature-v3": "Zm9yZ2VkLXNpZ25hdHVyZQ=="})
    assert client.post(url, content=body, headers=bad).status_code == 401
    logged = capfd.readouterr().err
    assert "events_accepted" in logged and "bad_signature" in logged
    for secret in (HUBSPOT_SECRET, headers["X-HubSpot-Signature-v3"], "Zm9yZ2VkLXNpZ25hdHVyZQ=="):
        assert secret not in logged


def test_a_non_ascii_signature_header_is_401_not_a_crash(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    body = json.dumps(BATCH).encode()
    url = f"{base}/hooks/hubspot"
    headers = {k: v.encode("latin-1") for k, v in signed_hubspot_headers(body, url).items()}
    headers["X-HubSpot-Signature-v3"] = "signé".encode("latin-1")
    assert client.post(url, content=body, headers=headers).status_code == 401
    assert enqueue.calls == []
