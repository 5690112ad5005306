"""POST /hooks/salesforce under a real uvicorn server, with real Redis: outbound messages as
the WSDL defines them, the acknowledgement Salesforce expects, the org check, safe XML
parsing, and redeliveries (out of order, more than once) enqueued once."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from events_support import (
    ORG_ID_18,
    SESSION_ID,
    RecordingEnqueue,
    fresh_logging,  # noqa: F401  (a fixture)
    json_logs,  # noqa: F401  (a fixture)
    outbound_message,
    post_salesforce,
    served,
)

from worker.events import EventSettings, RedisDedupe, create_app
from worker.events.salesforce import ACK

ACK_TEXT = (
    '<soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">'
    "<Ack>true</Ack></notificationsResponse></soapenv:Body>"
)


pytestmark = pytest.mark.usefixtures("fresh_logging")


def settings(org_id: str = ORG_ID_18, **overrides: object) -> EventSettings:
    values: dict[str, object] = {
        "SALESFORCE_ORG_ID": org_id,
        "LEADRELAY_EVENTS_RATE": 1000.0,
        "LEADRELAY_EVENTS_BURST": 1000,
        **overrides,
    }
    return EventSettings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def base(dedupe: RedisDedupe, enqueue: RecordingEnqueue) -> Iterator[str]:
    with served(create_app(settings(), enqueue, dedupe)) as url:
        yield url


N1 = ("04l5w00005286hAAAQ", "Lead", "00Q5w00001pQkRtEAK")
N2 = ("04l5w00005286hBAAQ", "Lead", "00Q5w00001pQkRuEAK")
N3 = ("04l5w00005286hCAAQ", "Lead", "00Q5w00001pQkRvEAK")
ACCOUNT = ("04l5w00005286hDAAQ", "Account", "0015w00002BFDeLAAX")


def test_a_message_is_enqueued_and_acknowledged_as_salesforce_expects(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    response = post_salesforce(client, base, outbound_message([N1, N2, ACCOUNT]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.content == ACK
    assert ACK_TEXT in response.text
    assert enqueue.calls == [
        ("salesforce", "Lead", [N1[2], N2[2]]),
        ("salesforce", "Account", [ACCOUNT[2]]),
    ]


def test_redeliveries_out_of_order_and_repeated_are_enqueued_once(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue
) -> None:
    for batch in ([N1, N2], [N2], [N3, N1], [N1, N2, N3], [N2, N2]):
        response = post_salesforce(client, base, outbound_message(batch))
        assert response.status_code == 200 and response.content == ACK
    assert enqueue.ids() == [N1[2], N2[2], N3[2]]


@pytest.mark.parametrize("configured", [ORG_ID_18, ORG_ID_18[:15]])
def test_the_org_matches_in_its_15_or_18_character_form(
    client: httpx.Client, dedupe: RedisDedupe, enqueue: RecordingEnqueue, configured: str
) -> None:
    with served(create_app(settings(configured), enqueue, dedupe)) as base:
        assert post_salesforce(client, base, outbound_message([N1])).status_code == 200
    assert enqueue.ids() == [N1[2]]


@pytest.mark.parametrize(
    "org_id", ["00D5w000004qGTPEA2", "00d5w000004qgtoea2", "00D5w000004qGTOEA", ""]
)
def test_another_org_is_401_and_enqueues_nothing(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue, org_id: str
) -> None:
    response = post_salesforce(client, base, outbound_message([N1], org_id=org_id))
    assert response.status_code in (400, 401)
    assert response.status_code == (400 if not org_id else 401)
    assert enqueue.calls == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound">
<OrganizationId>00D5w000004qGTOEA2</OrganizationId><Notification><Id>&lol3;</Id></Notification>
</notifications></soapenv:Body></soapenv:Envelope>"""

EXTERNAL_ENTITY = BILLION_LAUGHS.replace(
    b'<!ENTITY lol "lol">', b'<!ENTITY lol SYSTEM "file:///etc/passwd">'
)


@pytest.mark.parametrize(
    "body",
    [
        b"not xml at all",
        b"<soapenv:Envelope",
        b'<?xml version="1.0"?><other/>',
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        outbound_message([]),
        outbound_message([(N1[0], "Lead", "")]),
        outbound_message([("", "Lead", N1[2])]),
        outbound_message([(f"04l{i:015d}", "Lead", f"00Q{i:015d}") for i in range(101)]),
    ],
    ids=[
        "text", "truncated", "not-soap", "billion-laughs", "external-entity",
        "no-notification", "no-record-id", "no-notification-id", "over-100",
    ],
)  # fmt: skip
def test_a_malformed_or_hostile_body_is_400_and_enqueues_nothing(
    client: httpx.Client, base: str, enqueue: RecordingEnqueue, body: bytes
) -> None:
    assert post_salesforce(client, base, body).status_code == 400
    assert enqueue.calls == []


def test_an_oversized_message_is_413(
    client: httpx.Client, dedupe: RedisDedupe, enqueue: RecordingEnqueue
) -> None:
    small = settings(LEADRELAY_EVENTS_MAX_BODY=4096)
    with served(create_app(small, enqueue, dedupe)) as base:
        body = outbound_message(
            [N1], extra_fields="<sf:Description>" + "x" * 5000 + "</sf:Description>"
        )
        assert post_salesforce(client, base, body).status_code == 413
    assert enqueue.calls == []


@pytest.mark.usefixtures("json_logs")
def test_the_session_id_never_reaches_the_logs(
    client: httpx.Client, base: str, capfd: pytest.CaptureFixture[str]
) -> None:
    assert post_salesforce(client, base, outbound_message([N1])).status_code == 200
    wrong = outbound_message([N2], org_id="00D000000000001AAA")
    assert post_salesforce(client, base, wrong).status_code == 401
    logged = capfd.readouterr().err
    assert "events_accepted" in logged and "wrong_org" in logged
    assert SESSION_ID not in logged and "SECRETSESSIONTOKEN" not in logged
