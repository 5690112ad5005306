"""What people read in the terminal: run summaries and one decision explained."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from routing.model import DataIssue, Decision
from routing.world import World
from worker.reports.terminal import cell, markup


def summary(
    console: Console, decisions: Sequence[Decision], world: World, *, dry_run: bool
) -> None:
    by_rule = Counter(d.rule for d in decisions)
    by_owner = Counter(d.owner_id for d in decisions)
    verb = "would route" if dry_run else "routed"
    console.print(markup("[bold]{} {} records[/bold]", verb, len(decisions)))
    rules = Table("rule", "records", title="by rule")
    for rule, count in by_rule.most_common():
        rules.add_row(cell(rule), str(count))
    owners = Table("owner", "records", title="by owner")
    for owner, count in by_owner.most_common():
        owners.add_row(cell(world.owner_name(owner)), str(count))
    console.print(rules)
    console.print(owners)


def issues(console: Console, found: Iterable[DataIssue], *, limit: int = 20) -> None:
    found = list(found)
    if not found:
        return
    console.print(markup("[yellow]{} data problem(s) in the CRM input:[/yellow]", len(found)))
    for issue in found[:limit]:
        console.print(markup("  [yellow]•[/yellow] {}", issue))
    if len(found) > limit:
        console.print(markup("  … and {} more", len(found) - limit))


def explain(console: Console, decision: Decision, world: World, *, routable: bool) -> None:
    trace = decision.trace
    console.print(
        markup(
            "[bold]{}[/bold] → [bold green]{}[/bold green] ({}) by rule [bold]{}[/bold]",
            decision.record_id,
            world.owner_name(decision.owner_id),
            decision.owner_id,
            decision.rule,
        )
    )
    console.print(cell(decision.reason))
    if not routable:
        console.print(
            "[yellow]Not routable now (its owner or status puts it out of scope); "
            "this is what the policy would decide if it were.[/yellow]"
        )
    _match(console, trace.get("match", {}), world)
    _score(console, trace.get("score"))
    _territory(console, trace.get("territory"))
    _title(console, trace.get("title"))
    sticky = trace.get("sticky")
    if sticky:
        mark = "[green]✓[/green]" if sticky.get("stuck") else "[yellow]✗[/yellow]"
        console.print(markup(f"[bold]Sticky owner[/bold] {mark} {{}}", sticky.get("why", "")))
    _rules(console, trace.get("rules", []))
    for entry in trace.get("rules", []):
        pool = entry.get("pool")
        while pool:
            _pool(console, pool, world, entry["rule"])
            pool = pool.get("overflowed_from")


def _match(console: Console, match: Mapping[str, Any], world: World) -> None:
    found = world.accounts.get(match.get("account_id") or "")
    name = found.name if found else "no account"
    console.print(
        markup(
            "\n[bold]Account[/bold]: {} — {} (confidence {}) {}",
            name,
            match.get("method"),
            match.get("confidence"),
            match.get("reason", ""),
        )
    )
    for candidate in match.get("candidates", []):
        other = world.accounts.get(candidate["account_id"])
        lost_to = other.name if other else candidate["account_id"]
        console.print(markup("  not {}: {}", lost_to, candidate["why_lost"]))


def _score(console: Console, score: Mapping[str, Any] | None) -> None:
    if not score:
        console.print("\n[bold]Score[/bold]: not scored")
        return
    table = Table(
        "signal",
        "field",
        "from",
        "value",
        "points",
        "why",
        title=cell(f"Score {score['total']} — {score['tier']}"),
    )
    for row in score["breakdown"]:
        table.add_row(
            cell(row["signal"]),
            cell(row["field"]),
            cell(row["source"] or "—"),
            cell(row["value"]),
            cell(row["points"]),
            cell(row["why"]),
        )
    console.print(table)


def _territory(console: Console, territory: Mapping[str, Any] | None) -> None:
    if territory:
        read = "; ".join(territory.get("read", []))
        console.print(
            markup(
                "[bold]Territory[/bold]: {} (region {}, from the {}'s address: {}{})",
                territory.get("name") or "none",
                territory.get("region") or "none",
                territory.get("source"),
                territory.get("why"),
                "; " + read if read else "",
            )
        )


def _title(console: Console, title: Mapping[str, Any] | None) -> None:
    if title:
        words = "; ".join(title.get("evidence", [])) or "no telling words"
        console.print(
            markup(
                "[bold]Title[/bold]: {} (rank {}), {} — {}",
                title["seniority"],
                title["rank"],
                ", ".join(title["functions"]),
                words,
            )
        )


def _rules(console: Console, rules: Sequence[Mapping[str, Any]]) -> None:
    table = Table("rule", "applied", "why", title="Rules, in order")
    for entry in rules:
        applied = markup("[green]yes[/green]") if entry["applied"] else "no"
        table.add_row(cell(entry["rule"]), applied, cell(entry["why"]))
    console.print(table)


def _pool(console: Console, pool: Mapping[str, Any] | None, world: World, rule: str) -> None:
    if not pool:
        return
    table = Table(
        "member",
        "open leads",
        "skipped because",
        title=cell(
            f"Rule {rule}: pool {pool['pool']} ({pool['method']}, cap {pool['cap'] or 'none'})"
        ),
    )
    for member in pool["considered"]:
        table.add_row(
            cell(world.owner_name(member["user_id"])),
            str(member["load"]),
            cell(member["skipped"] or "—"),
        )
    console.print(table)
