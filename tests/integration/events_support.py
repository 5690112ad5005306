"""Helpers for the event receiver's tests: the app under a real uvicorn server on 127.0.0.1,
a recording enqueue, and requests signed and built the way HubSpot and Salesforce document."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import structlog
import uvicorn
from hubspot.utils.signature import Signature
from starlette.applications import Starlette

from worker.logging import configure_logging

HUBSPOT_SECRET = "hs-client-secret-0000-SECRET-VALUE"
ORG_ID_18 = "00D5w000004qGTOEA2"
SESSION_ID = "00D5w000004qGTO!AQ4AQSECRETSESSIONTOKEN"


@dataclass
class RecordingEnqueue:
    calls: list[tuple[str, str, list[str]]] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, crm: str, object: str, record_ids: list[str]) -> None:
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                raise ConnectionError("broker down")
            self.calls.append((crm, object, list(record_ids)))

    def ids(self, object: str = "Lead") -> list[str]:
        return [i for _, o, ids in self.calls if o == object for i in ids]


@contextmanager
def served(app: Starlette) -> Iterator[str]:
    """The app under a real uvicorn server in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


# --- HubSpot -----------------------------------------------------------------------------------


def hubspot_event(event_id: int, kind: str, object_id: int, **extra: Any) -> dict[str, Any]:
    """One event as HubSpot's webhooks API documents it."""
    return {
        "eventId": event_id,
        "subscriptionId": 2_881_778,
        "portalId": 62_515,
        "appId": 1_160_452,
        "occurredAt": int(time.time() * 1000) - 400,
        "subscriptionType": kind,
        "attemptNumber": 0,
        "objectId": object_id,
        "changeSource": "CRM",
        **extra,
    }


def signed_hubspot_headers(
    body: bytes, uri: str, *, secret: str = HUBSPOT_SECRET, timestamp_ms: int | None = None
) -> dict[str, str]:
    """Signed with HubSpot's own SDK helper: method + URI + body + timestamp, HMAC-SHA256 with
    the client secret, base64."""
    timestamp = str(int(time.time() * 1000) if timestamp_ms is None else timestamp_ms)
    signature = Signature.get_signature(
        secret, body.decode(), "v3", http_uri=uri, http_method="POST", timestamp=timestamp
    )
    return {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": timestamp,
    }


def post_hubspot(
    client: httpx.Client, base: str, events: Sequence[dict[str, Any]] | bytes, **sign: Any
) -> httpx.Response:
    body = events if isinstance(events, bytes) else json.dumps(list(events)).encode()
    url = f"{base}/hooks/hubspot"
    return client.post(url, content=body, headers=signed_hubspot_headers(body, url, **sign))


# --- Salesforce --------------------------------------------------------------------------------


def outbound_message(
    notifications: Sequence[tuple[str, str, str]],
    *,
    org_id: str = ORG_ID_18,
    extra_fields: str = "<sf:SystemModstamp>2026-10-20T11:00:00.000Z</sf:SystemModstamp>",
) -> bytes:
    """A `notifications` call as the outbound messaging WSDL defines it; each notification is
    (notification Id, sObject type, record Id)."""
    items = "".join(
        f"<Notification><Id>{nid}</Id>"
        f'<sObject xsi:type="sf:{kind}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">'
        f"<sf:Id>{rid}</sf:Id>{extra_fields}<sf:OwnerId>00G5w000004qQueue</sf:OwnerId>"
        "</sObject></Notification>"
        for nid, kind, rid in notifications
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body>"
        '<notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f"<OrganizationId>{org_id}</OrganizationId>"
        "<ActionId>04k5w000000TSwMAAW</ActionId>"
        f"<SessionId>{SESSION_ID}</SessionId>"
        "<EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/59.0/00D5w000004qGTO"
        "</EnterpriseUrl>"
        "<PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/59.0/00D5w000004qGTO"
        "</PartnerUrl>"
        f"{items}"
        "</notifications></soapenv:Body></soapenv:Envelope>"
    ).encode()


def post_salesforce(client: httpx.Client, base: str, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    return client.post(f"{base}/hooks/salesforce", content=body, headers=headers)


@pytest.fixture
def fresh_logging() -> Iterator[None]:
    """structlog's defaults for one test: a CLI test run earlier may have left structlog
    printing to a stream its runner has closed since."""
    saved = structlog.get_config()
    structlog.reset_defaults()
    try:
        yield
    finally:
        structlog.reset_defaults()
        structlog.configure(**saved)


@pytest.fixture
def json_logs(fresh_logging: None, capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """The production log setup for one test, writing to the stream `capfd` captures; the
    global logging state is put back after, so no later test logs to a closed stream."""
    saved_structlog = structlog.get_config()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("json")
    try:
        yield
    finally:
        structlog.reset_defaults()
        structlog.configure(**saved_structlog)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
