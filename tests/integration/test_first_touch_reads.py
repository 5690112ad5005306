"""First touches read by Id carry what the SLA check used to take from a whole snapshot: the
policy's first-touch fields and whether the lead was converted, in the same call."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

from hubspot_server import TOKEN, HubSpotState, hubspot_server
from salesforce_org import FakeOrg, fake_org, session_connector, sf_time

from connectors._retry import RetryPolicy
from connectors.hubspot.connector import HubSpotConnector

T0 = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
CALLED, PLAIN = "00Q000000000001AAA", "00Q000000000002AAA"


def test_salesforce_reads_the_first_touch_fields_and_is_converted_on_leads() -> None:
    org = FakeOrg()
    org.add("Lead", CALLED, OwnerId="005A", Status="Open", IsConverted=True,
            First_Call__c=sf_time(T0))  # fmt: skip
    org.add("Lead", PLAIN, OwnerId="005A", Status="Open", IsConverted=False, First_Call__c=None)
    org.add("Contact", "003000000000001AAA", OwnerId="005A")
    with fake_org(org):
        sf = session_connector()
        touches = {
            t.record_id: t for t in sf.first_touches("Lead", [CALLED, PLAIN], ["First_Call__c"])
        }
        contacts = sf.first_touches("Contact", ["003000000000001AAA"], ["First_Call__c"])

    assert touches[CALLED].fields == {"First_Call__c": T0} and touches[CALLED].is_converted
    assert touches[PLAIN].fields == {"First_Call__c": None} and not touches[PLAIN].is_converted
    lead_soql, contact_soql = (parse_qs(urlparse(c.url or "").query)["q"][0] for c in org.calls)
    assert "IsConverted, First_Call__c," in lead_soql and lead_soql.count("Id IN") == 1
    # a contact is asked for no lead field (the snapshot never read one on contacts)
    assert "First_Call__c" not in contact_soql and contacts[0].fields == {}


def test_hubspot_reads_the_first_touch_fields_by_their_mapped_property() -> None:
    state = HubSpotState()
    state.add("contacts", "21", hubspot_owner_id="101", first_call="2026-10-20T12:00:00.000Z")
    state.add("contacts", "22", hubspot_owner_id="101")
    with hubspot_server(state) as (url, _):
        env = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": url,
               "HUBSPOT_CONTACT_FIELDS": "First_Call__c=first_call"}  # fmt: skip
        hs = HubSpotConnector.from_env(env, policy=RetryPolicy(sleep=lambda _: None))
        touches = {
            t.record_id: t for t in hs.first_touches("Contact", ["21", "22"], ["First_Call__c"])
        }

    assert touches["21"].fields == {"First_Call__c": T0}
    assert touches["22"].fields == {"First_Call__c": None}
    (read,) = state.calls_to("/batch/read")
    assert "first_call" in read.body["properties"]
