"""`leadrelay explain` and `leadrelay history`: why a record goes where it goes today, what
was decided for it then, and a lead that does not exist yet, tried against the real CRM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.table import Table

from routing.model import Decision
from routing.world import World
from worker.bootstrap import open_crm, open_store
from worker.cli._common import err, friendly_errors
from worker.cli._options import CrmOption, PolicyOption, flag
from worker.jobs.explain import differences, explain_made_up, given_fields
from worker.jobs.policy.fields import read_policy_fields
from worker.jobs.session import explain_record, open_session
from worker.reports import render
from worker.reports.history import record_history
from worker.reports.terminal import cell, markup
from worker.settings import Settings
from worker.state.board import crm_key
from worker.store.records import RecordedDecision, Store

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command()(explain)
    app.command()(history)


def explain(
    crm: CrmOption,
    policy: PolicyOption,
    record_id: Annotated[str | None, typer.Argument(help="the record's Id")] = None,
    lead: Annotated[
        list[str] | None,
        typer.Option("--lead", help="a made-up lead: FIELDS.json, or Field=value (repeat)"),
    ] = None,
    as_json: Annotated[bool, flag("--json", "print the decision as JSON")] = False,
) -> None:
    """Why one record goes where it goes: match, score, territory, every rule, the pool; and
    the decision recorded for it, with where today's differs. `--lead` tries a lead that does
    not exist against the CRM as it is, writing nothing."""
    with friendly_errors(ValueError, OSError):
        if (record_id is None) == (not lead):
            raise ValueError("give a record Id, or a made-up lead with --lead (not both)")
        if lead:
            _explain_made_up(crm, policy, lead, as_json)
            return
        assert record_id is not None
        session = open_session(open_crm(crm), policy, models_home=Settings().home)
        decision, routable = explain_record(session, record_id)
        if decision is None:
            err.print(
                markup(
                    "[red]no record {} in {}[/red] — check the Id (it is case-sensitive)",
                    record_id,
                    crm,
                )
            )
            raise typer.Exit(1)
        recorded = _recorded_decision(crm, decision.record_id)
        world = session.router.world
        if as_json:
            _print_json(decision, recorded)
            return
        console = Console()
        render.explain(console, decision, world, routable=routable)
        _render_comparison(console, decision, recorded, world)


def _explain_made_up(crm: str, policy: Path, given: list[str], as_json: bool) -> None:
    connector = open_crm(crm)
    read_policy_fields(connector, policy)
    decision, session, routable = explain_made_up(
        connector.snapshot(), policy, given_fields(given), Settings().home
    )
    if as_json:
        print(json.dumps(decision.to_json(), indent=2, ensure_ascii=False, default=str))
        return
    console = Console()
    console.print("[bold]A made-up lead[/bold], routed after every routable lead; nothing written.")
    render.explain(console, decision, session.router.world, routable=routable)


def _recorded_decision(crm: str, record_id: str) -> RecordedDecision | None:
    """The newest decision the store holds for the record on this CRM; None without a store
    (a SQLite file is never created by asking)."""
    url = Settings().database_url.get_secret_value()
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return None
    try:
        with Store(url) as store:
            found = store.decisions_for(record_id, crm_key(crm))
    except sa.exc.DBAPIError:  # a database the worker never migrated
        return None
    return found[-1] if found else None


def _print_json(decision: Decision, recorded: RecordedDecision | None) -> None:
    row: dict[str, Any] = decision.to_json()
    if recorded is not None:
        row["recorded"] = {
            **recorded.decision.to_json(),
            "decided_at": recorded.decided_at,
            "write_status": recorded.write_status,
        }
        row["differences"] = differences(decision, recorded.decision)
    else:
        row["recorded"] = None
    print(json.dumps(row, indent=2, ensure_ascii=False, default=str))


def _render_comparison(
    console: Console, fresh: Decision, recorded: RecordedDecision | None, world: World
) -> None:
    if recorded is None:
        console.print("\n[dim]No decision recorded for this record in the store.[/dim]")
        return
    then = recorded.decision
    table = Table("", "recorded", "today", title="\nrecorded decision and today's")
    table.add_row("when", cell(f"{recorded.decided_at:%Y-%m-%d %H:%M:%S} UTC"), "now")
    table.add_row("policy version", cell(then.policy_version or "—"), "the --policy file")
    table.add_row("owner", cell(_owner(world, then.owner_id)), cell(_owner(world, fresh.owner_id)))
    for name in ("rule", "score", "tier", "pool"):
        table.add_row(
            name, cell(str(getattr(then, name) or "—")), cell(str(getattr(fresh, name) or "—"))
        )
    table.add_row("write", recorded.write_status, "—")
    console.print(table)
    differ = differences(fresh, then)
    if differ:
        named = ", ".join("owner" if d == "owner_id" else d for d in differ)
        console.print(
            markup(
                "[yellow]They differ in {}: the CRM or the policy changed since "
                "(`leadrelay history {}` shows what happened).[/yellow]",
                named,
                then.record_id,
            )
        )
    else:
        console.print("[green]They agree: same owner, rule, score, tier and pool.[/green]")


def _owner(world: World, owner_id: str) -> str:
    return f"{world.owner_name(owner_id)} ({owner_id})"


def history(
    record_id: Annotated[str, typer.Argument(help="the record's Id")],
    crm: Annotated[
        str | None, typer.Option("--crm", help="only this CRM, and owners named from it")
    ] = None,
    as_json: Annotated[bool, flag("--json", "one JSON line per event")] = False,
) -> None:
    """Everything the store holds for a record, oldest first: decisions (rule, policy version,
    reason), backfill moves, SLA clocks and outcomes, holds, notifications."""
    with friendly_errors():
        names = World(open_crm(crm).snapshot()).owner_name if crm else None
        with open_store() as store:
            events = record_history(store.engine, record_id, crm_key(crm) if crm else None)
    if not events:
        err.print(f"nothing recorded for {record_id}" + (f" on {crm}" if crm else ""))
        raise typer.Exit(1)
    if as_json:
        for event in events:
            print(json.dumps(event.to_json(names), ensure_ascii=False, default=str))
        return
    table = Table("when (UTC)", "what", "owner", "detail", title=f"history of {record_id}")
    for event in events:
        owner = event.owner_id or "—"
        if names and event.owner_id:
            owner = f"{names(event.owner_id)} ({event.owner_id})"
        table.add_row(
            cell(f"{event.at:%Y-%m-%d %H:%M:%S}"),
            cell(event.kind),
            cell(owner),
            cell(event.summary),
        )
    Console(soft_wrap=True).print(table)
