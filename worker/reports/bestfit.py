"""The evaluation as one self-contained HTML file: the verdict, uplift against round robin,
calibration, and each rep's share when the test deals are routed again. Figures are PNGs
(matplotlib, Agg) inlined as data URIs, so the file can be mailed or attached to a ticket."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

REPORT_FILE = "bestfit-report.html"


def write_report(summary: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORT_FILE
    path.write_text(render_html(summary), encoding="utf-8")
    return path


def render_html(summary: dict[str, Any]) -> str:
    figures = _figures(summary)
    rr = summary["round_robin"]
    rows = [
        ("best fit", summary),
        ("round robin", rr),
    ]
    table = "".join(
        f"<tr><td>{name}</td><td>{_num(r['uplift'])}</td><td>{_num(r['ci_low'])} to "
        f"{_num(r['ci_high'])}</td><td>{_rate(r['chosen'])}</td><td>{_rate(r['other'])}</td></tr>"
        for name, r in rows
    )
    calibration = "".join(
        f"<tr><td>{b['low']:.1f}–{b['high']:.1f}</td><td>{b['n']}</td>"
        f"<td>{b['predicted']:.3f}</td><td>{b['observed']:.3f}</td></tr>"
        for b in summary["calibration"]["bins"]
    )
    cal = summary["calibration"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LeadRelay best-fit evaluation</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}}
img{{max-width:100%}}pre{{background:#f6f6f6;padding:1rem;overflow:auto}}</style></head><body>
<h1>Best-fit evaluation</h1>
<p><strong>{html.escape(summary["verdict"])}</strong></p>
<p>Trained on {summary["n_train"]:,} deals closed before {html.escape(summary["train_until"])};
replayed {summary["n_test"]:,} later deals over {summary["reps"]} reps. Segments:
{html.escape(", ".join(summary["segments"]))}. Model {html.escape(summary["model_version"])}.</p>
<h2>Uplift</h2>
<p>Win rate of test deals whose rep was the model's choice, minus that of the other deals;
round robin's choice knows nothing, so its uplift shows what noise alone looks like.</p>
<table><tr><th>choice</th><th>uplift</th><th>95% CI</th><th>chosen</th><th>other</th></tr>
{table}</table>
{figures.get("uplift", "")}
<h2>Calibration</h2>
<p>Brier score {cal["brier"]:.4f} (base rate alone {cal["brier_base_rate"]:.4f}),
expected calibration error {cal["ece"]:.4f}.</p>
<table><tr><th>predicted</th><th>deals</th><th>mean predicted</th><th>observed</th></tr>
{calibration}</table>
{figures.get("calibration", "")}
<h2>Fairness when routed again</h2>
<p>Largest departure from an even share: {_pct(summary["routing"]["max_share_deviation"])}
(band ±{_pct(summary["routing"].get("fairness_band"))}).</p>
{figures.get("shares", "")}
<h2>Summary</h2><pre>{html.escape(json.dumps(summary, indent=2))}</pre>
{figures.get("note", "")}
</body></html>
"""


def _figures(summary: dict[str, Any]) -> dict[str, str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return {"note": "<p><em>matplotlib is not installed: figures left out.</em></p>"}
    out = {}
    fig, ax = plt.subplots(figsize=(6, 3))
    names, rows = ["best fit", "round robin"], [summary, summary["round_robin"]]
    values = [r["uplift"] or 0.0 for r in rows]
    lows = [v if r["ci_low"] is None else r["ci_low"] for v, r in zip(values, rows, strict=True)]
    highs = [v if r["ci_high"] is None else r["ci_high"] for v, r in zip(values, rows, strict=True)]
    errors = [
        [v - low for v, low in zip(values, lows, strict=True)],
        [high - v for v, high in zip(values, highs, strict=True)],
    ]
    ax.bar(names, values, yerr=errors, capsize=6, color=["#2b6cb0", "#a0aec0"])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("uplift in win rate")
    out["uplift"] = _png(fig, plt)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    bins = summary["calibration"]["bins"]
    ax.plot([0, 1], [0, 1], color="#a0aec0", linestyle="--")
    ax.scatter(
        [b["predicted"] for b in bins],
        [b["observed"] for b in bins],
        s=[20 + 200 * b["n"] / max(1, summary["n_test"]) for b in bins],
    )
    ax.set_xlabel("predicted win rate")
    ax.set_ylabel("observed win rate")
    out["calibration"] = _png(fig, plt)
    shares = summary["routing"]["shares"]
    if shares:
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.bar(range(len(shares)), list(shares.values()), color="#2b6cb0")
        ax.axhline(summary["routing"]["even_share"], color="black", linewidth=0.8)
        ax.set_xticks(range(len(shares)), list(shares), rotation=60, fontsize=7)
        ax.set_ylabel("share of leads")
        out["shares"] = _png(fig, plt)
    return out


def _png(fig: Any, plt: Any) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="" src="data:image/png;base64,{data}">'


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:+.4f}"


def _rate(group: dict[str, Any]) -> str:
    rate = group["win_rate"]
    return f"{group['won']}/{group['n']}" + ("" if rate is None else f" ({rate:.3f})")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"
