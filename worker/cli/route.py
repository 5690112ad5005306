"""`leadrelay route` and `leadrelay match`: a CRM routed or matched once, from the command line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import IO, Annotated

import typer

from config.policy import load_policy
from routing.matching.alias_suggestions import as_policy_yaml
from routing.matching.alias_suggestions import suggest_aliases as alias_suggestions
from worker.bootstrap import open_crm
from worker.cli._common import err, friendly_errors, open_output
from worker.cli._options import CrmOption, OutputOption, PolicyOption, flag
from worker.cli.sla import check_clock_stores, start_route_clocks
from worker.jobs.policy.fields import read_policy_fields
from worker.jobs.session import (
    RouteReport,
    build_matcher,
    match_all,
    match_summary,
    open_session,
    route_routable,
)
from worker.reports import render
from worker.reports.terminal import cell, markup
from worker.settings import Settings


def register(app: typer.Typer) -> None:
    app.command()(route)
    app.command()(match)


def _write_json_line(handle: IO[str], row: dict[str, object]) -> None:
    handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def route(
    crm: CrmOption,
    policy: PolicyOption,
    dry_run: Annotated[bool, flag("--dry-run", "decide, but write nothing")] = False,
    output: OutputOption = None,
) -> None:
    """Route every routable record in CreatedDate order; write owners back unless --dry-run."""
    with friendly_errors():
        connector = open_crm(crm)
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


def match(
    crm: CrmOption,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="for its matching settings")
    ] = None,
    output: OutputOption = None,
    suggest_aliases: Annotated[
        bool,
        flag(
            "--suggest-aliases",
            help="list near-misses (unmatched leads and the closest account) as an aliases: "
            "section for a person to confirm, instead of the matches",
        ),
    ] = False,
) -> None:
    """Match every lead to its account: one JSON line per lead."""
    with friendly_errors():
        connector = open_crm(crm)
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
