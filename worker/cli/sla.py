"""`leadrelay sla check` and `leadrelay sla status`; and the clocks `leadrelay route` starts.

SQLAlchemy and Redis are imported inside the functions, so `leadrelay route --dry-run` does
not pay for them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from connectors.base import BudgetReporter
from worker.bootstrap import open_store, sla_run
from worker.cli._common import err, friendly_errors, open_output
from worker.cli._options import AtOption, CrmOption, PolicyOption, flag
from worker.reports.terminal import cell, markup
from worker.settings import Settings
from worker.state.board import canonical_url, crm_key

if TYPE_CHECKING:
    from worker.jobs.session import RouteReport, RoutingSession
    from worker.jobs.sla import SlaRun

__all__ = ["register", "start_route_clocks"]

sla_app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Response-time clocks: check, status.",
)


def register(app: typer.Typer) -> None:
    app.add_typer(sla_app, name="sla")


@sla_app.command("check")
def check(
    crm: CrmOption,
    policy: PolicyOption,
    at: AtOption = None,
    dry_run: Annotated[bool, flag("--dry-run", "decide, change nothing")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="write JSON lines here, not stdout")
    ] = None,
) -> None:
    """Check the clocks due by --at once; one JSON line per escalation."""
    from worker.jobs.sla import check_slas

    moment = _moment(at)
    with friendly_errors(), _opened(crm, policy) as run, open_output(output, crm, policy) as handle:
        report = check_slas(run, moment, dry_run=dry_run, from_store=True)
        for escalation in report.escalations:
            row = escalation.to_json()
            if escalation.record_id in report.write_errors:
                row["write_error"] = report.write_errors[escalation.record_id]
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        if run.notifier is not None:
            run.notifier.close()
    verb = "would escalate" if dry_run else "escalated"
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())) or "none due"
    spent = run.connector.api_calls if isinstance(run.connector, BudgetReporter) else None
    err.print(
        cell(
            f"checked {report.checked} clocks as of {moment.isoformat()}: {counts}; {verb} "
            f"{len(report.escalations)}" + ("" if spent is None else f"; {spent:,} API calls")
        )
    )
    if report.write_errors:
        raise typer.Exit(4)


@sla_app.command("status")
def status(
    crm: CrmOption,
    at: AtOption = None,
    soon: Annotated[int, typer.Option("--soon", help="minutes that count as due soon")] = 60,
    as_json: Annotated[bool, flag("--json", "print JSON")] = False,
) -> None:
    """Open clocks, due soon, breached; met and breached per rep, team and tier."""
    from worker.store.sla import SlaStore

    moment = _moment(at)
    key = crm_key(canonical_url(crm))
    with open_store() as store:
        sla = SlaStore(store.engine)
        counts = sla.counts(key, moment, timedelta(minutes=soon))
        upcoming = sla.upcoming(key, moment)
        report = sla.report(key)
    if as_json:
        print(
            json.dumps(
                {
                    "at": moment.isoformat(),
                    "open": counts.open,
                    "due_soon": counts.due_soon,
                    "overdue": counts.overdue,
                    "met": counts.met,
                    "breached": counts.breached,
                    "by_owner": [_row(row) for row in report],
                },
                default=str,
            )
        )
        return
    console = Console()
    console.print(
        markup(
            "[bold]{} open[/bold] ({} overdue, {} due in {} min); closed: {} met, {} breached",
            counts.open,
            counts.overdue,
            counts.due_soon,
            soon,
            counts.met,
            counts.breached,
        )
    )
    table = Table("record", "owner", "target", "due", "breaches", title="next due")
    for clock in upcoming:
        late = " (overdue)" if clock["due_at"] <= moment else ""
        table.add_row(
            cell(clock["record_id"]),
            cell(clock["owner_id"]),
            cell(clock["target"]),
            cell(clock["due_at"].isoformat() + late),
            str(clock["breaches"]),
        )
    console.print(table)
    per_rep = Table(
        "owner",
        "team",
        "tier",
        "met",
        "breached",
        "mean min to touch",
        title="per rep, team and tier",
    )
    for row in report:
        per_rep.add_row(
            cell(row.owner_id),
            cell(row.team or ""),
            cell(row.tier or ""),
            str(row.met),
            str(row.breached),
            "" if row.mean_minutes_to_first_touch is None else str(row.mean_minutes_to_first_touch),
        )
    console.print(per_rep)


def check_clock_stores(session: RoutingSession) -> None:
    """The store (and Redis, when REDIS_URL is set) answer, or route stops before writing:
    an owner written whose clock cannot start is a lead nobody is timed on."""
    if not session.policy.sla.enabled:
        return
    with open_store():
        pass
    url = Settings().redis_url
    if url is not None:
        import redis

        client = redis.Redis.from_url(url.get_secret_value(), socket_connect_timeout=5)
        try:
            client.ping()
        finally:
            client.close()


def start_route_clocks(crm: str, session: RoutingSession, report: RouteReport) -> int:
    """`leadrelay route` without --dry-run: a clock for every written decision, kept in the
    store always and in Redis too when REDIS_URL says where the worker's is."""
    from worker.jobs.sla import start_clocks

    policy = session.policy
    if not policy.sla.enabled or report.dry_run:
        return 0
    with open_store() as store:
        run = sla_run(crm, store, None)
        clocks = start_clocks(
            run,
            policy,
            session.snapshot.users,
            report.decisions,
            report.writes,
            datetime.now(UTC),
        )
    return len(clocks)


# --- wiring ----------------------------------------------------------------------------------


@contextmanager
def _opened(crm: str, policy: Path) -> Iterator[SlaRun]:
    with open_store() as store:
        yield sla_run(crm, store, policy)


def _moment(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        err.print(
            markup(
                "[red]--at {} is not an ISO-8601 time[/red] — e.g. 2026-11-24T15:05:00Z", repr(at)
            )
        )
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row(row: object) -> dict[str, object]:
    fields = ("owner_id", "team", "tier", "met", "breached", "mean_minutes_to_first_touch")
    return {name: getattr(row, name) for name in fields}
