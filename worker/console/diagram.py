"""The policy as a picture: rules in order with their conditions in words, the pools, steps,
users and queues they hand to, pool members with weights and caps, overflow arrows, and the
fallback. One model, drawn as SVG (self-contained, for the console and for docs) or as
Mermaid (for a review in a pull request). `People` adds today's names, loads and availability
when a CRM snapshot is at hand; without it the diagram shows what the file says."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from config.schema import PolicyFile, PoolModel, RuleModel, UserTarget
from worker.console import words

WRAP = 56  # characters per line in a box


@dataclass(frozen=True, slots=True)
class MemberToday:
    name: str
    load: int | None = None  # open leads now
    unavailable: str | None = None  # why not available today, or None


People = Callable[[str], MemberToday]  # a user as the policy names them → today


@dataclass
class Node:
    id: str
    kind: str  # rule, step, pool, user, queue, owner, fallback, start
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str
    kind: str = "assign"  # assign, step, overflow


@dataclass
class Diagram:
    title: str
    rules: list[Node] = field(default_factory=list)  # left column, in order; then the steps
    destinations: list[Node] = field(default_factory=list)  # right column, by first use
    edges: list[Edge] = field(default_factory=list)


def build_diagram(spec: PolicyFile, people: People | None = None) -> Diagram:
    return _Builder(spec, people).build()


class _Builder:
    def __init__(self, spec: PolicyFile, people: People | None) -> None:
        self.spec = spec
        self.people = people
        self.pools = {pool.name: pool for pool in spec.pools}
        self.diagram = Diagram(spec.name)
        self.by_key: dict[tuple[str, str], str] = {}

    def build(self) -> Diagram:
        for number, rule in enumerate(self.spec.rules, 1):
            self._rule(f"r{number}", f"{number}. {rule.name}", rule)
        fallback = self.spec.fallback
        start = Node("nomatch", "start", "no rule applies", ["never dropped"])
        self.diagram.rules.append(start)
        self._assign(start.id, fallback, "fallback")
        for name, rules in self.spec.steps.items():
            self._step(name, rules)
        return self.diagram

    def _rule(self, node_id: str, title: str, rule: RuleModel) -> None:
        lines = [rule.description] if rule.description else []
        lines.append(f"when {words.condition(rule.when)}" if rule.when else "no condition")
        if not rule.score:
            lines.append("not scored")
        self.diagram.rules.append(Node(node_id, "rule", title, lines))
        if rule.step:
            self.diagram.edges.append(Edge(node_id, _step_id(rule.step), "step", "step"))
        if rule.assign is not None:
            self._assign(node_id, rule.assign, "")

    def _step(self, name: str, rules: list[RuleModel]) -> None:
        lines = []
        node_id = _step_id(name)
        for number, rule in enumerate(rules, 1):
            lines.append(f"{number}. {rule.name}: when {words.condition(rule.when)}")
            if rule.assign is not None:
                self._assign(node_id, rule.assign, rule.name)
            if rule.step:
                self.diagram.edges.append(Edge(node_id, _step_id(rule.step), rule.name, "step"))
        self.diagram.rules.append(Node(node_id, "step", f"step {name}", lines))

    def _assign(self, source: str, target: Any, label: str, kind: str = "assign") -> None:
        found = words.leaf(target)
        if found is not None:
            suffix = (
                " (when available)"
                if isinstance(target, UserTarget) and target.when_available
                else ""
            )
            self.diagram.edges.append(
                Edge(source, self._destination(*found), (label + suffix).strip(), kind)
            )
            return
        for branch, choice in words.branches(target):
            self._assign(source, choice, f"{label}: {branch}" if label else branch, kind)

    def _destination(self, kind: str, name: str) -> str:
        key = (kind, name)
        if key in self.by_key:
            return self.by_key[key]
        node_id = self.by_key[key] = f"d{len(self.by_key) + 1}"
        pool = self.pools.get(name) if kind == "pool" else None
        title = f"{kind} {self._name(name) if kind == 'user' else name}"
        node = Node(node_id, kind, title, self._pool_lines(pool) if pool else [])
        if kind == "owner":
            node.title, _, accepts = name.partition(": ")
            node.lines = [accepts]
        if kind == "user" and self.people:
            node.lines = _today_lines(self.people(name))
        self.diagram.destinations.append(node)
        if pool is not None and pool.overflow is not None:
            self._assign(node_id, pool.overflow, "overflow", "overflow")
        return node_id

    def _pool_lines(self, pool: PoolModel) -> list[str]:
        cap = f"cap {pool.cap} open leads each" if pool.cap else "no cap"
        lines = [f"{pool.method.replace('_', ' ')}, {cap}"]
        for member in pool.members:
            user, weight = (member, 1) if isinstance(member, str) else (member.user, member.weight)
            text = self._name(user) + (f" ×{weight}" if weight != 1 else "")
            if self.people:
                today = self.people(user)
                load = f"{today.load}/{pool.cap}" if pool.cap else f"{today.load}"
                state = today.unavailable or "available"
                text += f" — {load} open, {state}"
            lines.append("• " + text)
        return lines

    def _name(self, user: str) -> str:
        return self.people(user).name if self.people else user


def _today_lines(today: MemberToday) -> list[str]:
    load = "" if today.load is None else f"{today.load} open, "
    return [load + (today.unavailable or "available")]


def _step_id(name: str) -> str:
    return "s_" + "".join(ch if ch.isalnum() else "_" for ch in name)


# --- Mermaid ---------------------------------------------------------------------------------


def to_mermaid(diagram: Diagram) -> str:
    out = ["flowchart LR", f"  %% {_mermaid_text(diagram.title)}"]
    for node in [*diagram.rules, *diagram.destinations]:
        label = "<br/>".join(_mermaid_text(t) for t in [f"**{node.title}**", *node.lines])
        out.append(
            f'  {node.id}{_SHAPES.get(node.kind, ("[", "]"))[0]}"{label}"'
            f"{_SHAPES.get(node.kind, ('[', ']'))[1]}"
        )
    for number, edge in enumerate(diagram.edges):
        arrow = {"overflow": "-.->", "step": "==>"}.get(edge.kind, "-->")
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        out.append(f"  {edge.source} {arrow}{label} {edge.target}")
        if edge.kind == "overflow":
            out.append(f"  linkStyle {number} stroke:#bf8700")
    for node in diagram.rules:
        if node.kind == "rule":
            out.append(f"  class {node.id} rule")
    out.append("  classDef rule fill:#f6f8fa,stroke:#57606a")
    return "\n".join(out) + "\n"


_SHAPES = {"pool": ("[(", ")]"), "step": ("[[", "]]"), "start": ("([", "])")}


def _mermaid_text(text: str) -> str:
    """Mermaid reads `"`, `<`, `>` and `#` in labels: entity codes keep names as text."""
    replaced = text.replace("#", "#35;").replace('"', "#quot;")
    return replaced.replace("<", "#lt;").replace(">", "#gt;").replace("**", "")


# --- SVG -------------------------------------------------------------------------------------

_LINE, _PAD, _GAP, _WIDTH = 16, 8, 14, 380
_LEFT, _RIGHT = 60, 600
_COLOURS = {
    "rule": "#f6f8fa",
    "step": "#ddf4ff",
    "start": "#fff8c5",
    "pool": "#dafbe1",
    "user": "#ffffff",
    "queue": "#fbefff",
    "owner": "#ffffff",
}


@dataclass(frozen=True, slots=True)
class _Box:
    x: int
    y: int
    height: int
    titles: list[str]
    lines: list[str]


def to_svg(diagram: Diagram) -> str:
    boxes: dict[str, _Box] = {}
    left = _stack(diagram.rules, _LEFT, boxes)
    right = _stack(diagram.destinations, _RIGHT, boxes)
    height = max(left, right) + _GAP
    width = _RIGHT + _WIDTH + 120
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 40}" '
        f'width="{width}" height="{height + 40}" font-family="system-ui,sans-serif" '
        f'font-size="12" role="img" aria-label="{escape(diagram.title)}">',
        f"<title>{escape(diagram.title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#57606a"/></marker></defs>',
    ]
    parts += [_edge(edge, boxes) for edge in diagram.edges if edge.target in boxes]
    for node in [*diagram.rules, *diagram.destinations]:
        parts.append(_node(node, boxes[node.id]))
    parts.append("</svg>")
    return "\n".join(parts)


def _stack(nodes: list[Node], x: int, boxes: dict[str, _Box]) -> int:
    y = 40
    for node in nodes:
        titles = textwrap.wrap(node.title, WRAP - 6) or [""]
        lines = [wrapped for line in node.lines for wrapped in textwrap.wrap(line, WRAP) or [""]]
        height = _PAD * 2 + _LINE * (len(titles) + len(lines))
        boxes[node.id] = _Box(x, y, height, titles, lines)
        y += height + _GAP
    return y


def _node(node: Node, box: _Box) -> str:
    fill = _COLOURS.get(node.kind, "#ffffff")
    shape = (
        f'<rect x="{box.x}" y="{box.y}" width="{_WIDTH}" height="{box.height}" rx="6" '
        f'fill="{fill}" stroke="#8c959f"/>'
    )
    text = []
    for n, line in enumerate(box.titles + box.lines):
        weight = ' font-weight="bold"' if n < len(box.titles) else ""
        text.append(
            f'<text x="{box.x + _PAD}" y="{box.y + _PAD + _LINE * n + 12}"{weight} '
            f'fill="#1b1f24">{escape(line)}</text>'
        )
    return f'<g class="node {node.kind}" id="{node.id}">{shape}{"".join(text)}</g>'


def _edge(edge: Edge, boxes: dict[str, _Box]) -> str:
    a, b = boxes[edge.source], boxes[edge.target]
    ay, by = a.y + a.height // 2, b.y + b.height // 2
    if a.x == b.x:  # same column: a loop out to the side (steps on the left, overflow right)
        side = a.x - 14 if a.x == _LEFT else a.x + _WIDTH + 60
        ax = bx = a.x if a.x == _LEFT else a.x + _WIDTH
        path = f"M{ax},{ay} C{side},{ay} {side},{by} {bx},{by}"
        anchor, label_x, label_y = "start", side + 2, (ay + by) // 2
        if a.x == _LEFT:
            anchor, label_x = "end", side - 2
    else:
        ax, bx = a.x + _WIDTH, b.x
        mid = (ax + bx) // 2
        path = f"M{ax},{ay} C{mid},{ay} {mid},{by} {bx},{by}"
        anchor, label_x, label_y = "end", bx - 8, by - 4  # beside the arrow head: labels apart
    colour = {"overflow": "#bf8700", "step": "#0969da"}.get(edge.kind, "#57606a")
    dash = ' stroke-dasharray="5,4"' if edge.kind == "overflow" else ""
    label = (
        f'<text x="{label_x}" y="{label_y}" font-size="10" fill="{colour}" '
        f'text-anchor="{anchor}">'
        f"{escape(textwrap.shorten(edge.label, 34, placeholder='…'))}</text>"
        if edge.label
        else ""
    )
    return (
        f'<g class="edge {edge.kind}" data-from="{edge.source}" data-to="{edge.target}">'
        f'<path d="{path}" fill="none" stroke="{colour}"{dash} marker-end="url(#arrow)"/>'
        f"{label}</g>"
    )
