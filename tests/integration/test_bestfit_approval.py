"""Best fit's recommendations held for approval: the worker's hold records them pending, and
`leadrelay bestfit pending`, `approve` and `reject` list them and write the owner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.registry import open_connector
from routing.model import Decision
from worker.cli import app
from worker.state.board import canonical_url, crm_key
from worker.store.approvals import APPROVED, PENDING, REJECTED, ApprovalsStore
from worker.store.records import Store

LARS, OTHER = "005000000000002AAA", "005000000000011AAA"
AT = datetime(2026, 3, 1, tzinfo=UTC)


def held(record_id: str, previous: str | None, recommended: str = LARS) -> Decision:
    why = f"held for approval: best fit recommends {recommended}"
    return Decision(
        record_id=record_id,
        object="Lead",
        owner_id=previous or "",
        previous_owner_id=previous,
        account_id=None,
        match_method="none",
        rule="all",
        score=0,
        tier=None,
        pool="p",
        reason=f"Rule all: {why}.",
        trace={
            "model_version": "m1",
            "held_for_approval": {
                "pool": "p",
                "recommended": recommended,
                "fallback": OTHER,
                "why": why,
            },
        },
    )


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Store:
    monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    opened = Store(database_url)
    opened.migrate()
    return opened


def owners(crm: Path) -> dict[str, str | None]:
    return {lead.id: lead.owner_id for lead in open_connector(f"csv:{crm}").snapshot().leads}


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, ["bestfit", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_held_recommendations_are_listed_approved_and_rejected(
    acme_crm: Path, store: Store
) -> None:
    crm = f"csv:{acme_crm}"
    key = crm_key(canonical_url(crm))
    first, second = list(owners(acme_crm))[:2]
    before = owners(acme_crm)
    approvals = ApprovalsStore(store.engine)
    decisions = [held(first, before[first]), held(second, before[second])]
    assert approvals.hold(key, decisions, AT) == 2
    assert approvals.hold(key, [held(first, before[first], OTHER)], AT) == 1  # refreshed
    pending = approvals.pending(key)
    assert [(p.record_id, p.recommended, p.state) for p in pending] == [
        (first, OTHER, PENDING),
        (second, LARS, PENDING),
    ]
    assert f"{pending[0].id}\t{first}\tp\trecommended {OTHER}" in invoke("pending", "--crm", crm)

    invoke("approve", str(pending[0].id), "--crm", crm, "--dry-run")
    assert owners(acme_crm)[first] == before[first] and len(approvals.pending(key)) == 2

    invoke("approve", str(pending[0].id), "--crm", crm, "--owner", LARS)
    invoke("reject", str(pending[1].id), "--crm", crm)
    after = owners(acme_crm)
    assert (after[first], after[second]) == (LARS, OTHER)
    resolved = [approvals.get(p.id) for p in pending]
    assert [(r.state, r.owner_id) for r in resolved if r] == [(APPROVED, LARS), (REJECTED, OTHER)]
    assert approvals.pending(key) == []

    again = CliRunner().invoke(app, ["bestfit", "approve", str(pending[0].id), "--crm", crm])
    assert again.exit_code != 0 and "already approved" in again.output
