"""`leadrelay simulate` and `leadrelay backfill`."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as ProgressBar
from rich.table import Table

from connectors.base import BudgetReporter, Connector
from connectors.estimate import write_calls, write_method
from routing.replay import OBJECTS, SCOPES, Guards, SimulationReport
from routing.world import World
from worker.bootstrap import hooks_for, open_crm, open_store
from worker.cli._common import check_output, err, friendly_errors, refuse_overwriting
from worker.cli._options import CrmOption, NowOption, PolicyOption, flag
from worker.jobs.backfill import (
    BackfillReport,
    BackfillRequest,
    Progress,
    default_chunk_size,
    run_backfill,
)
from worker.jobs.context import NO_HOOKS
from worker.jobs.simulate import parse_since, run_simulation
from worker.reports.output_files import output_format, write_rows_as_csv
from worker.reports.simulation_files import write_csv, write_html, write_report
from worker.reports.terminal import cell, markup
from worker.reports.windows import empty_window_hint
from worker.settings import Settings

__all__ = ["register"]


EXIT_FAILED_WRITES, EXIT_OVER_LIMIT, EXIT_BUDGET = 4, 5, 6


def register(app: typer.Typer) -> None:
    app.command()(simulate)
    app.command()(backfill)


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- simulate --------------------------------------------------------------------------------


def simulate(
    crm: CrmOption,
    policy: Annotated[Path, typer.Option("--policy", help="the candidate policy")],
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="the current policy; default: the owners as they are"),
    ] = None,
    since: Annotated[
        str, typer.Option("--since", help="window start: 30d, 12h, 2w or an ISO date")
    ] = "30d",
    report: Annotated[
        Path | None, typer.Option("--report", help="write changed_decisions.csv and the HTML here")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="write simulation.html here (as report --html)")
    ] = None,
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="write changed_decisions.csv here (as report --csv)"),
    ] = None,
    now: NowOption = None,
) -> None:
    """Replay the leads created since --since under the candidate policy and the baseline."""
    with friendly_errors(ValueError):
        end = _utc(now)
        start = parse_since(since, end)
        simulation = run_simulation(open_crm(crm), policy, baseline, start, end)
        _print_simulation(simulation.report, simulation.world)
        if simulation.report.leads == 0:
            hint = empty_window_hint("leads created", since, start, end, simulation.newest_lead)
            err.print(markup("[yellow]{}[/yellow]", hint))
        if report is not None:
            changes, page = write_report(simulation, report)
            err.print(markup("changed decisions: {}\nreport: {}", changes, page))
        if csv is not None:
            err.print(markup("changed decisions: {}", write_csv(simulation, csv)))
        if html is not None:
            err.print(markup("report: {}", write_html(simulation, html)))


def _print_simulation(report: SimulationReport, world: World) -> None:
    before, after = report.baseline, report.candidate
    err.print(
        markup(
            "[bold]{} leads[/bold] created {} – {} UTC: [bold]{}[/bold] decisions change "
            "({} vs {})",
            report.leads,
            f"{report.start:%Y-%m-%d %H:%M}",
            f"{report.end:%Y-%m-%d %H:%M}",
            len(report.changes),
            after.name,
            before.name,
        )
    )
    err.print(
        cell(
            f"fallback {len(before.fallbacks)} → {len(after.fallbacks)}; pool overflows "
            f"{before.overflows} → {after.overflows}; Gini over reps {before.gini:.2f} → "
            f"{after.gini:.2f}"
        )
    )
    pools = Table("pool", "handed out", "open held", "max/min", "overflows", title="pools")
    for name in dict.fromkeys([*before.pools, *after.pools]):
        b, a = before.pools.get(name), after.pools.get(name)
        pools.add_row(
            cell(name),
            cell(f"{b.routed if b else '—'} → {a.routed if a else '—'}"),
            cell(f"{b.load if b else '—'} → {a.load if a else '—'}"),
            cell(
                f"{_ratio(b.max_min_ratio) if b else '—'} → {_ratio(a.max_min_ratio) if a else '—'}"
            ),
            cell(f"{b.overflows if b else '—'} → {a.overflows if a else '—'}"),
        )
    err.print(pools)
    reps = Table("rep", "open leads", title="load per rep (changed only)")
    for user in sorted(world.users, key=world.owner_name):
        if before.loads.get(user, 0) != after.loads.get(user, 0):
            reps.add_row(
                cell(world.owner_name(user)), cell(f"{before.loads[user]} → {after.loads[user]}")
            )
    err.print(reps)


def _ratio(value: float | None) -> str:
    return "∞" if value is None else f"{value:.2f}"


# --- backfill --------------------------------------------------------------------------------


def backfill(
    crm: CrmOption,
    policy: PolicyOption,
    scope: Annotated[str, typer.Option("--scope", help=" | ".join(SCOPES))],
    object: Annotated[str, typer.Option("--object", help=" | ".join(OBJECTS))] = "Lead",
    dry_run: Annotated[bool, flag("--dry-run", "plan, but write nothing")] = False,
    max_moves: Annotated[
        int | None, typer.Option("--max-moves", min=0, help="move nothing if more would move")
    ] = None,
    exclude_active_days: Annotated[
        int,
        typer.Option(
            "--exclude-active-days", min=0, help="hold records active in the last D days (0: off)"
        ),
    ] = 30,
    include_open_opportunities: Annotated[
        bool,
        flag("--include-open-opportunities", help="also move records with open opportunities"),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="write the moves here: JSON lines (.jsonl) or CSV (.csv)"),
    ] = None,
    fresh: Annotated[
        bool, flag("--fresh", help="discard a checkpoint left by an unfinished run")
    ] = False,
    chunk_size: Annotated[int | None, typer.Option("--chunk-size", min=1, hidden=True)] = None,
    now: NowOption = None,
) -> None:
    """Move records whose owner is no longer right: deactivated, or off the policy."""
    with friendly_errors(ValueError):
        if output is not None:  # checked before any owner moves, not after
            refuse_overwriting(output, crm, policy)
            check_output(output)
        if scope not in SCOPES or object not in OBJECTS:
            raise ValueError(f"--scope is one of {SCOPES}, --object one of {OBJECTS}")
        guards = Guards(
            now=_utc(now),
            exclude_active_days=exclude_active_days,
            move_open_opportunities=include_open_opportunities,
            max_moves=max_moves,
        )
        request = BackfillRequest(crm, policy, scope, guards, object, dry_run, chunk_size, fresh)
        settings = Settings()
        store = None if dry_run else open_store(settings)
        try:
            connector = open_crm(crm)
            with _progress() as on_progress:
                spend = _Spend(connector, request)
                report = run_backfill(
                    connector,
                    request,
                    home=settings.home,
                    store=store,
                    on_progress=spend.before_writing(on_progress),
                    hooks=hooks_for(store) if store is not None else NO_HOOKS,
                )
            spend.after(report)
        finally:
            if store is not None:
                store.close()
        _write_moves(report, output)
        raise typer.Exit(_print_backfill(report))


@contextmanager
def _progress() -> Iterator[Progress]:
    columns = (
        TextColumn("writing owners"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with ProgressBar(*columns, console=err, transient=True) as bar:
        task = bar.add_task("moves", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


class _Spend:
    """The API calls a backfill spends, said before its first write: the calls the read took
    (the connector's meter) and an estimate of the writes, from the moves left and the CRM's
    batch sizes and bulk threshold. A dry run says what a real run would write."""

    def __init__(self, connector: Connector, request: BackfillRequest) -> None:
        self.connector, self.request = connector, request
        self.said = False

    def before_writing(self, progress: Progress) -> Progress:
        def first(done: int, total: int) -> None:
            if not self.said:
                self.say(total - done, total)
            progress(done, total)

        return first

    def after(self, report: BackfillReport) -> None:
        if not self.said and not report.plan.over_limit:
            self.say(len(report.plan.moves), len(report.plan.moves))

    def say(self, moves: int, planned: int) -> None:
        self.said = True
        if not isinstance(self.connector, BudgetReporter):
            return  # a CSV folder: no API to spend
        read = self.connector.api_calls
        chunk = self.request.chunk_size or default_chunk_size(self.connector.name, planned)
        writes = write_calls(self.connector, moves, chunk)
        verb = "would cost" if self.request.dry_run else "will cost"
        err.print(
            f"API calls: reading the CRM took {read:,}; writing {moves:,} owners {verb} about "
            f"{writes:,} ({write_method(self.connector, chunk)}), {read + writes:,} in all"
            + _budget_left(self.connector)
        )


def _budget_left(connector: Connector) -> str:
    budget = connector.api_budget() if isinstance(connector, BudgetReporter) else None
    if budget is None:
        return ""
    return f"; the org has used {budget.used:,} of {budget.limit:,} calls today"


def _write_moves(report: BackfillReport, output: Path | None) -> None:
    moves = [] if report.plan.over_limit else [m.to_json() for m in report.plan.moves]
    if output is not None and output_format(output) == "csv":
        with output.open("w", encoding="utf-8", newline="") as handle:
            write_rows_as_csv(moves, handle)
        return
    lines = "".join(json.dumps(move, ensure_ascii=False) + "\n" for move in moves)
    if output is None:
        sys.stdout.write(lines)
    else:
        output.write_text(lines, encoding="utf-8")


def _print_backfill(report: BackfillReport) -> int:
    plan = report.plan
    if report.resumed_at is not None:
        err.print(
            cell(f"resumed a saved run: {report.resumed_at} of {len(plan.moves)} moves were done")
        )
    if plan.over_limit:
        err.print(
            markup(
                "[red]more than {} records would move (--max-moves): nothing was written[/red]"
                " — narrow the scope, or raise --max-moves if this is intended",
                len(plan.moves) - 1,
            )
        )
        return EXIT_OVER_LIMIT
    verb = "would move" if report.dry_run else "moves planned"
    err.print(
        cell(
            f"evaluated {plan.evaluated}: {verb} {len(plan.moves)}, kept {plan.kept}, "
            f"held by guard rails {len(plan.held)}"
        )
    )
    for why, count in Counter(h.why_held.split(" on ")[0] for h in plan.held).most_common():
        err.print(cell(f"  held: {why} ({count})"))
    if not report.dry_run:
        err.print(
            cell(
                f"written {report.written}, already done {report.already_done}, changed "
                f"meanwhile {len(report.changed_meanwhile)}, failed {len(report.failed)}"
            )
        )
    for move, result in report.failed:
        err.print(markup("[red]write failed for {}: {}[/red]", move.record_id, result.error))
    if report.stopped:
        err.print(markup("[yellow]stopped: {}; run again to resume[/yellow]", report.stopped))
        return EXIT_BUDGET
    return EXIT_FAILED_WRITES if report.failed else 0
