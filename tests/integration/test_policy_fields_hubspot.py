"""The policy decides what is read from HubSpot (issue 14, item 1).

The Acme leads as HubSpot contacts, with their tech stack in a custom contact property
`tech_stack__c`, routed by a policy that scores and routes on `Tech_Stack__c`: every owner, rule
and score must equal the same policy's CSV run over the same leads, with no property setting.
(The whole Acme policy cannot run on HubSpot yet: it routes to queues and reads
lead.IsConverted, which HubSpot contacts do not have; policy check says so.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hubspot_server import TOKEN, HubSpotState, hubspot_server
from typer.testing import CliRunner

from config.policy import _PolicyLoader
from connectors.csvcrm.connector import CsvCrm
from connectors.hubspot.connector import HubSpotConnector
from tests.conftest import ACME, ACME_POLICY
from worker.cli import app
from worker.jobs.session import open_session, route_routable

INTEGRATION = "005000000000099AAA"
QUEUE = "00G000000000001AAA"
PROPERTIES = {
    "Email": "email", "FirstName": "firstname", "LastName": "lastname", "Company": "company",
    "Title": "jobtitle", "Country": "country", "State": "state", "City": "city",
    "Industry": "industry", "NumberOfEmployees": "numemployees",
    "AnnualRevenue": "annualrevenue", "LeadSource": "hs_analytics_source",
    "Tech_Stack__c": "tech_stack__c", "Status": "hs_lead_status", "CreatedDate": "createdate",
}  # fmt: skip


def policy_spec(objects: list[str]) -> dict[str, Any]:
    acme = yaml.load(ACME_POLICY.read_text(encoding="utf-8"), Loader=_PolicyLoader)  # noqa: S506
    return {
        "name": "tech stack routing",
        "objects": objects,
        "routable": {"owners": [{"user": "integration@acme-analytics.example"}]},
        "fallback": acme["fallback"],
        "scoring": {**acme["scoring"], "signals": [
            {**s, "from": ["lead"]} for s in acme["scoring"]["signals"]
        ]},  # fmt: skip
        "territories": acme["territories"],
        "country_groups": acme["country_groups"],
        "pools": [p for p in acme["pools"] if p["name"] in ("sdr", "midmarket NA")],
        "rules": [
            {"name": "databricks", "when": {"fact": "lead.Tech_Stack__c", "contains": "Databricks"},
             "assign": {"user": "jordan.ellis@acme-analytics.example"}},
            {"name": "tier1", "when": {"fact": "tier", "equals": "Tier 1"},
             "assign": {"user": "dana.whitfield@acme-analytics.example"}},
            {"name": "tier2", "when": {"fact": "tier", "equals": "Tier 2"},
             "assign": {"pool": "midmarket NA"}},
            {"name": "everyone-else", "assign": {"pool": "sdr"}},
        ],
    }  # fmt: skip


def acme_leads() -> list[dict[str, str]]:
    with (ACME / "Lead.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [{**r, "OwnerId": INTEGRATION} for r in rows if r["OwnerId"] in (QUEUE, INTEGRATION)]


@pytest.fixture
def csv_crm(tmp_path: Path) -> Path:
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "User.csv").write_bytes((ACME / "User.csv").read_bytes())
    rows = acme_leads()
    with (folder / "Lead.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def hubspot_state() -> HubSpotState:
    state = HubSpotState()
    with (ACME / "User.csv").open(encoding="utf-8") as handle:
        for n, user in enumerate(csv.DictReader(handle)):
            state.add_owner(user["Id"], user["Email"], archived=user["IsActive"] == "false",
                            user_id=9000 + n)  # fmt: skip
    for n, lead in enumerate(acme_leads()):
        values = {prop: lead[field] or None for field, prop in PROPERTIES.items()}
        state.add("contacts", str(1000 + n), hubspot_owner_id=INTEGRATION, **values)
    return state


@pytest.fixture
def hubspot(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubSpotState]:
    with hubspot_server(hubspot_state()) as (url, running):
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HUBSPOT_BASE_URL", url)
        monkeypatch.setenv("HUBSPOT_AVAILABILITY_PROPERTY", "")
        monkeypatch.delenv("HUBSPOT_CONTACT_FIELDS", raising=False)
        yield running


def write_policy(tmp_path: Path, objects: list[str]) -> Path:
    path = tmp_path / f"policy-{objects[0]}.yaml"
    path.write_text(yaml.safe_dump(policy_spec(objects)), encoding="utf-8")
    return path


def routed(connector: Any, policy: Path) -> dict[str, tuple[object, ...]]:
    report = route_routable(open_session(connector, policy), connector, dry_run=True)
    return {d.record_id: (d.owner_id, d.rule, d.score, d.tier) for d in report.decisions}


def test_hubspot_routes_on_a_custom_property_exactly_like_the_csv_run(
    hubspot: HubSpotState, csv_crm: Path, tmp_path: Path
) -> None:
    from_csv = routed(CsvCrm(csv_crm), write_policy(tmp_path, ["Lead"]))
    from_hubspot = routed(HubSpotConnector.from_env(), write_policy(tmp_path, ["Contact"]))
    lead_ids = [lead["Id"] for lead in acme_leads()]
    as_csv_ids = {lead_ids[int(cid) - 1000]: got for cid, got in from_hubspot.items()}
    assert as_csv_ids == from_csv
    assert sum(rule == "databricks" for _, rule, _, _ in from_csv.values()) > 5
    searched = [c.body["properties"] for c in hubspot.calls_to("/objects/contacts/search")]
    assert all("tech_stack__c" in properties for properties in searched)


def test_the_properties_api_is_read_once_per_object_type(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    connector = HubSpotConnector.from_env()
    for _ in range(3):
        open_session(connector, write_policy(tmp_path, ["Contact"]))
    assert [c.path for c in hubspot.calls_to("/crm/v3/properties/")] == [
        "/crm/v3/properties/contacts"
    ]


def test_a_mapped_property_is_read_under_its_own_name(
    hubspot: HubSpotState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for props in hubspot.objects["contacts"].values():
        props["techstack"] = props.pop("tech_stack__c", None)
    monkeypatch.setenv("HUBSPOT_CONTACT_FIELDS", "Tech_Stack__c=techstack")
    decisions = routed(HubSpotConnector.from_env(), write_policy(tmp_path, ["Contact"]))
    assert sum(rule == "databricks" for _, rule, _, _ in decisions.values()) > 5


def test_policy_check_names_a_missing_property_and_its_mapping(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    for props in hubspot.objects["contacts"].values():
        props["tech_stack"] = props.pop("tech_stack__c", None)
    policy = write_policy(tmp_path, ["Contact"])
    result = CliRunner().invoke(app, ["policy", "check", str(policy), "--crm", "hubspot:"])
    assert result.exit_code == 2
    assert "rules[0] (databricks).when.fact: Contact.Tech_Stack__c" in result.stderr
    assert "(also read at scoring.signals[3].field)" in result.stderr
    assert "did you mean tech_stack?" in result.stderr
    assert "HUBSPOT_CONTACT_FIELDS=Tech_Stack__c=tech_stack" in result.stderr
    first_read = next(i for i, c in enumerate(hubspot.calls) if c.path.endswith("/search"))
    assert hubspot.calls_to("/crm/v3/properties/")[0] in hubspot.calls[:first_read]


def test_policy_check_says_what_a_salesforce_shaped_policy_reads_that_hubspot_lacks(
    hubspot: HubSpotState,
) -> None:
    result = CliRunner().invoke(app, ["policy", "check", str(ACME_POLICY), "--crm", "hubspot:"])
    assert result.exit_code == 2
    assert "routable.when.all[0].fact: Lead.IsConverted" in result.stderr
    assert "isconverted" in result.stderr
