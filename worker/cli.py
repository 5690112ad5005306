"""`leadrelay …` — the command line."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Annotated, TextIO, cast

import structlog
import typer
from rich.console import Console

from config.policy import dump_schema, load_policy
from connectors.registry import open_connector
from routing.alias_suggestions import as_policy_yaml
from routing.alias_suggestions import suggest_aliases as alias_suggestions
from worker import render
from worker.cli_backfill import register as register_backfill_commands
from worker.cli_bestfit import register as register_bestfit_commands
from worker.cli_common import err, friendly_errors, open_output
from worker.cli_edge import EdgeGroup
from worker.cli_explain import register as register_explain_commands
from worker.cli_policy import register as register_policy_commands
from worker.cli_report import register as register_report_commands
from worker.cli_serve import serve
from worker.cli_sla import check_clock_stores, start_route_clocks
from worker.cli_sla import register as register_sla_commands
from worker.cli_titles import register as register_title_commands
from worker.cli_worker import register as register_worker_commands
from worker.jobs import (
    RouteReport,
    build_matcher,
    match_all,
    match_summary,
    open_session,
    route_routable,
)
from worker.policy_check import check_policy
from worker.policy_fields import read_policy_fields
from worker.settings import Settings
from worker.terminal import cell, markup

app = typer.Typer(
    cls=EdgeGroup,  # the surroundings failing is one line, not a traceback
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals would print the Redis and database URLs
    help="LeadRelay: route leads, and say why.",
)
policy_app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Check a policy, or print its schema.",
)
app.add_typer(policy_app, name="policy")

EXAMPLES = Path(__file__).resolve().parent.parent / "config" / "examples"

CrmOption = Annotated[str, typer.Option("--crm", help="csv:DIR, salesforce: or hubspot:")]
PolicyOption = Annotated[Path, typer.Option("--policy", help="the routing policy (YAML)")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", help="write JSON lines here (.jsonl), or CSV (.csv), not stdout"),
]


class _CurrentStderr:
    """Whatever sys.stderr is when a line is logged, not when logging was set up: a stream
    swapped in for one command (a test runner's) is closed once the command returns."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


@app.callback()
def _logs_to_stderr() -> None:
    """Logs go to stderr whatever else configures them: stdout carries the JSON lines."""
    stream = cast(TextIO, _CurrentStderr())
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=stream))


def _write_json_line(handle: IO[str], row: dict[str, object]) -> None:
    handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


@app.command()
def route(
    crm: CrmOption,
    policy: PolicyOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="decide, but write nothing")] = False,
    output: OutputOption = None,
) -> None:
    """Route every routable record in CreatedDate order; write owners back unless --dry-run."""
    with friendly_errors():
        connector = open_connector(crm)
        session = open_session(connector, policy, models_home=Settings().home)
        render.issues(err, session.snapshot.issues)
        for warning in session.warnings:
            err.print(markup("[yellow]policy: {}[/yellow]", warning))
        if not dry_run:  # before any owner is written, so every written one gets its clock
            check_clock_stores(session)
        with open_output(output, crm, policy) as handle:
            report = route_routable(
                session,
                connector,
                dry_run=dry_run,
                on_decision=lambda d: _write_json_line(handle, d.to_json()),
            )
        render.summary(err, report.decisions, session.router.world, dry_run=dry_run)
        if not dry_run:
            started = start_route_clocks(crm, session, report)
            if started:
                err.print(markup("started {} SLA clocks", started))
        if report.quota is not None:
            _say_quota_stop(report)
        else:
            for failed in report.failed_writes:
                err.print(
                    markup("[red]write failed for {}: {}[/red]", failed.record_id, failed.error)
                )
        for change, why in report.refused:
            err.print(
                markup("[red]not written: {} {}: {}[/red]", change.object, change.record_id, why)
            )
        if report.failed_writes or report.refused:
            raise typer.Exit(4)


def _say_quota_stop(report: RouteReport) -> None:
    """Both lists, so nobody has to guess which owners reached the CRM."""
    written = [w.record_id for w in report.writes if w.ok]
    unwritten = [w.record_id for w in report.failed_writes]
    err.print(
        markup(
            "[red]the CRM's API quota ran out part-way: {} owners written, {} not written[/red]"
            " ({}) — run route again once it resets; the written ones have their SLA clocks",
            len(written),
            len(unwritten),
            report.quota,
        )
    )
    err.print(markup("written: {}", ", ".join(written) or "none"))
    err.print(markup("not written: {}", ", ".join(unwritten)))


@app.command()
def match(
    crm: CrmOption,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="for its matching settings")
    ] = None,
    output: OutputOption = None,
    suggest_aliases: Annotated[
        bool,
        typer.Option(
            "--suggest-aliases",
            help="list near-misses (unmatched leads and the closest account) as an aliases: "
            "section for a person to confirm, instead of the matches",
        ),
    ] = False,
) -> None:
    """Match every lead to its account: one JSON line per lead."""
    with friendly_errors():
        connector = open_connector(crm)
        if policy:
            read_policy_fields(connector, policy)
        snapshot = connector.snapshot()
        render.issues(err, snapshot.issues)
        compiled = load_policy(policy, snapshot) if policy else None
        matcher = build_matcher(snapshot, compiled)
        for alias, target in matcher.unresolved_aliases():
            err.print(
                markup(
                    "[yellow]aliases: '{}' → '{}' names no account, domain or account name; "
                    "fix or remove it[/yellow]",
                    alias,
                    target,
                )
            )
        if suggest_aliases:
            pairs = [(lead, matcher.match(lead)) for lead in snapshot.leads]
            suggestions = alias_suggestions(pairs, snapshot.accounts)
            inputs: list[Path | str] = [crm, *([policy] if policy else [])]
            with open_output(output, *inputs, lines=False) as handle:
                handle.write(as_policy_yaml(suggestions) + "\n")
            err.print(markup("{} near-miss(es) to confirm", len(suggestions)))
            return
        methods: Counter[str] = Counter()
        with open_output(output, crm, *([policy] if policy else [])) as handle:
            for found in match_all(snapshot, matcher):
                _write_json_line(handle, found.to_json())
                methods[found.method] += 1
        err.print(cell(match_summary(methods)))


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="the policy file")],
    crm: Annotated[
        str | None,
        typer.Option("--crm", help="csv:DIR, salesforce: or hubspot:; without it, offline"),
    ] = None,
) -> None:
    """Validate a policy. Offline: its schema and what it defines itself (tiers, territories,
    pools, steps…). With --crm, besides: every field it reads, every user and queue it names,
    the owners allowed on the objects it routes, and the values it compares with picklists.
    Errors exit 2; warnings are shown and exit 0."""
    with friendly_errors():
        report = check_policy(file, open_connector(crm) if crm else None)
        for warning in report.warnings:
            err.print(markup("[yellow]{}: {}[/yellow]", file, warning))
        report.raise_errors()
        compiled = report.compiled
        if compiled is None:
            err.print(
                markup(
                    "[green]{}: OK[/green] offline (schema and the policy's own names); "
                    "--crm also checks its fields, users, queues and picklists",
                    file,
                )
            )
            return
        rules = len(compiled.rules) + sum(len(r) for r in compiled.steps.values())
        err.print(
            markup("[green]{}: OK[/green] — {} rules, {} pools", file, rules, len(compiled.pools))
        )


@policy_app.command("schema")
def policy_schema() -> None:
    """Print the policy's JSON Schema (for editors)."""
    print(dump_schema())


@app.command()
def demo(
    home: Annotated[Path, typer.Option("--home", envvar="LEADRELAY_HOME")] = Path(".leadrelay"),
    seconds: Annotated[float, typer.Option("--seconds", help="stop after this long")] = 60.0,
    per_second: Annotated[int, typer.Option("--per-second", help="leads arriving a second")] = 12,
) -> None:
    """The worker and beat on a copy of the Acme sample: leads arrive, decisions show live."""
    from worker.demo import run_demo
    from worker.sample import HomeInUse

    with friendly_errors(HomeInUse):
        if not run_demo(home, seconds, per_second, Console()):
            raise typer.Exit(1)


@app.command()
def sample(
    home: Annotated[Path, typer.Option("--home", envvar="LEADRELAY_HOME")] = Path(".leadrelay"),
    fresh: Annotated[bool, typer.Option("--fresh", help="copy it again over the old copy")] = False,
) -> None:
    """Copy the bundled Acme sample to LEADRELAY_HOME/crm, a CRM to route and write owners to
    (the bundled one is never written). An existing copy is kept unless --fresh."""
    from worker.sample import copy_sample, shown_path

    target, made = copy_sample(home, fresh=fresh)
    said = "copied the Acme sample to" if made else "kept the existing copy (--fresh to reset)"
    err.print(markup("{} {}: use --crm csv:{}", said, shown_path(target), shown_path(target)))


register_worker_commands(app)
register_policy_commands(policy_app)
register_explain_commands(app)
register_bestfit_commands(app)
register_backfill_commands(app)
register_sla_commands(app)
register_title_commands(app)
register_report_commands(app)
app.command("serve")(serve)


def main() -> None:  # pragma: no cover
    app()
