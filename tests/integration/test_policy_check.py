"""`leadrelay policy check` catches each slip a new user makes in the Acme policy (issue 15):
one line per slip — what is changed in acme.yaml, what check must say — run through the real
CLI offline, on a copy of the Acme export, on the Salesforce stand-in and on the HubSpot one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hubspot_acme import CONTACT_FIELDS_ENV, acme_portal
from hubspot_server import TOKEN, hubspot_server
from salesforce_org import INSTANCE, SESSION_ID, FakeOrg, fake_org
from test_cli_salesforce import acme_org
from typer.testing import CliRunner

from tests.conftest import ACME_POLICY
from worker.cli import app

ACME_HUBSPOT = ACME_POLICY.with_name("acme-hubspot.yaml")

# (name, text in acme.yaml, what it becomes, a phrase check must print)
STRUCTURE = [
    ("tier", "{fact: tier, equals: Tier 2}", "{fact: tier, equals: Tier Two}",
     "rules[10] (tier2-midmarket).when.equals: no tier is named 'Tier Two', so tier never "
     "equals it — did you mean"),
    ("territory", "NA West: {pool: enterprise NA West}", "NA Wst: {pool: enterprise NA West}",
     "rules[8] (tier1-enterprise).assign.map.NA Wst: no territory is named 'NA Wst'"),
    ("region", "International: {pool: midmarket International}",
     "Intl: {pool: midmarket International}",
     "rules[10] (tier2-midmarket).assign.map.Intl: no region is named 'Intl'"),
    ("pool", "assign: {pool: sdr}", "assign: {pool: sdrs}",
     "steps.sdr[1] (sdr).assign.pool: no pool named 'sdrs' — did you mean 'sdr'?"),
    ("step", "step: sdr", "step: sdrr",
     "rules[6] (no-territory).step: no step named 'sdrr' — did you mean 'sdr'?"),
    ("country group", "in_group: EMEA", "in_group: EMAE",
     "no country group named 'EMAE' — did you mean 'EMEA'?"),
    ("SLA tier", "tiers: [Tier 1]", "tiers: [Tier One]",
     "sla.targets[0].tiers[0]: no tier named 'Tier One'"),
    ("object", "{fact: competitor, equals: true}", "{fact: object, equals: Contact}",
     "rules[0] (junk).when.any[1].equals: no object the policy routes is named 'Contact'"),
]  # fmt: skip

# slips only the CRM can tell: (name, old, new, phrase on the CSV copy)
FIELDS = [
    ("scoring field", "field: NumberOfEmployees", "field: NumberOfEmployes",
     "scoring.signals[0].field: Lead.NumberOfEmployes: no column 'NumberOfEmployes' in "
     "Lead.csv — did you mean NumberOfEmployees?"),
    ("custom field in a signal", "field: Tech_Stack__c", "field: Tech_Stak__c",
     "scoring.signals[3].field: Lead.Tech_Stak__c: no column 'Tech_Stak__c' in Lead.csv — "
     "did you mean Tech_Stack__c?"),
    ("away field", "away_fields: [Out_Of_Office__c]", "away_fields: [Out_Of_Ofice__c]",
     "availability.away_fields[0]: User.Out_Of_Ofice__c: no column 'Out_Of_Ofice__c' in "
     "User.csv — did you mean Out_Of_Office__c?"),
    ("queue on an account", "objects: [Lead]", "objects: [Lead, Account]",
     "rules[0] (junk).assign.queue: Salesforce does not let a queue own an Account (queue "
     "'Junk Queue'"),
]  # fmt: skip

# values the CRM lists: (name, old, new, phrase on Salesforce, phrase on the CSV copy: a warning)
VALUES = [
    ("SLA status", "status_leaves: [Open - Not Contacted]",
     "status_leaves: [Open - Not Contacte]",
     "sla.first_touch.status_leaves[0]: Lead.Status has no picklist value "
     "'Open - Not Contacte', so it never matches — did you mean 'Open - Not Contacted'",
     "sla.first_touch.status_leaves[0]: no Lead in the CRM has Status 'Open - Not Contacte'"),
    ("account type", "{fact: account.Type, equals: Customer}",
     "{fact: account.Type, equals: Custommer}",
     "customer_when.equals: Account.Type has no picklist value 'Custommer'",
     "customer_when.equals: no Account in the CRM has Type 'Custommer'"),
    ("industry value", "{in: [Software, Financial Services, Healthcare, Retail], points: 20}",
     "{in: [Software, Financial Services, Helthcare, Retail], points: 20}",
     "scoring.signals[2].values[0].in[2]: Account.Industry has no picklist value 'Helthcare'",
     "scoring.signals[2].values[0].in[2]: no Account in the CRM has Industry 'Helthcare'"),
]  # fmt: skip


def slipped(tmp_path: Path, old: str, new: str, source: Path = ACME_POLICY) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "slipped.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def check(policy: Path, *crm: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["policy", "check", str(policy), *crm])
    return result.exit_code, " ".join(result.stderr.split())


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOrg]:
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("SALESFORCE_SESSION_ID", SESSION_ID)
    monkeypatch.delenv("SALESFORCE_EXTRA_FIELDS", raising=False)
    with fake_org(acme_org()) as running:
        yield running


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with hubspot_server(acme_portal(leads_object=False).state) as (url, _):
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HUBSPOT_BASE_URL", url)
        monkeypatch.setenv("HUBSPOT_CONTACT_FIELDS", CONTACT_FIELDS_ENV)
        yield


@pytest.mark.parametrize(("name", "old", "new", "says"), STRUCTURE, ids=[s[0] for s in STRUCTURE])
def test_a_slip_in_the_policys_own_names_is_an_error_offline_and_on_the_crm(
    name: str, old: str, new: str, says: str, tmp_path: Path, acme_crm: Path
) -> None:
    policy = slipped(tmp_path, old, new)
    for crm in ((), ("--crm", f"csv:{acme_crm}")):
        code, out = check(policy, *crm)
        assert (code, says in out) == (2, True), out


@pytest.mark.parametrize(("name", "old", "new", "says"), FIELDS, ids=[s[0] for s in FIELDS])
def test_a_slip_the_crm_reveals_is_an_error_with_the_crm(
    name: str, old: str, new: str, says: str, tmp_path: Path, acme_crm: Path
) -> None:
    code, out = check(slipped(tmp_path, old, new), "--crm", f"csv:{acme_crm}")
    assert (code, says in out) == (2, True), out


@pytest.mark.parametrize(
    ("name", "old", "new", "on_salesforce", "on_csv"), VALUES, ids=[v[0] for v in VALUES]
)
def test_a_value_no_picklist_has_is_an_error_on_salesforce_and_a_warning_on_csv(
    name: str,
    old: str,
    new: str,
    on_salesforce: str,
    on_csv: str,
    tmp_path: Path,
    acme_crm: Path,
    org: FakeOrg,
) -> None:
    policy = slipped(tmp_path, old, new)
    code, out = check(policy, "--crm", "salesforce:")
    assert (code, on_salesforce in out) == (2, True), out
    code, out = check(policy, "--crm", f"csv:{acme_crm}")
    assert (code, on_csv in out, "OK" in out) == (0, True, True), out


def test_an_away_field_the_user_object_lacks_is_an_error_on_salesforce(
    tmp_path: Path, org: FakeOrg
) -> None:
    old, new = "away_fields: [Out_Of_Office__c]", "away_fields: [Out_Of_Ofice__c]"
    code, out = check(slipped(tmp_path, old, new), "--crm", "salesforce:")
    assert code == 2
    assert "availability.away_fields[0]: User.Out_Of_Ofice__c" in out
    assert "did you mean Out_Of_Office__c?" in out


def test_a_picklist_value_the_admin_removed_is_refused(org: FakeOrg, tmp_path: Path) -> None:
    """The org's own picklist decides, not the standard one: here Customer is not a Type."""
    for account in org.records["Account"]:
        if account.get("Type") == "Customer":
            account["Type"] = "Customer - Direct"
    code, out = check(ACME_POLICY, "--crm", "salesforce:")
    assert code == 2
    assert "customer_when.equals: Account.Type has no picklist value 'Customer'" in out
    assert "did you mean 'Customer - Direct'" in out


def test_a_status_hubspot_never_uses_is_an_error(portal: None, tmp_path: Path) -> None:
    old, new = "status_leaves: [Open - Not Contacted]", "status_leaves: [Open Not Contacted]"
    code, out = check(slipped(tmp_path, old, new, ACME_HUBSPOT), "--crm", "hubspot:")
    assert code == 2, out
    assert "Contact.Status has no picklist value 'Open Not Contacted'" in out
    assert "did you mean 'Open - Not Contacted'" in out


def test_the_acme_policies_pass_every_check(
    acme_crm: Path, org: FakeOrg, portal: None, tmp_path: Path
) -> None:
    for crm in ((), ("--crm", f"csv:{acme_crm}"), ("--crm", "salesforce:")):
        code, out = check(ACME_POLICY, *crm)
        assert (code, "OK" in out) == (0, True), out
    code, out = check(ACME_HUBSPOT, "--crm", "hubspot:")
    assert (code, "OK" in out) == (0, True), out


def test_every_slip_at_once_is_listed_in_one_run(acme_crm: Path, tmp_path: Path) -> None:
    text = ACME_POLICY.read_text(encoding="utf-8")
    for _, old, new, _ in STRUCTURE + FIELDS:
        text = text.replace(old, new, 1)
    policy = tmp_path / "every-slip.yaml"
    policy.write_text(text, encoding="utf-8")
    code, out = check(policy, "--crm", f"csv:{acme_crm}")
    assert code == 2
    missing = [says for _, _, _, says in STRUCTURE + FIELDS if says not in out]
    assert missing == []


def test_picklists_come_with_the_describes_the_field_check_reads(org: FakeOrg) -> None:
    code, _ = check(ACME_POLICY, "--crm", "salesforce:")
    assert code == 0
    assert sorted(org.describes()) == ["Account", "Lead", "User"]


def test_a_hubspot_leads_objects_status_is_not_judged_by_the_contacts_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A Leads object's Status is its pipeline stage, not the contact's hs_lead_status: the
    contacts' options must not refuse it."""
    with hubspot_server(acme_portal(leads_object=True).state) as (url, _):
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HUBSPOT_BASE_URL", url)
        monkeypatch.setenv("HUBSPOT_CONTACT_FIELDS", CONTACT_FIELDS_ENV)
        text = ACME_HUBSPOT.read_text(encoding="utf-8").replace(
            "\nobjects: [Contact]\n", "\nobjects: [Lead]\n"
        )
        policy = tmp_path / "leads.yaml"
        policy.write_text(text.replace("[Open - Not Contacted]", "[NEW_STAGE]"), encoding="utf-8")
        code, out = check(policy, "--crm", "hubspot:")
    assert "NEW_STAGE" not in out
    assert code == 0, out
