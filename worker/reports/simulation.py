"""The simulation as one HTML file a sales leader can open: headline numbers, charts and the
tables behind them. Charts are drawn on matplotlib Figures without pyplot (no global state, no
GUI backend, safe in a worker thread) and inlined as SVG, so the file travels alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape

from matplotlib.figure import Figure

from routing.replay import PoolStats, Side, SimulationReport
from routing.world import World
from worker.reports._page import page, svg

BEFORE, AFTER = "#9aa5b1", "#1f6feb"
SHOWN_CHANGES = 200


def render_html(report: SimulationReport, world: World) -> str:
    before, after = report.baseline, report.candidate
    parts = [
        f"<h1>Routing simulation: {escape(after.name)} vs {escape(before.name)}</h1>",
        f"<p class=sub>{report.leads} leads created {report.start:%Y-%m-%d %H:%M} – "
        f"{report.end:%Y-%m-%d %H:%M} UTC, replayed under both.</p>",
        _cards(report),
        "<h2>Open leads per rep at the end of the window</h2>",
        _rep_chart(before, after, world),
        "<h2>Leads handed out by each pool</h2>",
        _pool_chart(before, after),
        _pool_table(before, after),
        f"<h2>Each member's share against their weighted share while on shift "
        f"({escape(after.name)})</h2>",
        _shares_table(after),
        "<h2>Decisions by rule</h2>",
        _rule_chart(before, after),
        "<h2>Leads that fall to the fallback owner</h2>",
        _fallbacks(after, world),
        f"<h2>Changed decisions ({len(report.changes)})</h2>",
        _changes(report, world),
    ]
    body = "\n".join(parts)
    return page("LeadRelay simulation", body)


def _cards(report: SimulationReport) -> str:
    before, after = report.baseline, report.candidate
    share = f"{len(report.changes) / report.leads:.0%}" if report.leads else "0%"
    cards = [
        ("decisions change", f"{len(report.changes)} ({share})"),
        ("to the fallback", f"{len(before.fallbacks)} → {len(after.fallbacks)}"),
        ("pool overflows", f"{before.overflows} → {after.overflows}"),
        ("Gini over reps (0 = even)", f"{before.gini:.2f} → {after.gini:.2f}"),
    ]
    inner = "".join(f"<div class=card><b>{escape(v)}</b>{escape(k)}</div>" for k, v in cards)
    return f"<div class=cards>{inner}</div>"


def _grouped_bars(
    labels: Sequence[str], before: Sequence[float], after: Sequence[float], names: tuple[str, str]
) -> str:
    if not labels:
        return "<p>Nothing to show.</p>"
    height = max(2.5, 0.32 * len(labels) + 1)
    figure = Figure(figsize=(9, height))
    axes = figure.subplots()
    rows = range(len(labels))
    axes.barh([r + 0.2 for r in rows], before, height=0.4, color=BEFORE, label=names[0])
    axes.barh([r - 0.2 for r in rows], after, height=0.4, color=AFTER, label=names[1])
    axes.set_yticks(list(rows), labels)
    axes.invert_yaxis()
    axes.legend(loc="lower right")
    axes.spines[["top", "right"]].set_visible(False)
    return svg(figure)


def _rep_chart(before: Side, after: Side, world: World) -> str:
    reps = sorted(
        (u for u in world.users if before.loads.get(u, 0) or after.loads.get(u, 0)),
        key=world.owner_name,
    )
    labels = [world.owner_name(u) for u in reps]
    return _grouped_bars(
        labels,
        [before.loads.get(u, 0) for u in reps],
        [after.loads.get(u, 0) for u in reps],
        (before.name, after.name),
    )


def _pool_names(before: Side, after: Side) -> list[str]:
    return list(dict.fromkeys([*before.pools, *after.pools]))


def _pool_chart(before: Side, after: Side) -> str:
    pools = _pool_names(before, after)
    return _grouped_bars(
        pools,
        [_routed(before.pools.get(p)) for p in pools],
        [_routed(after.pools.get(p)) for p in pools],
        (before.name, after.name),
    )


def _routed(stats: PoolStats | None) -> int:
    return stats.routed if stats else 0


def _pool_table(before: Side, after: Side) -> str:
    head = (
        "<tr><th>pool</th><th>leads handed out</th><th>open leads held</th>"
        "<th>busiest / quietest rep</th><th>overflows (full pool)</th><th>over the cap</th></tr>"
    )
    rows = []
    for name in _pool_names(before, after):
        b, a = before.pools.get(name), after.pools.get(name)
        rows.append(
            f"<tr><td>{escape(name)}</td>"
            f"<td class=num>{_pair(b, a, lambda s: str(s.routed))}</td>"
            f"<td class=num>{_pair(b, a, lambda s: str(s.load))}</td>"
            f"<td class=num>{_pair(b, a, lambda s: _ratio(s.max_min_ratio))}</td>"
            f"<td class=num>{_pair(b, a, lambda s: str(s.overflows))}</td>"
            f"<td class=num>{_pair(b, a, lambda s: str(len(s.over_cap)))}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _shares_table(side: Side) -> str:
    rows = [
        (
            share.pool,
            share.name,
            str(share.leads),
            _percent(share.share),
            str(share.weight),
            _percent(share.on_shift),
            _percent(share.fair_share),
            "—" if share.ratio is None else f"{share.ratio:.2f}×",
        )
        for share in side.shares
    ]
    if not rows:
        return "<p>No pool handed out leads.</p>"
    head = ("pool", "member", "leads", "share", "weight", "on shift", "weighted share while "
            "on shift", "share ÷ due")  # fmt: skip
    return _table(head, rows)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _pair(
    before: PoolStats | None, after: PoolStats | None, show: Callable[[PoolStats], str]
) -> str:
    left = show(before) if before else "—"
    right = show(after) if after else "—"
    return escape(f"{left} → {right}")


def _ratio(value: float | None) -> str:
    return "∞ (someone has none)" if value is None else f"{value:.2f}×"


def _rule_chart(before: Side, after: Side) -> str:
    rules = list(dict.fromkeys([*before.by_rule, *after.by_rule]))
    return _grouped_bars(
        rules,
        [before.by_rule.get(r, 0) for r in rules],
        [after.by_rule.get(r, 0) for r in rules],
        (before.name, after.name),
    )


def _fallbacks(after: Side, world: World) -> str:
    if not after.fallbacks:
        return "<p>None: every lead found a rule.</p>"
    rows = [
        (record_id, world.owner_name(after.outcomes[record_id].owner_id))
        for record_id in after.fallbacks
    ]
    return _table(("record", "goes to"), rows)


def _changes(report: SimulationReport, world: World) -> str:
    name = world.owner_name
    rows = [
        (
            c.record_id,
            f"{name(c.before.owner_id)} ({c.before.rule})",
            f"{name(c.after.owner_id)} ({c.after.rule})",
            c.after.reason,
        )
        for c in report.changes[:SHOWN_CHANGES]
    ]
    more = len(report.changes) - SHOWN_CHANGES
    note = f"<p>… and {more} more in changed_decisions.csv.</p>" if more > 0 else ""
    return _table(("record", "before", "after", "why, after"), rows) + note


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{header}</tr>{body}</table>"
