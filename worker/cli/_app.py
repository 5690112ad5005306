"""The `leadrelay` root. Each command's module is imported only when that command runs or its
own help is asked for: the commands load routing, SQLAlchemy, Celery and matplotlib, and
`leadrelay --help` or `--version` should answer at once. The listing's one-line helps are kept
here (a test holds them equal to the commands' own)."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from importlib.metadata import version as installed_version
from typing import Annotated, Any, TextIO, cast

import typer
from typer.core import TyperCommand

from worker.cli._edge import EdgeGroup

__all__ = ["COMMANDS", "app", "load_command"]


@dataclass(frozen=True)
class Entry:
    module: str
    help: str


COMMANDS: dict[str, Entry] = {
    "route": Entry(
        "worker.cli.route",
        "Route every routable record in CreatedDate order; write owners back unless --dry-run.",
    ),
    "match": Entry("worker.cli.route", "Match every lead to its account: one JSON line per lead."),
    "demo": Entry(
        "worker.cli.demo",
        "The worker and beat on a copy of the Acme sample: leads arrive, decisions show live.",
    ),
    "sample": Entry(
        "worker.cli.sample",
        "Copy the bundled Acme sample to LEADRELAY_HOME/crm, a CRM to route and write owners to\n"
        "(the bundled one is never written). An existing copy is kept unless --fresh.",
    ),
    "worker": Entry(
        "worker.cli.worker",
        "Route CRM changes continuously: poll, route, write owners, record every decision.",
    ),
    "beat": Entry(
        "worker.cli.worker",
        "Run beat: polls each configured CRM on schedule; a second beat waits for the lock.",
    ),
    "status": Entry(
        "worker.cli.worker", "Queues, watermarks, last poll per CRM, dead letters, API budget left."
    ),
    "retry": Entry(
        "worker.cli.worker", "Send the owner writes of open dead letters to the CRM again."
    ),
    "explain": Entry(
        "worker.cli.explain",
        "Why one record goes where it goes: match, score, territory, every rule, the pool; and\n"
        "the decision recorded for it, with where today's differs. `--lead` tries a lead that "
        "does\nnot exist against the CRM as it is, writing nothing.",
    ),
    "history": Entry(
        "worker.cli.explain",
        "Everything the store holds for a record, oldest first: decisions (rule, policy "
        "version,\nreason), backfill moves, SLA clocks and outcomes, holds, notifications.",
    ),
    "evaluate": Entry(
        "worker.cli.bestfit",
        "Train on deals closed before --train-until, replay the later ones: uplift of the\n"
        "model's choice over the other deals, with 95% intervals, calibration, and round robin.",
    ),
    "simulate": Entry(
        "worker.cli.backfill",
        "Replay the leads created since --since under the candidate policy and the baseline.",
    ),
    "backfill": Entry(
        "worker.cli.backfill",
        "Move records whose owner is no longer right: deactivated, or off the policy.",
    ),
    "titles": Entry(
        "worker.cli.titles",
        "Read the job titles in a CSV column: seniority and function for each, and why.",
    ),
    "report": Entry(
        "worker.cli.report",
        "Speed to lead, SLAs, fairness, reassignments, conversion, fallbacks and dead letters.",
    ),
    "serve": Entry(
        "worker.cli.serve",
        "Receive CRM change events and enqueue them for the worker (POST /hooks/hubspot,\n"
        "/hooks/salesforce; GET /healthz, /readyz, /metrics), and serve the web console at\n"
        "/console/ once LEADRELAY_CONSOLE_ADMIN_PASSWORD or _VIEWER_PASSWORD is set.",
    ),
    "policy": Entry("worker.cli.policy", "Check a policy, or print its schema."),
    "bestfit": Entry("worker.cli.bestfit", "Best-fit routing's skill model."),
    "sla": Entry("worker.cli.sla", "Response-time clocks: check, status."),
}


def load_command(name: str) -> Any:
    """The command as its module defines it (a typer command, or a group of them)."""
    module = importlib.import_module(COMMANDS[name].module)
    holder = typer.Typer()
    holder.callback()(_nothing)  # a group, however many commands the module registers
    module.register(holder)
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


def _nothing() -> None:
    return None


class CommandGroup(EdgeGroup):
    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if self._listing:  # the root's help: a name and a line, no module loaded
            return TyperCommand(cmd_name, help=entry.help)
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=CommandGroup,  # the surroundings failing is one line, not a traceback
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals would print the Redis and database URLs
    help="LeadRelay: route leads, and say why.",
)


class _CurrentStderr:
    """Whatever sys.stderr is when a line is logged, not when logging was set up: a stream
    swapped in for one command (a test runner's) is closed once the command returns."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"leadrelay {installed_version('leadrelay')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Logs go to stderr whatever else configures them: stdout carries the JSON lines."""
    import structlog

    stream = cast(TextIO, _CurrentStderr())
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=stream))
