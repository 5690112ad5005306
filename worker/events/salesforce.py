"""Salesforce Outbound Messages: the SOAP `notifications` call and its acknowledgement.

The message is parsed with defusedxml (no DTDs, no entity expansion, no external references).
Outbound messages carry no signature: the OrganizationId is checked against the configured org,
and the endpoint should sit behind HTTPS (Salesforce allows nothing else in production).
The SessionId the message may carry is never read, kept or logged.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from worker.events.errors import BadRequest, Unauthorized

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
OUTBOUND = "http://soap.sforce.com/2005/09/outbound"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MAX_NOTIFICATIONS = 100  # Salesforce sends at most 100 per message
_TIME_FIELDS = ("SystemModstamp", "LastModifiedDate", "CreatedDate")

ACK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}"><soapenv:Body>'
    f'<notificationsResponse xmlns="{OUTBOUND}"><Ack>true</Ack></notificationsResponse>'
    "</soapenv:Body></soapenv:Envelope>"
).encode()


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    object: str  # the sObject type: Lead, Contact, Account, ...
    record_id: str
    modified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    organization_id: str
    action_id: str
    notifications: tuple[Notification, ...] = field(default_factory=tuple)


def same_org(configured: str, received: str) -> bool:
    """An org Id is case-sensitive in its 15-character form; the 18-character form adds a
    checksum suffix, so the first 15 characters decide."""
    return len(received) in (15, 18) and configured[:15] == received[:15]


def parse_message(body: bytes, org_id: str) -> OutboundMessage:
    notifications = _notifications_element(body)
    organization = _text(notifications, "OrganizationId")
    if not same_org(org_id, organization):
        raise Unauthorized("salesforce", "wrong_org")
    items = notifications.findall(f"{{{OUTBOUND}}}Notification")
    if not items or len(items) > MAX_NOTIFICATIONS:
        raise BadRequest("salesforce", "notification_count")
    return OutboundMessage(
        organization_id=organization,
        action_id=_text(notifications, "ActionId", required=False),
        notifications=tuple(_notification(item) for item in items),
    )


def _notifications_element(body: bytes) -> ET.Element:
    try:
        root: ET.Element = fromstring(body, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError):
        raise BadRequest("salesforce", "not_xml") from None
    found = root.find(f"{{{SOAP_ENV}}}Body/{{{OUTBOUND}}}notifications")
    if root.tag != f"{{{SOAP_ENV}}}Envelope" or found is None:
        raise BadRequest("salesforce", "not_an_outbound_message")
    return found


def _text(parent: ET.Element, name: str, *, required: bool = True) -> str:
    text = (parent.findtext(f"{{{OUTBOUND}}}{name}") or "").strip()
    if required and not text:
        raise BadRequest("salesforce", f"missing_{name}")
    return text


def _notification(item: ET.Element) -> Notification:
    sobject = item.find(f"{{{OUTBOUND}}}sObject")
    if sobject is None:
        raise BadRequest("salesforce", "missing_sObject")
    fields = {_local(child.tag): (child.text or "").strip() for child in sobject}
    object = sobject.get(f"{{{XSI}}}type", "").rpartition(":")[2]
    if not object or not fields.get("Id"):
        raise BadRequest("salesforce", "sObject_without_type_or_Id")
    return Notification(
        id=_text(item, "Id"),
        object=object,
        record_id=fields["Id"],
        modified_at=_first_time(fields),
    )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _first_time(fields: dict[str, str]) -> datetime | None:
    for name in _TIME_FIELDS:
        if fields.get(name):
            try:
                return datetime.fromisoformat(fields[name].replace("Z", "+00:00"))
            except ValueError:
                return None
    return None


def routing_requests(
    notifications: tuple[Notification, ...] | list[Notification],
) -> dict[str, list[str]]:
    """Record ids per sObject type, each once, in message order."""
    wanted: dict[str, dict[str, None]] = {}
    for item in notifications:
        wanted.setdefault(item.object, {})[item.record_id] = None
    return {object: list(ids) for object, ids in wanted.items()}
