"""What the HTML reports share (report, simulation): one look, and charts inlined as SVG so
the file travels alone. Charts are matplotlib Figures without pyplot: no global state, no GUI
backend, safe in a worker thread."""

from __future__ import annotations

import io
from html import escape

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.text import Text

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1b1f24}
h1{margin-bottom:.2rem} .sub{color:#57606a;margin-top:0}
.cards{display:flex;gap:1rem;flex-wrap:wrap} .card{border:1px solid #d0d7de;border-radius:8px;
padding:.8rem 1rem;min-width:150px} .card b{font-size:1.6rem;display:block}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem} td,th{border-bottom:1px solid
#d0d7de;padding:.3rem .6rem;text-align:left} th{background:#f6f8fa} .num{text-align:right}
svg{max-width:100%;height:auto}
"""


def page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def svg(figure: Figure) -> str:
    """Labels are names from the policy and the CRM: a `$` in a pool name is text, not the
    start of matplotlib math (which raised on `$5k pool`, or typeset half a name)."""
    for label in figure.findobj(Text):
        label.set_parse_math(False)
    buffer = io.StringIO()
    with rc_context({"text.parse_math": False}):  # tick labels are made while drawing
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]
