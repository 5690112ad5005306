"""The Acme playbook on HubSpot: the Salesforce-shaped acme.yaml is refused with the
translations to make, and acme-hubspot.yaml (those translations made) routes a HubSpot copy of
the export, as contacts or as HubSpot Leads objects, exactly as the CSV run does."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hubspot_acme import CONTACT_FIELDS_ENV, AcmePortal, acme_portal, hubspot_policy
from hubspot_server import TOKEN, hubspot_server
from typer.testing import CliRunner

from tests.conftest import ACME, ACME_POLICY
from worker.cli import app


@pytest.fixture(params=["contacts", "leads-object"])
def portal(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[AcmePortal]:
    portal = acme_portal(leads_object=request.param == "leads-object")
    with hubspot_server(portal.state) as (url, _):
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HUBSPOT_BASE_URL", url)
        monkeypatch.setenv("HUBSPOT_CONTACT_FIELDS", CONTACT_FIELDS_ENV)
        yield portal


def expected() -> dict[str, dict[str, str]]:
    with (ACME / "expected.csv").open(encoding="utf-8") as handle:
        return {row["LeadId"]: row for row in csv.DictReader(handle)}


def test_the_salesforce_policy_is_refused_with_each_translation_to_make(
    portal: AcmePortal,
) -> None:
    result = CliRunner().invoke(app, ["policy", "check", str(ACME_POLICY), "--crm", "hubspot:"])

    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    for queue in ("Inbound Lead Queue", "Junk Queue"):
        assert f"HubSpot has no queue named '{queue}'" in out
        slug = queue.lower().replace(" ", "-")
        assert f"`{queue}: {slug}@yourcompany.example`" in out
    assert "HubSpot has no queue named 'Nurture Queue'" not in out  # an owner of type QUEUE
    assert "under `hubspot: queues:`" in out and "`Inbound Lead Queue: unowned`" in out
    assert "no lead in the CRM has a field 'IsConverted'" in out
    no_leads = "this HubSpot portal has no Leads object"
    if portal.state.leads_object:
        assert no_leads not in out
    else:
        assert f"objects[0]: {no_leads}" in out
        assert "HubSpot contacts are routed with `objects: [Contact]`" in out


def test_the_hubspot_policy_routes_the_copy_like_the_csv_run(
    portal: AcmePortal, tmp_path: Path
) -> None:
    policy, out = hubspot_policy(portal, tmp_path), tmp_path / "decisions.jsonl"

    result = CliRunner().invoke(
        app, ["route", "--crm", "hubspot:", "--policy", str(policy), "--output", str(out)]
    )

    assert result.exit_code == 0, result.output
    decisions = {d["record_id"]: d for d in map(json.loads, out.read_text().splitlines())}
    wanted = expected()
    assert set(decisions) == {portal.lead_ids[lead_id] for lead_id in wanted}
    object_type = "leads" if portal.state.leads_object else "contacts"
    for lead_id, row in wanted.items():
        got = decisions[portal.lead_ids[lead_id]]
        assert (portal.to_salesforce(got["owner_id"]), got["rule"], got["score"]) == (
            row["ExpectedOwnerId"], row["Rule"], int(row["Score"])), got["reason"]  # fmt: skip
        written = portal.state.objects[object_type][portal.lead_ids[lead_id]]["hubspot_owner_id"]
        assert written == got["owner_id"]
    updates = portal.state.calls_to(f"/crm/v3/objects/{object_type}/batch/update")
    assert [len(call.body["inputs"]) for call in updates] == [100, 97]


def test_the_hubspot_policy_checks_ok(portal: AcmePortal, tmp_path: Path) -> None:
    policy = hubspot_policy(portal, tmp_path)

    result = CliRunner().invoke(app, ["policy", "check", str(policy), "--crm", "hubspot:"])

    assert result.exit_code == 0, result.output
    assert "OK" in result.output
