"""The simulation job: read the CRM once, compile both policies against it, replay the window,
and write what a sales leader reads: a CSV of the changed decisions and one HTML file with
its charts embedded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.policy import load_policy
from connectors.base import Connector
from routing.replay import PolicySide, SimulationReport, simulate
from routing.world import World
from worker.jobs.policy.fields import read_policy_fields
from worker.jobs.session import build_matcher
from worker.reports.simulation import render_html
from worker.reports.spreadsheet import SpreadsheetWriter

_RELATIVE = re.compile(r"^\s*(\d+)\s*([dhw])\s*$", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`30d`, `12h`, `2w`, or an ISO date or datetime (UTC when it names no zone)."""
    relative = _RELATIVE.match(text)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2).lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--since {text!r}: use a length like 30d, 12h or 2w, or a date like 2026-10-01"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Simulation:
    report: SimulationReport
    world: World
    newest_lead: datetime | None = None  # for a window that selected none


def run_simulation(
    connector: Connector,
    candidate_path: Path,
    baseline_path: Path | None,
    start: datetime,
    end: datetime,
) -> Simulation:
    read_policy_fields(connector, candidate_path, *([baseline_path] if baseline_path else []))
    snapshot = connector.snapshot()
    candidate = load_policy(candidate_path, snapshot)
    baseline = load_policy(baseline_path, snapshot) if baseline_path else None
    matcher = build_matcher(snapshot, candidate)
    same_matching = baseline is not None and baseline.matching == candidate.matching
    baseline_matcher = (
        matcher if same_matching or baseline is None else build_matcher(snapshot, baseline)
    )
    report = simulate(
        snapshot,
        PolicySide(candidate_path.name, candidate, matcher),
        PolicySide(baseline_path.name, baseline, baseline_matcher)
        if baseline and baseline_path
        else None,
        start,
        end,
    )
    created = [lead.created_date for lead in snapshot.leads if lead.created_date is not None]
    return Simulation(report, World(snapshot), max(created, default=None))


CHANGE_COLUMNS = (
    "record_id",
    "object",
    "created_date",
    "before_owner_id",
    "before_owner",
    "before_rule",
    "before_pool",
    "after_owner_id",
    "after_owner",
    "after_rule",
    "after_pool",
    "after_reason",
)


def write_changes_csv(simulation: Simulation, path: Path) -> None:
    names = simulation.world.owner_name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = SpreadsheetWriter(handle)
        writer.writerow(CHANGE_COLUMNS)
        for change in simulation.report.changes:
            before, after = change.before, change.after
            created = change.created_date.isoformat() if change.created_date else ""
            writer.writerow(
                [
                    change.record_id,
                    change.object,
                    created,
                    before.owner_id or "",
                    names(before.owner_id),
                    before.rule,
                    before.pool or "",
                    after.owner_id or "",
                    names(after.owner_id),
                    after.rule,
                    after.pool or "",
                    after.reason,
                ]
            )


def write_report(simulation: Simulation, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    changes, html = folder / "changed_decisions.csv", folder / "simulation.html"
    write_changes_csv(simulation, changes)
    html.write_text(render_html(simulation.report, simulation.world), encoding="utf-8")
    return changes, html
