"""`leadrelay route --crm hubspot:` end to end: credentials from the environment, a real local
HTTP server in HubSpot's reply shapes, owners written back with one batch call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hubspot_server import TOKEN, HubSpotState, hubspot_server
from typer.testing import CliRunner

from worker.cli import app

POLICY = {
    "name": "hubspot inbound",
    "objects": ["Contact"],
    "routable": {"owners": [{"user": "router@acme.example"}]},
    "fallback": {"user": "ann@acme.example"},
    "pools": [{"name": "reps", "members": ["ann@acme.example", "bob@acme.example"]}],
    "rules": [{"name": "round-robin", "assign": {"pool": "reps"}}],
}


@pytest.fixture
def hubspot(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubSpotState]:
    state = HubSpotState()
    state.add_owner("100", "router@acme.example", user_id=9000)
    state.add_owner("101", "ann@acme.example", user_id=9001)
    state.add_owner("102", "bob@acme.example", user_id=9002)
    for n in range(1, 5):
        state.add("contacts", str(20 + n), email=f"p{n}@globex.com", hubspot_owner_id="100",
                  createdate=f"2026-10-20T11:0{n}:00.000Z")  # fmt: skip
    with hubspot_server(state) as (url, running):
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HUBSPOT_BASE_URL", url)
        yield running


def test_route_against_hubspot_writes_owners_in_one_batch(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(POLICY))
    result = CliRunner().invoke(app, ["route", "--crm", "hubspot:", "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    owners = {
        cid: hubspot.objects["contacts"][cid]["hubspot_owner_id"]
        for cid in ("21", "22", "23", "24")
    }
    assert owners == {"21": "101", "22": "102", "23": "101", "24": "102"}
    assert len(hubspot.calls_to("/crm/v3/objects/contacts/batch/update")) == 1
    assert TOKEN not in result.output


def test_dry_run_against_hubspot_writes_nothing(hubspot: HubSpotState, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(POLICY))
    result = CliRunner().invoke(
        app, ["route", "--crm", "hubspot:", "--policy", str(policy), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 4
    assert not hubspot.calls_to("batch/update")
