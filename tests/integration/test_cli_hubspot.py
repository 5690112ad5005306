"""`leadrelay route --crm hubspot:` end to end: credentials from the environment, a real local
HTTP server in HubSpot's reply shapes, owners written back with one batch call."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
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


# -- what a Salesforce-shaped policy means on HubSpot ------------------------------------------


def run(tmp_path: Path, spec: dict[str, object], *command: str) -> tuple[int, str]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(spec))
    if command[0] == "check":
        args = ["policy", "check", str(policy), "--crm", "hubspot:"]
    else:
        args = [*command, "--crm", "hubspot:", "--policy", str(policy)]
    result = CliRunner().invoke(app, args)
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("command", [("check",), ("route", "--dry-run")])
def test_lead_on_a_portal_without_the_leads_object_is_an_error_not_zero_records(
    hubspot: HubSpotState, tmp_path: Path, command: tuple[str, ...]
) -> None:
    hubspot.leads_object = False
    spec = {k: v for k, v in POLICY.items() if k != "objects"}  # the default: [Lead]

    code, out = run(tmp_path, spec, *command)

    assert code == 2, out
    assert "objects: this HubSpot portal has no Leads object" in out
    assert "(`objects` was not given, and defaults to [Lead])" in out
    assert "HubSpot contacts are routed with `objects: [Contact]`" in out
    assert "would route 0 records" not in out


def test_lead_routes_the_leads_objects_where_the_portal_has_them(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    hubspot.add("leads", "71", hs_lead_name="P1", hubspot_owner_id="100")
    hubspot.associate("leads", "71", "contacts", "21", 578)

    code, out = run(tmp_path, {**POLICY, "objects": ["Lead"]}, "route")

    assert code == 0, out
    assert hubspot.objects["leads"]["71"]["hubspot_owner_id"] == "101"
    assert hubspot.objects["contacts"]["21"]["hubspot_owner_id"] == "100"  # not a Lead


def test_hubspot_queues_map_a_queue_to_an_owner_and_unowned_contacts_are_routable(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    hubspot.add_owner("190", "junk@acme.example", user_id=9190)
    hubspot.add("contacts", "30", email="new@initech.com", createdate="2026-10-20T11:09:00.000Z")
    hubspot.add("contacts", "31", email="bad-address", createdate="2026-10-20T11:10:00.000Z")
    spec = {
        **POLICY,
        "hubspot": {"queues": {"Inbound": "unowned", "Junk Queue": "junk@acme.example"}},
        "routable": {"owners": [{"queue": "Inbound"}]},
        "rules": [
            {"name": "junk", "when": {"fact": "email_valid", "equals": False},
             "assign": {"queue": "Junk Queue"}},
            {"name": "round-robin", "assign": {"pool": "reps"}},
        ],
    }  # fmt: skip

    code, out = run(tmp_path, spec, "route")

    assert code == 0, out
    contacts = hubspot.objects["contacts"]
    assert (contacts["30"]["hubspot_owner_id"], contacts["31"]["hubspot_owner_id"]) == (
        "101", "190")  # fmt: skip
    assert contacts["21"]["hubspot_owner_id"] == "100"  # owned by a user the policy does not list


def test_a_queue_target_hubspot_cannot_mean_is_refused_with_the_translation(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    spec = {
        **POLICY,
        "hubspot": {"queues": {"Inbound": "unowned", "Nurture": "nobody@acme.example"}},
        "fallback": {"queue": "Inbound"},
        "rules": [{"name": "nurture", "assign": {"queue": "Nurture"}},
                  {"name": "junk", "assign": {"queue": "Junk Queue"}}],
    }  # fmt: skip

    code, out = run(tmp_path, spec, "check")

    assert code == 2, out
    assert "fallback.queue: 'Inbound' stands for records with no owner (hubspot.queues)" in out
    assert "map 'Inbound' to the HubSpot owner acting as that queue" in out
    assert "hubspot.queues.Nurture: no user with email or Id 'nobody@acme.example'" in out
    assert "rules[1] (junk).assign.queue: HubSpot has no queue named 'Junk Queue'" in out
    assert "`Junk Queue: junk-queue@yourcompany.example`" in out


def test_an_owner_of_type_queue_is_a_queue_by_its_name(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    hubspot.add_owner("191", "", kind="QUEUE", first_name="Nurture Queue", last_name="")
    spec = {**POLICY, "rules": [{"name": "nurture", "assign": {"queue": "Nurture Queue"}}]}

    code, out = run(tmp_path, spec, "route")

    assert code == 0, out
    assert {hubspot.objects["contacts"][c]["hubspot_owner_id"] for c in ("21", "24")} == {"191"}


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """`leadrelay worker` configures logging for the process; later commands in this one must
    not inherit its stdlib processors."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restored_logging")
def test_the_worker_refuses_to_start_on_lead_without_the_leads_object(
    hubspot: HubSpotState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    hubspot.leads_object = False
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump({**POLICY, "objects": ["Lead"]}))

    result = CliRunner().invoke(app, ["worker", "--crm", "hubspot:", "--policy", str(policy)])

    assert result.exit_code == 2, result.output
    assert "this HubSpot portal has no Leads object" in " ".join(result.output.split())
    assert not hubspot.calls_to("batch/update")


def test_lead_on_a_portal_with_an_empty_leads_object_warns_that_contacts_are_there(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    code, out = run(tmp_path, {**POLICY, "objects": ["Lead"]}, "check")

    assert code == 0, out
    assert "objects: the CRM has no Lead record to route, but it has 4 Contact" in out


def test_routing_both_leads_and_contacts_on_hubspot_warns_of_two_owners_for_one_person(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    code, out = run(tmp_path, {**POLICY, "objects": ["Lead", "Contact"]}, "check")

    assert code == 0, out
    assert "a HubSpot lead and its contact are one person" in out
