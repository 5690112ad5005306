"""`leadrelay report`'s figures over a store filled with known decisions, SLA clocks, moves and
dead letters: every number checked exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.base import WriteResult
from routing.model import CrmSnapshot, Decision, Lead, Opportunity, OwnerChange
from routing.replay import Move
from worker.reports.csv_files import write_csvs
from worker.reports.html import render_html
from worker.reports.queries import build_report, gini
from worker.store.records import Store, moves
from worker.store.sla import sla_clocks

CRM = "csv-test"
NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
ROUTED = datetime(2024, 6, 5, 10, 0, tzinfo=UTC)


def _decision(record_id: str, owner: str, rule: str, pool: str | None, territory: str | None,
              tier: str | None = None) -> Decision:  # fmt: skip
    trace: dict[str, Any] = {"rules": [], "path": [rule]}
    if territory:
        trace["territory"] = {"name": territory, "region": None}
    return Decision(record_id, "Lead", owner, "00GQUEUE", None, "none", rule, 0, tier, pool,
                    f"Rule {rule}: to {owner}.", trace)  # fmt: skip


def _clock(key: str, record_id: str, owner: str, team: str | None, tier: str | None,
           touched_after: float | None, outcome: str, action: str | None = None,
           started: datetime = ROUTED) -> dict[str, Any]:  # fmt: skip
    return {
        "crm": CRM, "clock_key": key, "record_id": record_id, "object": "Lead",
        "owner_id": owner, "target": "t", "rule": "territory", "tier": tier, "pool": None,
        "team": team, "calendar": None, "ownership": False, "breaches": 0,
        "breached_owner_ids": [], "routed_at": ROUTED, "started_at": started,
        "due_at": started + timedelta(minutes=30), "state": "closed", "outcome": outcome,
        "first_touch_at": ROUTED + timedelta(minutes=touched_after)
        if touched_after is not None else None,
        "closed_at": NOW, "action": action,
    }  # fmt: skip


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store(database_url) as opened:
        opened.migrate()
        _fill(opened)
        yield opened


def _fill(store: Store) -> None:
    store.record_decisions(CRM, [
        _decision("r1", "u1", "territory", "emea", "EMEA", "Tier 1"),
        _decision("r2", "u1", "territory", "emea", "EMEA"),
        _decision("r3", "u2", "territory", "emea", "EMEA"),
        _decision("r4", "u3", "named", None, "NA"),
        _decision("r5", "u9", "fallback", None, None),
    ], [WriteResult(r, True) for r in ("r1", "r2", "r3", "r4", "r5")],
        key="t1", decided_at=datetime(2024, 6, 5, 10, 0, tzinfo=UTC))  # fmt: skip
    store.record_decisions(
        CRM, [_decision("r6", "u2", "territory", "emea", "EMEA")],
        key="old", decided_at=datetime(2024, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    store.record_decisions(
        "other-crm", [_decision("x1", "u2", "territory", "emea", "EMEA")], key="o",
        decided_at=ROUTED,
    )  # fmt: skip
    rows = [
        _clock("c1", "r1", "u1", "emea", "Tier 1", 4, "met"),
        _clock("c2", "r2", "u1", "emea", "Tier 2", 20, "met"),
        _clock("c3", "r3", "u2", "emea", "Tier 1", None, "breached", "reassign"),
        _clock("c4", "r3", "u1", "emea", "Tier 1", 150, "met",
               started=ROUTED + timedelta(hours=1)),
        _clock("c5", "r4", "u3", "na", None, 300, "breached"),
    ]  # fmt: skip
    with store.engine.begin() as connection:
        connection.execute(sla_clocks.insert(), rows)
    move = Move("r5", "Lead", "u9", "u1", "Territory changed.")
    store.record_moves(CRM, "run-1", [move], [WriteResult("r5", True)])
    with store.engine.begin() as connection:  # recorded "now": moved back into the window
        connection.execute(moves.update().values(moved_at=ROUTED))
    store.dead_letter(CRM, OwnerChange("r2", "Lead", "u1"), "boom", failed_at=ROUTED)
    resolved = store.dead_letter(CRM, OwnerChange("r1", "Lead", "u1"), "boom", failed_at=ROUTED)
    store.resolve_dead_letter(resolved, NOW)


def _rows(report: Any, name: str) -> list[tuple[Any, ...]]:
    return report.tables[name].rows


def test_headline_figures(store: Store) -> None:
    report = build_report(store.engine, since=SINCE, until=NOW, crm=CRM)
    assert report.headline == {
        "decisions": 5, "records": 5, "fallback": 1, "fallback_share": 0.2,
        "touched": 4, "median_minutes_to_first_touch": 20.0,
        "p90_minutes_to_first_touch": 300.0,
        "sla_met": 3, "sla_breached": 2, "sla_met_share": 0.6,
        "escalated_records": 2, "reassigned_by_sla_records": 1,
        "moved_by_backfill_records": 1, "reassigned_records": 2,
        "escalated_share": 0.4, "reassigned_share": 0.4,
        "dead_letters_open": 1, "dead_letters_resolved": 1,
    }  # fmt: skip


def test_speed_to_lead(store: Store) -> None:
    report = build_report(store.engine, since=SINCE, until=NOW, crm=CRM)
    assert _rows(report, "speed_to_lead_distribution") == [
        ("< 5 min", 1), ("5–15 min", 0), ("15–60 min", 1), ("1–4 h", 1), ("4–24 h", 1),
        ("> 24 h", 0),
    ]  # fmt: skip
    assert _rows(report, "speed_to_lead_by_rep") == [
        ("u1", 3, 58.0, 20.0, 150.0),
        ("u3", 1, 300.0, 300.0, 300.0),
    ]
    assert _rows(report, "speed_to_lead_by_team") == [
        ("emea", 3, 58.0, 20.0, 150.0),
        ("na", 1, 300.0, 300.0, 300.0),
    ]
    tiers = {row[0]: row[1:] for row in _rows(report, "speed_to_lead_by_tier")}
    assert tiers == {None: (1, 300.0, 300.0, 300.0), "Tier 1": (2, 77.0, 4.0, 150.0),
                     "Tier 2": (1, 20.0, 20.0, 20.0)}  # fmt: skip


def test_sla_outcomes_by_rep(store: Store) -> None:
    report = build_report(store.engine, since=SINCE, until=NOW, crm=CRM)
    assert _rows(report, "sla_by_rep") == [
        ("u1", 3, 0, 1.0), ("u2", 0, 1, 0.0), ("u3", 0, 1, 0.0),
    ]  # fmt: skip


def test_fairness_decisions_fallbacks_and_dead_letters(store: Store) -> None:
    report = build_report(store.engine, since=SINCE, until=NOW, crm=CRM)
    assert _rows(report, "fairness_by_pool") == [("emea", 2, 3, 1, 2, 0.6667, 0.1667)]
    assert _rows(report, "leads_by_pool_member") == [
        ("emea", "u1", 2, 0.6667), ("emea", "u2", 1, 0.3333),
    ]  # fmt: skip
    assert _rows(report, "decisions_by_rule") == [
        ("territory", 3, 0.6), ("fallback", 1, 0.2), ("named", 1, 0.2),
    ]  # fmt: skip
    assert _rows(report, "fallbacks") == [("u9", 1)]
    assert _rows(report, "dead_letters") == [("boom", 1, 1)]


def test_the_window_and_the_crm_select_what_is_counted(store: Store) -> None:
    everything = build_report(store.engine, since=None, until=NOW)
    assert everything.headline["decisions"] == 7
    assert _rows(everything, "fairness_by_pool") == [("emea", 2, 5, 2, 3, 0.6, 0.1)]


def test_conversion_and_source_need_the_crm(store: Store) -> None:
    leads = (
        Lead("r1", lead_source="Web", is_converted=True,
             fields={"ConvertedOpportunityId": "o1"}),
        Lead("r2", lead_source="Web", is_converted=True,
             fields={"ConvertedOpportunityId": "o2"}),
        Lead("r3", lead_source="Event"),
        Lead("r4", lead_source="Web", is_converted=True),
        Lead("r5"),
    )  # fmt: skip
    opportunities = (Opportunity("o1", is_closed=True, is_won=True), Opportunity("o2"))
    snapshot = CrmSnapshot(leads=leads, opportunities=opportunities)
    report = build_report(store.engine, since=SINCE, until=NOW, crm=CRM, snapshot=snapshot)
    assert _rows(report, "conversion_by_rule") == [
        ("fallback", 1, 0, 0, 0, 0.0),
        ("named", 1, 1, 0, 0, 0.0),
        ("territory", 3, 2, 2, 1, 0.3333),
    ]
    assert _rows(report, "conversion_by_territory") == [
        ("(none)", 1, 0, 0, 0, 0.0),
        ("EMEA", 3, 2, 2, 1, 0.3333),
        ("NA", 1, 1, 0, 0, 0.0),
    ]
    assert _rows(report, "conversion_by_rep") == [
        ("u1", 2, 2, 2, 1, 0.5),
        ("u2", 1, 0, 0, 0, 0.0),
        ("u3", 1, 1, 0, 0, 0.0),
        ("u9", 1, 0, 0, 0, 0.0),
    ]
    assert _rows(report, "speed_to_lead_by_source") == [
        ("Event", 1, 150.0, 150.0, 150.0),
        ("Web", 3, 108.0, 20.0, 300.0),
    ]


def test_html_and_csv_files(store: Store, tmp_path: Path) -> None:
    report = build_report(store.engine, since=SINCE, until=NOW, crm=CRM)
    html = render_html(report)
    assert html.count("<svg") >= 4 and "Time to first touch" in html
    written = write_csvs(report, tmp_path)
    assert (tmp_path / "sla_by_rep.csv").read_text().splitlines() == [
        "rep,met,breached,met share", "u1,3,0,1.0", "u2,0,1,0.0", "u3,0,1,0.0",
    ]  # fmt: skip
    assert len(written) == len(report.tables)


def test_gini() -> None:
    assert gini([5, 5, 5]) == 0.0
    assert gini([0, 0, 9]) == pytest.approx(2 / 3)
    assert gini([]) == 0.0


def test_the_command_prints_tables_and_writes_html_and_csv(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from worker.cli import app

    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(
        app, ["report", "--since", "2024-05-01", "--html", str(tmp_path), "--csv", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "Time to first touch by rep" in result.output
    assert (tmp_path / "report.html").read_text().count("<svg") >= 4
    assert (tmp_path / "fairness_by_pool.csv").exists()


def test_a_bad_window_is_a_clear_error(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from worker.cli import app

    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["report", "--since", "last tuesday"])
    assert result.exit_code == 2


def test_with_the_policy_each_member_share_is_set_against_their_fair_share(store: Store) -> None:
    from config.policy import compile_policy
    from config.schema import PolicyFile
    from routing.model import Queue, Rep

    zone = {"TimeZoneSidKey": "UTC"}
    users = {"u1": Rep("u1", "Ana", "ana@x.example", fields=zone),
             "u2": Rep("u2", "Ben", "ben@x.example", fields=zone)}  # fmt: skip
    snapshot = CrmSnapshot(users, {"00GQUEUE": Queue("00GQUEUE", "Inbound")})
    spec = PolicyFile.model_validate(
        {
            "name": "t",
            "routable": {"owners": [{"queue": "Inbound"}]},
            "fallback": {"queue": "Inbound"},
            "availability": {
                "working_hours": [
                    {
                        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                        "hours": "00:00-12:00",
                    }
                ],  # fmt: skip
                "user_hours": {
                    "ben@x.example": [
                        {
                            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                            "hours": "00:00-06:00",
                        }
                    ]
                },
            },  # fmt: skip
            "pools": [{"name": "emea", "members": ["ana@x.example", "ben@x.example"]}],
            "rules": [{"name": "territory", "assign": {"pool": "emea"}}],
        }
    )
    policy = compile_policy(spec, snapshot)

    report = build_report(
        store.engine, since=SINCE, until=NOW, crm=CRM, snapshot=snapshot, policy=policy
    )

    rows = _rows(report, "fair_share_by_member")
    assert [row[:8] for row in rows] == [
        ("emea", "Ana", 2, 0.6667, 1, 0.5, 0.6667, 1.0),
        ("emea", "Ben", 1, 0.3333, 1, 0.25, 0.3333, 1.0),
    ]
    assert rows[0][8] == (
        "Ana 67% of the pool's leads; weighted share while on shift 67% "
        "(weight 1, on shift 50% of the hours)"
    )
    assert "fair_share_by_member" not in build_report(store.engine, since=SINCE, until=NOW).tables


def test_the_command_takes_the_policy_with_the_crm(
    store: Store, database_url: str, acme_crm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tests.conftest import ACME_POLICY
    from worker.cli import app

    monkeypatch.setenv("DATABASE_URL", database_url)
    alone = CliRunner().invoke(app, ["report", "--policy", str(ACME_POLICY)])
    both = CliRunner().invoke(
        app, ["report", "--crm", f"csv:{acme_crm}", "--policy", str(ACME_POLICY)]
    )

    assert alone.exit_code == 2 and "--policy needs --crm" in alone.output
    assert both.exit_code == 0, both.output
    assert "weighted share while on shift" in both.output


def test_with_the_crm_reps_read_by_name_and_routing_owners_are_no_rep(store: Store) -> None:
    from routing.model import Queue, Rep

    store.record_decisions(  # the integration user handed r7 to the queue: it routed from it
        CRM, [_decision("r7", "00GNURTURE", "nurture", None, None)], key="t2",
        decided_at=ROUTED,
    )  # fmt: skip
    with store.engine.begin() as connection:
        connection.execute(
            sla_clocks.insert(), [_clock("c9", "r7", "00GQUEUE", None, None, 5, "met")]
        )
    users = {
        u: Rep(u, name) for u, name in (("u1", "Ann Lee"), ("u2", "Bo Chen"), ("u3", "Cy Diaz"))
    }
    queues = {q: Queue(q, name) for q, name in (("00GQUEUE", "Inbound"), ("00GNURTURE", "Nurture"))}
    leads = tuple(Lead(f"r{n}") for n in (1, 2, 3, 4, 5, 7))
    snapshot = CrmSnapshot(users=users, queues=queues, leads=leads)
    report = build_report(store.engine, since=SINCE, until=NOW, crm=CRM, snapshot=snapshot)
    reps = [row[0] for row in _rows(report, "conversion_by_rep")]
    assert reps == ["Ann Lee", "Bo Chen", "Cy Diaz", "u9"]  # no queue; an unknown Id stays
    assert "Inbound" not in [row[0] for row in _rows(report, "sla_by_rep")]
    assert [row[1] for row in _rows(report, "leads_by_pool_member")] == ["Ann Lee", "Bo Chen"]


def test_shares_read_as_percentages_and_an_empty_window_charts_nothing(
    store: Store, tmp_path: Path
) -> None:
    from rich.console import Console

    from worker.cli.report import render

    report = build_report(store.engine, since=SINCE, until=NOW, crm=CRM)
    console = Console(record=True, width=200)
    render(console, report)
    text = console.export_text()
    assert "│ fallback share                │ 20.0%" in text and "0.2 " not in text
    empty = build_report(store.engine, since=NOW, until=NOW + timedelta(days=1), crm=CRM)
    html = render_html(empty)
    assert "<svg" not in html and "No data in this window" in html
