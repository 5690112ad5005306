"""`leadrelay …` — the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, TextIO, cast

import structlog
import typer
from rich.console import Console

from config.errors import PolicyError
from config.policy import dump_schema, load_policy, policy_warnings
from connectors.base import Connector, ConnectorError
from connectors.registry import open_connector
from routing.alias_suggestions import as_policy_yaml
from routing.alias_suggestions import suggest_aliases as alias_suggestions
from worker import render
from worker.cli_backfill import register as register_backfill_commands
from worker.cli_bestfit import register as register_bestfit_commands
from worker.cli_common import err, friendly_errors, open_output
from worker.cli_report import register as register_report_commands
from worker.cli_serve import serve
from worker.cli_sla import register as register_sla_commands
from worker.cli_sla import start_route_clocks
from worker.cli_titles import register as register_title_commands
from worker.cli_worker import register as register_worker_commands
from worker.jobs import build_matcher, explain_record, match_all, open_session, route_routable
from worker.policy_fields import read_policy_fields
from worker.settings import Settings

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="LeadRelay: route leads, and say why."
)
policy_app = typer.Typer(no_args_is_help=True, help="Check a policy, or print its schema.")
app.add_typer(policy_app, name="policy")

EXAMPLES = Path(__file__).resolve().parent.parent / "config" / "examples"

CrmOption = Annotated[str, typer.Option("--crm", help="csv:DIR, salesforce: or hubspot:")]
PolicyOption = Annotated[Path, typer.Option("--policy", help="the routing policy (YAML)")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", help="write JSON lines here, not stdout")
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


def _write_json_lines(handle: IO[str], rows: Iterator[dict[str, object]]) -> int:
    count = 0
    for row in rows:
        _write_json_line(handle, row)
        count += 1
    return count


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
            err.print(f"[yellow]policy: {warning}[/yellow]")
        with open_output(output) as handle:
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
                err.print(f"started {started} SLA clocks")
        for failed in report.failed_writes:
            err.print(f"[red]write failed for {failed.record_id}: {failed.error}[/red]")
        if report.failed_writes:
            raise typer.Exit(4)


@app.command()
def explain(
    record_id: Annotated[str, typer.Argument(help="the record's Id")],
    crm: CrmOption,
    policy: PolicyOption,
    as_json: Annotated[bool, typer.Option("--json", help="print the decision as JSON")] = False,
) -> None:
    """Why one record goes where it goes: match, score, territory, every rule, the pool."""
    with friendly_errors():
        session = open_session(open_connector(crm), policy, models_home=Settings().home)
        decision, routable = explain_record(session, record_id)
        if decision is None:
            err.print(
                f"[red]no record {record_id} in {crm}[/red] — check the Id (it is case-sensitive)"
            )
            raise typer.Exit(1)
        if as_json:
            print(json.dumps(decision.to_json(), indent=2, ensure_ascii=False, default=str))
        else:
            render.explain(Console(), decision, session.router.world, routable=routable)


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
            err.print(f"[yellow]aliases: '{alias}' → '{target}' names no account, domain "
                      "or account name; fix or remove it[/yellow]")  # fmt: skip
        if suggest_aliases:
            pairs = [(lead, matcher.match(lead)) for lead in snapshot.leads]
            suggestions = alias_suggestions(pairs, snapshot.accounts)
            with open_output(output) as handle:
                handle.write(as_policy_yaml(suggestions) + "\n")
            err.print(f"{len(suggestions)} near-miss(es) to confirm")
            return
        with open_output(output) as handle:
            count = _write_json_lines(handle, (m.to_json() for m in match_all(snapshot, matcher)))
        err.print(f"matched {count} leads")


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="the policy file")],
    crm: CrmOption,
) -> None:
    """Validate a policy against a CRM: schema, references to users, queues and pools, and
    every field it reads against the CRM's fields the integration user can read."""
    with friendly_errors():
        connector = open_connector(crm)
        try:
            read_policy_fields(connector, file)
        except PolicyError as unreadable:
            _raise_with_the_rest(unreadable, file, connector)
        snapshot = connector.snapshot()
        compiled = load_policy(file, snapshot)
        for warning in policy_warnings(compiled, snapshot):
            err.print(f"[yellow]{file}: {warning}[/yellow]")
        rules = len(compiled.rules) + sum(len(r) for r in compiled.steps.values())
        err.print(f"[green]{file}: OK[/green] — {rules} rules, {len(compiled.pools)} pools")


def _raise_with_the_rest(unreadable: PolicyError, file: Path, connector: Connector) -> None:
    """Every problem at once: the unreadable fields, then what compiling finds besides them
    (when the CRM can be read without those fields)."""
    problems = list(unreadable.problems)
    try:
        load_policy(file, connector.snapshot())
    except ConnectorError:
        raise unreadable from None
    except PolicyError as also:
        named = {p.path for p in problems}
        problems += [p for p in also.problems if p.path not in named]
    raise PolicyError(unreadable.source, problems)


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

    if not run_demo(home, seconds, per_second, Console()):
        raise typer.Exit(1)


register_worker_commands(app)
register_bestfit_commands(app)
register_backfill_commands(app)
register_sla_commands(app)
register_title_commands(app)
register_report_commands(app)
app.command("serve")(serve)


def main() -> None:  # pragma: no cover
    app()
