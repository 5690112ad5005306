"""Backfill against a fake Salesforce org serving the Acme export: owners written through
Bulk API 2.0, a crash midway resumed, dry run against real run, the daily budget guard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from backfill_helpers import (
    ALICE,
    BEN,
    KEVIN,
    NOW,
    Wrapped,
    account_policy,
    fresh_logging,
    split_policy,
)
from salesforce_org import INSTANCE, SESSION_ID, FakeOrg, fake_org
from test_cli_salesforce import acme_org
from typer.testing import CliRunner

from connectors.registry import open_connector
from routing.replay.backfill import INACTIVE_OWNERS, Guards
from tests.conftest import ACME_POLICY
from worker.cli import app
from worker.jobs.backfill import BackfillRequest, run_backfill
from worker.jobs.session import open_session, route_routable

__all__ = ["fresh_logging"]


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeOrg]:
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("SALESFORCE_SESSION_ID", SESSION_ID)
    monkeypatch.setenv("SALESFORCE_BULK_WRITE_THRESHOLD", "5")
    monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    served = acme_org()
    served.bulk_polls_before_done = 0  # a job is done at its first poll: no waiting in tests
    with fake_org(served) as running:
        connector = open_connector("salesforce:")
        route_routable(open_session(connector, ACME_POLICY), connector, dry_run=False)
        running.calls.clear()
        yield running


def deactivate(org: FakeOrg, user_id: str) -> None:
    org.get("User", user_id)["IsActive"] = False


def open_leads_of(org: FakeOrg, user_id: str) -> list[str]:
    return [
        r["Id"]
        for r in org.records["Lead"]
        if r["OwnerId"] == user_id and not str(r.get("Status") or "").startswith("Closed")
    ]


def backfill(policy: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    argv = ["backfill", "--crm", "salesforce:", "--policy", str(policy), "--now", NOW.isoformat()]
    result = CliRunner().invoke(app, [*argv, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, [json.loads(x) for x in result.stdout.splitlines() if x[:1] == "{"]


def ingest_jobs(org: FakeOrg) -> int:
    return sum(1 for c in org.calls if c.method == "POST" and "jobs/ingest" in (c.url or ""))


def test_a_territory_split_moves_the_west_leads(org: FakeOrg, tmp_path: Path) -> None:
    code, moves = backfill(split_policy(tmp_path), "--scope", "territory")
    assert code == 0
    assert {(m["from_owner_id"], m["to_owner_id"]) for m in moves} == {(ALICE, BEN), (BEN, ALICE)}
    assert all(org.get("Lead", str(m["record_id"]))["OwnerId"] == m["to_owner_id"] for m in moves)


def test_a_deactivated_rep_in_bulk_and_the_dry_run_proposed_exactly_that(org: FakeOrg) -> None:
    deactivate(org, KEVIN)
    kevins = open_leads_of(org, KEVIN)
    _, proposed = backfill(ACME_POLICY, "--scope", "inactive-owners", "--dry-run")
    assert not [c for c in org.calls if c.method in ("PATCH", "POST", "PUT")]
    code, moved = backfill(ACME_POLICY, "--scope", "inactive-owners", "--chunk-size", "10")
    assert code == 0
    assert moved == proposed
    assert sorted(str(m["record_id"]) for m in moved) == sorted(kevins)
    assert open_leads_of(org, KEVIN) == []
    assert ingest_jobs(org) == -(-len(moved) // 10)  # one Bulk API 2.0 job per chunk


def request(**overrides: object) -> BackfillRequest:
    settings: dict[str, object] = {
        "crm": "salesforce:",
        "policy_path": ACME_POLICY,
        "scope": INACTIVE_OWNERS,
        "guards": Guards(now=NOW),
        "chunk_size": 6,
        **overrides,
    }
    return BackfillRequest(**settings)  # type: ignore[arg-type]


def test_a_crash_midway_resumes_without_writing_twice(org: FakeOrg, tmp_path: Path) -> None:
    deactivate(org, KEVIN)
    crashing = Wrapped(open_connector("salesforce:"), crash_on_call=3)
    with pytest.raises(RuntimeError):
        run_backfill(crashing, request(), home=tmp_path)
    resuming = Wrapped(open_connector("salesforce:"))
    report = run_backfill(resuming, request(), home=tmp_path)
    assert report.resumed_at == 12
    assert not set(crashing.written) & set(resuming.written)
    assert open_leads_of(org, KEVIN) == []


def test_a_spent_daily_budget_stops_cleanly_and_the_next_run_finishes(
    org: FakeOrg, tmp_path: Path
) -> None:
    deactivate(org, KEVIN)
    org.api_used = 7_490  # the guard stops at half of the 15,000 daily calls
    stopped = run_backfill(open_connector("salesforce:"), request(), home=tmp_path)
    assert stopped.stopped and "resume at" in stopped.stopped
    assert open_leads_of(org, KEVIN)  # not all written
    org.api_used = 1_000  # a new day
    finished = run_backfill(open_connector("salesforce:"), request(), home=tmp_path)
    assert finished.complete and finished.resumed_at is not None
    assert open_leads_of(org, KEVIN) == []


def test_contacts_move_only_with_a_policy_written_for_contacts(
    org: FakeOrg, tmp_path: Path
) -> None:
    """Salesforce does not route Contacts as they arrive, but a policy written for them
    (objects: [Contact]) backfills them; Acme's Lead policy moves none."""
    owner = "005000000000009AAA"  # a rep (the integration user's contacts wait to be routed)
    deactivate(org, owner)
    inactive = {u["Id"] for u in org.records["User"] if u["IsActive"] in (False, "false")}
    theirs = sorted(str(c["Id"]) for c in org.records["Contact"] if c["OwnerId"] in inactive)
    assert any(c["OwnerId"] == owner for c in org.records["Contact"])
    args = ("--scope", "inactive-owners", "--object", "Contact", "--dry-run",
            "--include-open-opportunities", "--exclude-active-days", "0")  # fmt: skip
    code, moves = backfill(ACME_POLICY, *args)
    assert (code, moves) == (2, [])

    policy = tmp_path / "contacts.yaml"
    policy.write_text(
        account_policy(tmp_path).read_text().replace("objects: [Account]", "objects: [Contact]")
    )
    code, moves = backfill(policy, *args)
    assert code == 0
    assert sorted(str(m["record_id"]) for m in moves) == theirs
    assert {m["object"] for m in moves} == {"Contact"}
