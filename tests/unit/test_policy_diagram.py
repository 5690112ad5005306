"""The policy as a picture (`leadrelay policy diagram`, the console's policy page): what a
reviewer reads off it must be what the policy file says."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as ET
from typer.testing import CliRunner

from config.policy import read_policy_file
from tests.conftest import ACME_POLICY
from worker.cli import app
from worker.console.diagram import MemberToday, build_diagram, to_mermaid, to_svg

OVERFLOWING = """
name: overflow <b>&</b> co
routable: {owners: [{queue: Intake}]}
fallback: {user: boss@x.example}
pools:
  - name: small "pool"
    cap: 2
    members: [{user: a@x.example, weight: 2}, b@x.example]
    overflow: {pool: big}
  - {name: big, members: [c@x.example]}
rules:
  - name: vip
    when: {all: [{fact: tier, equals: Tier 1}, {not: {fact: country, in: [US, CA]}}]}
    assign: {pool: small "pool"}
  - name: rest
    assign: {user: boss@x.example, when_available: true}
"""


def spec(tmp_path: Path, text: str = OVERFLOWING) -> object:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return read_policy_file(path)


def test_rules_keep_their_order_and_their_conditions_read_as_words() -> None:
    diagram = build_diagram(read_policy_file(ACME_POLICY))
    titles = [node.title for node in diagram.rules if node.kind == "rule"]
    assert titles[:3] == ["1. junk", "2. open-opportunity", "3. customer-owner"]
    assert len(titles) == 13
    nurture = next(node for node in diagram.rules if node.title == "6. nurture")
    assert "when score < 40" in nurture.lines
    step = next(node for node in diagram.rules if node.kind == "step")
    assert step.lines[0] == ("1. sdr-french: when country is FR or (country is CA and state is QC)")


def test_pools_show_members_weights_caps_and_overflow(tmp_path: Path) -> None:
    diagram = build_diagram(spec(tmp_path))  # type: ignore[arg-type]
    vip = next(node for node in diagram.rules if node.title == "1. vip")
    assert vip.lines == ["when tier is Tier 1 and not (country is one of US, CA)"]
    small = next(node for node in diagram.destinations if node.title == 'pool small "pool"')
    assert small.lines == [
        "round robin, cap 2 open leads each",
        "• a@x.example ×2",
        "• b@x.example",
    ]
    [overflow] = [edge for edge in diagram.edges if edge.kind == "overflow"]
    big = next(node for node in diagram.destinations if node.title == "pool big")
    assert (overflow.source, overflow.target) == (small.id, big.id)
    assert [e.label for e in diagram.edges if e.source == "nomatch"] == ["fallback"]
    assert "(when available)" in [e.label for e in diagram.edges if e.source == "r2"]


def test_todays_people_are_shown_when_known(tmp_path: Path) -> None:
    today = {
        "a@x.example": MemberToday("Ann", 2, None),
        "b@x.example": MemberToday("Bo", 0, "away (Out_Of_Office__c)"),
    }
    diagram = build_diagram(spec(tmp_path), lambda u: today.get(u, MemberToday(u)))  # type: ignore[arg-type]
    small = next(node for node in diagram.destinations if node.id == "d1")
    assert small.lines[1:] == [
        "• Ann ×2 — 2/2 open, available",
        "• Bo — 0/2 open, away (Out_Of_Office__c)",
    ]


def test_the_svg_is_well_formed_and_names_are_text(tmp_path: Path) -> None:
    svg = to_svg(build_diagram(spec(tmp_path)))  # type: ignore[arg-type]
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert 'pool small "pool"' in texts and "1. vip" in texts
    assert "<b>" not in svg and "overflow &lt;b&gt;&amp;&lt;/b&gt; co" in svg
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) >= 4


def test_mermaid_escapes_what_it_would_read_as_syntax(tmp_path: Path) -> None:
    text = to_mermaid(build_diagram(spec(tmp_path)))  # type: ignore[arg-type]
    assert text.startswith("flowchart LR\n")
    assert 'd1[("pool small #quot;pool#quot;' in text
    assert 'd1 -.->|"overflow"| d2' in text
    assert "#lt;b#gt;" in text


def test_the_command_writes_svg_or_mermaid(tmp_path: Path) -> None:
    out = tmp_path / "acme.svg"
    result = CliRunner().invoke(app, ["policy", "diagram", str(ACME_POLICY), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert ET.fromstring(out.read_text()).tag == "{http://www.w3.org/2000/svg}svg"
    result = CliRunner().invoke(app, ["policy", "diagram", str(ACME_POLICY), "--format", "mermaid"])
    assert result.exit_code == 0 and "flowchart LR" in result.output
    missing = CliRunner().invoke(app, ["policy", "diagram", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
