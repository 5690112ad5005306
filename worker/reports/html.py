"""`leadrelay report --html DIR`: one self-contained HTML file a sales leader can open — the
headline numbers first, then a chart per question (speed to lead, SLAs, fairness, conversion,
where routing fell back), each with the table behind it. Charts are drawn on matplotlib
Figures without pyplot (no global state, no GUI backend) and inlined as SVG."""

from __future__ import annotations

from html import escape
from typing import Any

from matplotlib.figure import Figure

from worker.reports._page import page, svg
from worker.reports.format import shown
from worker.reports.queries import Report, ReportTable

GOOD, BAD, NEUTRAL = "#1f883d", "#cf222e", "#1f6feb"
SHOWN_ROWS = 30


def render_html(report: Report) -> str:
    t = report.tables
    parts = [
        "<h1>LeadRelay routing report</h1>",
        f"<p class=sub>{escape(_window(report))}</p>",
        _cards(report.headline),
        "<h2>Time to first touch</h2>",
        _bars(t["speed_to_lead_distribution"], 0, 1, "records touched", NEUTRAL),
        _barh(t["speed_to_lead_by_rep"], 0, 3, "median minutes to first touch, by rep"),
        _table(t["speed_to_lead_by_rep"]),
        _table(t["speed_to_lead_by_team"]),
        _table(t["speed_to_lead_by_tier"]),
    ]
    if "speed_to_lead_by_source" in t:
        parts.append(_table(t["speed_to_lead_by_source"]))
    parts += [
        "<h2>SLA met and breached</h2>",
        _stacked(t["sla_by_team"]),
        _table(t["sla_by_rep"]),
        _table(t["sla_by_team"]),
        _table(t["sla_by_tier"]),
        "<h2>Fairness per pool</h2>",
        _barh(t["fairness_by_pool"], 0, 6, "Gini of leads per member (0 = even)"),
        _table(t["fairness_by_pool"]),
        _table(t["leads_by_pool_member"]),
        _table(t["fair_share_by_member"]) if "fair_share_by_member" in t else "",
        "<h2>Reassigned and escalated</h2>",
        _table(t["reassigned_and_escalated"]),
        "<h2>Decisions by rule</h2>",
        _barh(t["decisions_by_rule"], 0, 1, "decisions"),
    ]
    if "conversion_by_rule" in t:
        parts += ["<h2>Conversion: lead → opportunity → won</h2>", _funnel(t["conversion_by_rule"])]
        parts += [_table(t[f"conversion_by_{k}"]) for k in ("rule", "territory", "rep")]
    else:
        parts.append("<p class=sub>Conversion needs the CRM: run with --crm.</p>")
    parts += [
        "<h2>Fallback owners and dead letters</h2>",
        _table(t["fallbacks"]),
        _table(t["dead_letters"]),
    ]
    return page("LeadRelay report", "".join(parts))


def _window(report: Report) -> str:
    start = f"{report.since:%Y-%m-%d %H:%M}" if report.since else "the beginning"
    crm = f" — {report.crm}" if report.crm else " — every CRM"
    return f"Decisions from {start} to {report.until:%Y-%m-%d %H:%M} UTC{crm}"


def _cards(headline: dict[str, Any]) -> str:
    cards = [
        ("records routed", headline.get("records")),
        ("median minutes to first touch", headline.get("median_minutes_to_first_touch")),
        ("SLA met", _percent(headline.get("sla_met_share"))),
        ("reassigned", _percent(headline.get("reassigned_share"))),
        ("escalated", _percent(headline.get("escalated_share"))),
        ("to the fallback owner", _percent(headline.get("fallback_share"))),
        ("open dead letters", headline.get("dead_letters_open")),
    ]
    inner = "".join(f"<div class=card><b>{escape(_show(v))}</b>{escape(k)}</div>" for k, v in cards)
    return f"<div class=cards>{inner}</div>"


def _table(table: ReportTable) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(shown(v, c))}</td>" for v, c in zip(row, table.columns, strict=False)
        )
        + "</tr>"
        for row in table.rows[:SHOWN_ROWS]
    )
    more = len(table.rows) - SHOWN_ROWS
    note = f"<p class=sub>… {more} more rows in the CSV</p>" if more > 0 else ""
    return f"<h3>{escape(table.title)}</h3><table><tr>{head}</tr>{rows}</table>{note}"


# --- charts -----------------------------------------------------------------------------------


NO_DATA = "<p class=sub>No data in this window: nothing to chart.</p>"


def _figure(height: float) -> Figure:
    """Constrained layout: tick labels and titles are fitted in, never cut or overlapping."""
    return Figure(figsize=(8, height), layout="constrained")


def _categories(axes: Any, names: list[str]) -> None:
    """Slanted, right-aligned category labels, so long names do not run into each other."""
    axes.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)


def _nothing(values: list[Any]) -> bool:
    """All zero or unknown: a chart of it would be an empty frame on a ±0.04 axis."""
    return not any(v for v in values)


def _bars(table: ReportTable, label: int, value: int, ylabel: str, color: str) -> str:
    values = [r[value] or 0 for r in table.rows]
    if _nothing(values):
        return NO_DATA
    figure = _figure(3)
    axes = figure.subplots()
    axes.bar(range(len(values)), values, color=color)
    _categories(axes, [str(r[label]) for r in table.rows])
    axes.set_ylabel(ylabel)
    return svg(figure)


def _barh(table: ReportTable, label: int, value: int, title: str) -> str:
    rows = [r for r in table.rows if r[value] is not None][:SHOWN_ROWS]
    if _nothing([r[value] for r in rows]):
        return NO_DATA
    figure = _figure(max(2.0, 0.3 * len(rows) + 1))
    axes = figure.subplots()
    axes.barh([_show(r[label]) for r in rows][::-1], [float(r[value]) for r in rows][::-1],
              color=NEUTRAL)  # fmt: skip
    axes.tick_params(axis="y", labelsize=8)
    axes.set_title(title, fontsize=10)
    return svg(figure)


def _stacked(table: ReportTable) -> str:
    rows = table.rows[:SHOWN_ROWS]
    if _nothing([(r[1] or 0) + (r[2] or 0) for r in rows]):
        return "<p class=sub>No SLA clock has closed in this window: nothing to chart.</p>"
    figure = _figure(3.5)
    axes = figure.subplots()
    positions = range(len(rows))
    axes.bar(positions, [r[1] for r in rows], color=GOOD, label="met")
    axes.bar(positions, [r[2] for r in rows], bottom=[r[1] for r in rows], color=BAD,
             label="breached")  # fmt: skip
    _categories(axes, [_show(r[0]) for r in rows])
    axes.legend()
    axes.set_title("SLA clocks by team", fontsize=10)
    return svg(figure)


def _funnel(table: ReportTable) -> str:
    rows = table.rows[:12]
    if _nothing([r[1] for r in rows]):
        return "<p class=sub>No routed record is in the CRM export: nothing to chart.</p>"
    figure = _figure(3.8)
    axes = figure.subplots()
    width = 0.2
    for i, (name, color) in enumerate(
        (("leads", "#9aa5b1"), ("converted", NEUTRAL), ("opportunity", "#8250df"), ("won", GOOD))
    ):
        xs = [x + (i - 1.5) * width for x in range(len(rows))]
        axes.bar(xs, [r[1 + i] for r in rows], width, label=name, color=color)
    _categories(axes, [_show(r[0]) for r in rows])
    axes.legend()
    axes.set_title("Lead → opportunity → won, by rule", fontsize=10)
    return svg(figure)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _show(value: Any) -> str:
    return shown(value)
