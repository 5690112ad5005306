"""A simulation as files a sales leader opens: every changed decision as CSV (no cell a
formula) and the report as one HTML page."""

from __future__ import annotations

from pathlib import Path

from worker.jobs.simulate import Simulation
from worker.reports.simulation import render_html
from worker.reports.spreadsheet import SpreadsheetWriter

__all__ = ["write_csv", "write_html", "write_report"]

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
    return write_csv(simulation, folder), write_html(simulation, folder)


def write_csv(simulation: Simulation, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    changes = folder / "changed_decisions.csv"
    write_changes_csv(simulation, changes)
    return changes


def write_html(simulation: Simulation, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / "simulation.html"
    html.write_text(render_html(simulation.report, simulation.world), encoding="utf-8")
    return html
