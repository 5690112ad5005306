"""`leadrelay match` with the policy's aliases, and `--suggest-aliases`, on the Acme CSV CRM."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tests.conftest import ACME, ACME_POLICY
from worker.cli import app


def test_suggest_aliases_lists_near_misses_as_a_policy_section() -> None:
    result = CliRunner().invoke(
        app, ["match", "--crm", f"csv:{ACME}", "--policy", str(ACME_POLICY), "--suggest-aliases"]
    )
    assert result.exit_code == 0, result.output
    section = yaml.safe_load(result.stdout)["aliases"]
    # Granite Manufacturing matched nothing; its closest account is Vantage Manufacturing Inc.
    assert section["Granite Manufacturing"] == "001000000000096AAA"
    assert "near-miss(es) to confirm" in result.stderr


def test_an_alias_in_the_policy_matches_and_a_dangling_one_is_warned(tmp_path: Path) -> None:
    aliases = '\naliases:\n  Granite Manufacturing: "001000000000096AAA"\n  Zyx: no such account\n'
    path = tmp_path / "policy.yaml"
    path.write_text(ACME_POLICY.read_text(encoding="utf-8") + aliases, encoding="utf-8")
    result = CliRunner().invoke(app, ["match", "--crm", f"csv:{ACME}", "--policy", str(path)])
    assert result.exit_code == 0, result.output
    matches = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    aliased = [m for m in matches if m["method"] == "alias"]
    assert aliased and {m["account_id"] for m in aliased} == {"001000000000096AAA"}
    assert "'Zyx'" in result.stderr and "names no account" in result.stderr
