"""`leadrelay report`: routing insights from the durable record, as tables in the terminal,
and optionally one HTML file with charts and a CSV per table.

SQLAlchemy and matplotlib are imported inside the command, so other commands do not pay for
them at start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Column, Table

from config.errors import PolicyError
from connectors.base import ConnectorError
from worker.bootstrap import open_crm, open_store
from worker.cli._common import err, say_error
from worker.reports.format import shown
from worker.reports.terminal import cell, markup
from worker.reports.windows import empty_window_hint, newest_decision

__all__ = ["register"]

TERMINAL_ROWS = 15


def report(
    since: Annotated[
        str, typer.Option("--since", help="window start: 30d, 12h, 2w or an ISO date")
    ] = "30d",
    crm: Annotated[
        str | None,
        typer.Option("--crm", help="this CRM only; its export adds conversion and lead source"),
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="write report.html here")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="write one CSV per table here")] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy", help="with --crm: each pool member's share against their fair one"
        ),
    ] = None,
) -> None:
    """Speed to lead, SLAs, fairness, reassignments, conversion, fallbacks and dead letters."""
    from worker.jobs.simulate import parse_since
    from worker.reports.queries import build_report

    now = datetime.now(UTC)
    try:
        start = parse_since(since, now)
    except ValueError as exc:
        say_error(exc)
        raise typer.Exit(2) from None
    key, snapshot = _crm(crm)
    compiled = _policy(policy, snapshot)
    with open_store() as store:
        built = build_report(
            store.engine, since=start, until=now, crm=key, snapshot=snapshot, policy=compiled
        )
        newest = newest_decision(store.engine, key) if not built.headline["decisions"] else None
    render(Console(), built)
    if not built.headline["decisions"]:
        hint = empty_window_hint("decisions recorded", since, start, now, newest)
        err.print(markup("[yellow]{}[/yellow]", hint))
    if html is not None:
        from worker.reports.html import render_html

        html.mkdir(parents=True, exist_ok=True)
        (html / "report.html").write_text(render_html(built), encoding="utf-8")
        err.print(markup("wrote {}", html / "report.html"))
    if csv is not None:
        from worker.reports.csv_files import write_csvs

        err.print(markup("wrote {} CSV files to {}", len(write_csvs(built, csv)), csv))


def _crm(url: str | None) -> tuple[str | None, Any]:
    if url is None:
        return None, None
    from worker.state.board import canonical_url, crm_key

    try:
        snapshot = open_crm(url).snapshot()
    except (ConnectorError, PolicyError) as exc:
        say_error(exc, "CRM: ")
        raise typer.Exit(3) from None
    return crm_key(canonical_url(url)), snapshot


def _policy(path: Path | None, snapshot: Any) -> Any:
    if path is None:
        return None
    if snapshot is None:
        say_error(ValueError("--policy needs --crm: the policy's members are the CRM's users"))
        raise typer.Exit(2)
    from config.policy import load_policy

    try:
        return load_policy(path, snapshot)
    except (PolicyError, OSError) as exc:
        say_error(exc, "policy: ")
        raise typer.Exit(2) from None


def render(console: Console, built: Any) -> None:
    headline = Table("figure", "value", title="routing at a glance")
    for name, value in built.headline.items():
        headline.add_row(cell(name.replace("_", " ")), cell(shown(value, name)))
    console.print(headline)
    for table in built.tables.values():
        rendered = Table(*(Column(cell(c)) for c in table.columns), title=cell(table.title))
        for row in table.rows[:TERMINAL_ROWS]:
            rendered.add_row(*(cell(shown(v, c)) for v, c in zip(row, table.columns, strict=False)))
        console.print(rendered)
        if len(table.rows) > TERMINAL_ROWS:
            console.print(
                markup("  … {} more (--csv has them all)", len(table.rows) - TERMINAL_ROWS)
            )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
