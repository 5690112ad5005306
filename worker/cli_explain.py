"""`leadrelay explain` and `leadrelay history`: why a record goes where it goes today, what
was decided for it then, and a lead that does not exist yet, tried against the real CRM."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.table import Table

from connectors._csvtypes import PARSERS, CellError, Kind, known_kind
from connectors._records import to_lead
from connectors.registry import open_connector
from routing.model import LEAD, Decision, FieldValue
from routing.world import World
from worker import render
from worker.cli_common import err, friendly_errors
from worker.crm_board import crm_key
from worker.jobs import explain_record, open_session, session_for
from worker.policy_fields import read_policy_fields
from worker.record_history import record_history
from worker.settings import Settings
from worker.store import RecordedDecision, Store
from worker.terminal import cell, markup

__all__ = ["register"]

MADE_UP_ID = "made-up-lead"
COMPARED = ("owner_id", "rule", "score", "tier", "pool")


def register(app: typer.Typer) -> None:
    app.command()(explain)
    app.command()(history)


def explain(
    crm: Annotated[str, typer.Option("--crm", help="csv:DIR, salesforce: or hubspot:")],
    policy: Annotated[Path, typer.Option("--policy", help="the routing policy (YAML)")],
    record_id: Annotated[str | None, typer.Argument(help="the record's Id")] = None,
    lead: Annotated[
        list[str] | None,
        typer.Option("--lead", help="a made-up lead: FIELDS.json, or Field=value (repeat)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the decision as JSON")] = False,
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
        session = open_session(open_connector(crm), policy, models_home=Settings().home)
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
    connector = open_connector(crm)
    read_policy_fields(connector, policy)
    snapshot = connector.snapshot()
    probe = session_for(snapshot, policy)  # for the routable owners a new lead starts with
    fields = made_up_fields(given, sorted(probe.policy.routable_owner_ids))
    made_up = to_lead(fields, LEAD)
    with_it = dataclasses.replace(snapshot, leads=(*snapshot.leads, made_up))
    session = session_for(with_it, policy, models_home=Settings().home)
    decision, routable = explain_record(session, made_up.id)
    assert decision is not None
    if as_json:
        print(json.dumps(decision.to_json(), indent=2, ensure_ascii=False, default=str))
        return
    console = Console()
    console.print("[bold]A made-up lead[/bold], routed after every routable lead; nothing written.")
    render.explain(console, decision, session.router.world, routable=routable)


def made_up_fields(given: list[str], routable_owners: list[str]) -> dict[str, FieldValue]:
    """`--lead` values: JSON files and Field=value pairs, typed as the CSV CRM types its
    columns (NumberOfEmployees a number, CreatedDate a time). A lead with no owner is given
    the first routable owner (the intake queue), as a new lead would have; it is created now."""
    fields: dict[str, FieldValue] = {}
    for item in given:
        if "=" in item and not item.endswith(".json"):
            name, _, value = item.partition("=")
            fields[name.strip()] = value
        else:
            loaded = json.loads(Path(item).read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError(f"{item}: a JSON object of field → value, as the CRM names them")
            fields.update(loaded)
    typed = {name: _typed(name, value) for name, value in fields.items()}
    typed.setdefault("Id", MADE_UP_ID)
    typed.setdefault("CreatedDate", datetime.now(UTC))
    typed.setdefault("IsConverted", False)
    if not typed.get("OwnerId") and routable_owners:
        typed["OwnerId"] = routable_owners[0]
    return typed


def _typed(name: str, value: Any) -> FieldValue:
    kind = known_kind(name)
    if not isinstance(value, str) or kind is None or kind is Kind.TEXT:
        return value  # type: ignore[no-any-return]
    try:
        return PARSERS[kind](value)
    except CellError as error:
        raise ValueError(f"--lead {name}={value!r}: {error}") from None


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


def differences(fresh: Decision, recorded: Decision) -> list[str]:
    return [name for name in COMPARED if getattr(fresh, name) != getattr(recorded, name)]


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
    as_json: Annotated[bool, typer.Option("--json", help="one JSON line per event")] = False,
) -> None:
    """Everything the store holds for a record, oldest first: decisions (rule, policy version,
    reason), backfill moves, SLA clocks and outcomes, holds, notifications."""
    with friendly_errors():
        names = World(open_connector(crm).snapshot()).owner_name if crm else None
        with Store(Settings().database_url.get_secret_value()) as store:
            store.migrate()
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
