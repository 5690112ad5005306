"""Backfill against a local HubSpot server: contacts of an archived owner moved in batches of
100, a reassigned team, a crash midway resumed, dry run against real run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from backfill_helpers import NOW, Wrapped, fresh_logging
from hubspot_server import TOKEN, HubSpotState, hubspot_server
from typer.testing import CliRunner

from connectors.registry import open_connector
from routing.replay.backfill import INACTIVE_OWNERS, Guards
from worker.cli import app
from worker.jobs.backfill import BackfillRequest, run_backfill

__all__ = ["fresh_logging"]

ARCHIVED = "103"


def policy(tmp_path: Path, members: list[str]) -> Path:
    spec: dict[str, Any] = {
        "name": "hubspot inbound",
        "objects": ["Contact"],
        "routable": {"owners": [{"user": "router@acme.example"}]},
        "fallback": {"user": "ann@acme.example"},
        "pools": [{"name": "reps", "members": members}],
        "rules": [{"name": "round-robin", "assign": {"pool": "reps"}}],
    }
    path = tmp_path / f"policy-{len(list(tmp_path.glob('policy-*')))}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


@pytest.fixture
def hubspot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubSpotState]:
    state = HubSpotState()
    state.add_owner("100", "router@acme.example", user_id=9000)
    state.add_owner("101", "ann@acme.example", user_id=9001)
    state.add_owner("102", "bob@acme.example", user_id=9002)
    state.add_owner(ARCHIVED, "cy@acme.example", user_id=9003, archived=True)
    state.add_owner("104", "dan@acme.example", user_id=9004)
    for n in range(250):
        state.add("contacts", str(1000 + n), email=f"p{n}@globex.com", hubspot_owner_id=ARCHIVED,
                  createdate=f"2026-10-{1 + n % 28:02d}T10:{n % 60:02d}:00.000Z")  # fmt: skip
    for n in range(10):
        state.add("contacts", str(2000 + n), email=f"q{n}@initech.com", hubspot_owner_id="101",
                  createdate=f"2026-10-02T11:{n:02d}:00.000Z")  # fmt: skip
    with hubspot_server(state) as (url, running):
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HUBSPOT_BASE_URL", url)
        monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        yield running


def owner_of(state: HubSpotState, record_id: str) -> str:
    return str(state.objects["contacts"][record_id]["hubspot_owner_id"])


def backfill(path: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    argv = ["backfill", "--crm", "hubspot:", "--policy", str(path), "--object", "Contact",
            "--now", NOW.isoformat(), *args]  # fmt: skip
    result = CliRunner().invoke(app, argv)
    return result.exit_code, [json.loads(x) for x in result.stdout.splitlines() if x[:1] == "{"]


def test_an_archived_owner_hands_everything_on_in_batches_of_100(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    path = policy(tmp_path, ["ann@acme.example", "bob@acme.example"])
    _, proposed = backfill(path, "--scope", "inactive-owners", "--dry-run")
    assert not hubspot.calls_to("batch/update")
    code, moved = backfill(path, "--scope", "inactive-owners")
    assert code == 0
    assert moved == proposed and len(moved) == 250
    assert {owner_of(hubspot, str(1000 + n)) for n in range(250)} == {"101", "102"}
    assert len(hubspot.calls_to("/crm/v3/objects/contacts/batch/update")) == 3


def test_a_reassigned_team_moves_the_records_of_the_rep_who_left_it(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    path = policy(tmp_path, ["bob@acme.example", "dan@acme.example"])
    code, moved = backfill(path, "--scope", "territory")
    assert code == 0
    ann_moves = [m for m in moved if m["from_owner_id"] == "101"]
    assert len(ann_moves) == 10
    assert {owner_of(hubspot, str(2000 + n)) for n in range(10)} == {"102", "104"}


def test_a_crash_midway_resumes_without_writing_twice(
    hubspot: HubSpotState, tmp_path: Path
) -> None:
    path = policy(tmp_path, ["ann@acme.example", "bob@acme.example"])
    request = BackfillRequest("hubspot:", path, INACTIVE_OWNERS, Guards(now=NOW), "Contact",
                              chunk_size=100)  # fmt: skip
    crashing = Wrapped(open_connector("hubspot:"), crash_on_call=2)
    with pytest.raises(RuntimeError):
        run_backfill(crashing, request, home=tmp_path / "home")
    resuming = Wrapped(open_connector("hubspot:"))
    report = run_backfill(resuming, request, home=tmp_path / "home")
    assert report.resumed_at == 100
    assert not set(crashing.written) & set(resuming.written)
    assert len(crashing.written) + len(resuming.written) == 250
    assert ARCHIVED not in {owner_of(hubspot, str(1000 + n)) for n in range(250)}
