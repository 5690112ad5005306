"""`leadrelay status`: what is queued, how far each CRM has been read, when it was last polled,
what failed for good, and how much API budget is left."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from worker.bootstrap import Runtime
from worker.jobs.redrive import RedriveReport
from worker.names import QUEUE
from worker.reports.terminal import cell, markup
from worker.store.insights import InsightsStore

HELD_SHOWN = 20


def collect(built: Runtime, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    client = built.client
    queues = {
        QUEUE: client.llen(QUEUE),
        "unacknowledged": client.hlen("unacked"),
    }
    crms = []
    insights = InsightsStore(built.store.engine)
    for configured in built.board.configured():
        key = configured.key
        state = built.state(configured.url)
        counts = built.store.counts(key)
        waiting, waiting_rows = built.store.waiting(key, now, limit=HELD_SHOWN)
        crms.append(
            {
                "crm": configured.url,
                "key": key,
                "policy": configured.policy,
                "last_poll": built.board.last_poll(key),
                "last_polled_at": state.last_polled(key),
                "watermarks": {obj: when for (_, obj), when in built.store.watermarks(key).items()},
                "decisions": counts.decisions,
                "by_write_status": counts.by_write_status,
                "open_dead_letters": counts.open_dead_letters,
                "api_budget": built.board.budget(key),
                "api_calls_today": built.board.calls_today(key),
                "paused": built.board.paused(key),
                "policy_version": built.board.policy(key),
                "state_built": state.is_built(),
                "held": insights.held_count(key),
                "held_records": [asdict(h) for h in insights.held(key, limit=HELD_SHOWN)],
                "notifications": insights.outbox_counts(key),
                "waiting": waiting,
                "waiting_records": [asdict(w) for w in waiting_rows],
            }
        )
    return {"queues": queues, "crms": crms}


def render(console: Console, report: dict[str, Any]) -> None:
    queues = Table("queue", "messages", title="queues")
    for name, size in report["queues"].items():
        queues.add_row(name, str(size))
    console.print(queues)
    if not report["crms"]:
        console.print("no CRM configured yet: start `leadrelay worker --crm URL --policy FILE`")
        return
    crms = Table(
        "CRM",
        "last poll",
        "watermark",
        "decisions",
        "dead letters",
        "API calls today",
        "held",
        "notifications",
        title="CRMs",
    )
    for crm in report["crms"]:
        watermarks = (f"{o}: {w:%Y-%m-%d %H:%M:%S}" for o, w in crm["watermarks"].items())
        notifications = (f"{k} {v}" for k, v in sorted(crm["notifications"].items()))
        crms.add_row(
            cell(crm["crm"]),
            cell(_last_poll(crm)),
            cell(", ".join(watermarks) or "—"),
            str(crm["decisions"]),
            str(crm["open_dead_letters"]),
            cell(_budget(crm)),
            str(crm["held"]),
            cell(", ".join(notifications) or "—"),
        )
    console.print(crms)
    for crm in report["crms"]:
        if crm["api_budget"] or crm["api_calls_today"]:
            console.print(markup("{} {}", crm["crm"], _budget(crm)))
    _render_policy(console, report["crms"])
    _render_held(console, report["crms"])
    _render_waiting(console, report["crms"])


def _render_held(console: Console, crms: list[dict[str, Any]]) -> None:
    """Held records are never out of sight: each with what it waits for and until when."""
    rows = [(crm, held) for crm in crms for held in crm["held_records"]]
    if not rows:
        return
    table = Table("CRM", "record", "waiting for", "since", "until", title="held for enrichment")
    for crm, held in rows:
        table.add_row(
            cell(crm["key"]),
            cell(held["record_id"]),
            cell(", ".join(held["missing"])),
            cell(f"{held['since']:%Y-%m-%d %H:%M}"),
            cell(f"{held['until']:%Y-%m-%d %H:%M} UTC"),
        )
    console.print(table)
    for crm in crms:
        if crm["held"] > len(crm["held_records"]):
            more = crm["held"] - len(crm["held_records"])
            console.print(markup("{}: {} more held", crm["key"], more))


def _render_waiting(console: Console, crms: list[dict[str, Any]]) -> None:
    """Records the policy holds for a shift or a cap window: no owner yet, no SLA clock."""
    rows = [(crm, w) for crm in crms for w in crm.get("waiting_records", ())]
    if not rows:
        return
    table = Table("CRM", "record", "pool", "waiting for", "since", "until", "why",
                  title="waiting for a shift or a cap window")  # fmt: skip
    for crm, waiting in rows:
        table.add_row(
            cell(crm["key"]),
            cell(waiting["record_id"]),
            cell(waiting["pool"] or "—"),
            cell(waiting["waiting_for"]),
            cell(f"{waiting['since']:%Y-%m-%d %H:%M}"),
            cell(f"{waiting['until']:%Y-%m-%d %H:%M} UTC"),
            cell(waiting["why"]),
        )
    console.print(table)
    for crm in crms:
        more = crm.get("waiting", 0) - len(crm.get("waiting_records", ()))
        if more > 0:
            console.print(markup("{}: {} more waiting", crm["key"], more))


def _render_policy(console: Console, crms: list[dict[str, Any]]) -> None:
    """The version each CRM routes, and a newer one the workers refused, with why."""
    for crm in crms:
        state = crm["policy_version"]
        if not state:
            continue
        console.print(markup("{}: routing policy {}", crm["crm"], state["routing"]))
        refused = state.get("refused")
        if refused:
            console.print(
                markup(
                    "[red]{}: refused policy {} ({}), still routing {}: {}[/red]",
                    crm["crm"],
                    refused["label"],
                    refused["at"],
                    state["routing"],
                    refused["why"],
                ),
                soft_wrap=True,
            )


def _last_poll(crm: dict[str, Any]) -> str:
    when = crm["last_polled_at"]
    text = f"{when:%Y-%m-%d %H:%M:%S} UTC" if when else "never"
    poll = crm["last_poll"] or {}
    if poll.get("skipped"):
        text += f" (skipped: {poll['skipped']})"
    elif poll:
        text += f" (routed {poll.get('routed', 0)}, written {poll.get('written', 0)})"
    if crm["paused"]:
        text += f"; paused until {crm['paused']['until']}"
    return text


def _budget(crm: dict[str, Any]) -> str:
    """The org's calls against its allowance, as the CRM last reported them (Salesforce: the
    last 24 hours; HubSpot: the portal's day), and LeadRelay's own share of today (UTC)."""
    budget, ours = crm["api_budget"], crm["api_calls_today"]
    if not budget and not ours:
        return "n/a"
    if not budget:
        return f"LeadRelay spent {ours:,} calls today; the CRM has not reported its allowance"
    used, limit = budget["used"], budget["limit"]
    share = f" ({used / limit:.1%})".replace("%", " %") if limit else ""
    return f"{used:,} of {limit:,} calls today{share}, LeadRelay spent {ours:,}"


def render_redrive(console: Console, url: str, report: RedriveReport) -> None:
    verb = "would re-send" if report.dry_run else "re-sent"
    sent = report.would_send if report.dry_run else report.resolved
    console.print(
        markup(
            "{}: {} {}, failed again {}, skipped {}",
            url,
            verb,
            len(sent),
            len(report.failed),
            len(report.skipped),
        )
    )
    for letter, why in report.failed:
        console.print(markup("  [red]{} → {}: {}[/red]", letter.record_id, letter.owner_id, why))
    for letter, why in report.skipped:
        console.print(markup("  [yellow]{}: {}[/yellow]", letter.record_id, why))
    if report.stopped:
        console.print(
            markup("[yellow]stopped: {} (resumes {})[/yellow]", report.stopped, report.resume_at)
        )
