"""`RecordReader.records(object, ids)`: records read again by Id, as each CRM has them now, in
the CRM's batches, with the fields every other read selects; a record the CRM no longer has
is simply absent."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

from hubspot_server import TOKEN, HubSpotState, hubspot_server
from salesforce_org import NOW as SF_NOW
from salesforce_org import FakeOrg, fake_org, record, session_connector, sf_time

from connectors.base import RecordReader
from connectors.csvcrm.connector import CsvCrm
from connectors.hubspot.connector import HubSpotConnector
from connectors.salesforce.connector import SalesforceSettings
from routing.model import Account, Lead
from tests.e2e.synthetic import append_leads, lead_id, lead_row, write_pool_crm


def test_the_csv_crm_reads_records_by_id_from_the_files_as_they_are_now(tmp_path: Path) -> None:
    crm = CsvCrm(write_pool_crm(tmp_path / "crm", 3))
    assert isinstance(crm, RecordReader)
    assert [r.id for r in crm.records("Lead", [lead_id(2), "00Qnope"])] == [lead_id(2)]
    append_leads(tmp_path / "crm", [lead_row(3)])  # a file changed on disk is read again
    found = crm.records("Lead", [lead_id(3), lead_id(0)])
    assert sorted(r.id for r in found) == [lead_id(0), lead_id(3)]
    assert all(isinstance(r, Lead) for r in found)


def soql(call: object) -> str:
    return parse_qs(urlparse(call.url).query)["q"][0]  # type: ignore[attr-defined]


def test_salesforce_reads_by_id_in_batches_of_200_with_the_snapshot_s_fields() -> None:
    org = FakeOrg()
    for n in range(450):
        org.records.setdefault("Lead", []).append(
            record(
                "Lead",
                f"00Q{n:012d}AAA",
                Email=f"p{n}@globex.com",
                OwnerId="00G1",
                IsConverted=False,
                Tech_Stack__c="Snowflake",
                SystemModstamp=sf_time(SF_NOW),
            )  # fmt: skip
        )
    settings = SalesforceSettings(extra_fields={"Lead": ("Tech_Stack__c",)})
    sf = session_connector(settings)
    assert isinstance(sf, RecordReader)
    wanted = [f"00Q{n:012d}AAA" for n in range(0, 450)] + ["00Q999999999999AAA", "x' OR Id != '"]
    with fake_org(org):
        found = sf.records("Lead", wanted)
        queries = [soql(c) for c in org.calls if "/query" in c.url]
    assert len(found) == 450 and all(isinstance(r, Lead) for r in found)
    assert found[7].fields["Tech_Stack__c"] == "Snowflake"
    assert len(queries) == 3  # 200 + 200 + 51 ids (an id that is not a Salesforce Id is dropped)
    fields = ", ".join(settings.fields_of("Lead"))
    assert all(
        q.startswith(f"SELECT {fields} FROM Lead WHERE (IsConverted = false)") for q in queries
    )
    assert "OR Id" not in " ".join(queries)


def test_hubspot_reads_by_id_with_batch_read_100_a_call_and_keeps_the_company() -> None:
    state = HubSpotState()
    state.add_owner("101", "ann@acme.example")
    state.add("companies", "11", name="Globex", domain="globex.com")
    for n in range(250):
        state.add("contacts", str(1000 + n), email=f"p{n}@globex.com", hubspot_owner_id="101")
    state.associate("contacts", "1007", "companies", "11", 1)
    with hubspot_server(state) as (url, running):
        hs = HubSpotConnector.from_env({"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": url})
        assert isinstance(hs, RecordReader)
        ids = [str(1000 + n) for n in range(250)] + ["999999", "not-an-id"]
        found = hs.records("Lead", ids)
        companies = hs.records("Account", ["11", "12"])
        reads = running.calls_to("/contacts/batch/read")
    assert len(found) == 250 and len(reads) == 3
    assert all(len(call.body["inputs"]) <= 100 for call in reads)
    by_id = {r.id: r for r in found}
    assert isinstance(by_id["1007"], Lead) and by_id["1007"].fields["AccountId"] == "11"
    assert by_id["1007"].email == "p7@globex.com" and by_id["1007"].owner_id == "101"
    assert [type(c) for c in companies] == [Account] and companies[0].website == "globex.com"
