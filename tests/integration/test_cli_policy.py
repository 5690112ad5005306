from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import ACME_POLICY
from worker.cli import app


def test_policy_check_accepts_the_acme_policy(acme_crm: Path) -> None:
    result = CliRunner().invoke(
        app, ["policy", "check", str(ACME_POLICY), "--crm", f"csv:{acme_crm}"]
    )
    assert result.exit_code == 0, result.output
    assert "OK" in result.stderr and "10 pools" in result.stderr


def test_policy_check_lists_problems_and_exits_2(acme_crm: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(ACME_POLICY.read_text().replace("ben.carter@", "benn.carter@"))
    result = CliRunner().invoke(app, ["policy", "check", str(broken), "--crm", f"csv:{acme_crm}"])
    assert result.exit_code == 2
    assert (
        "pools[0].members[1]: no user with email or Id 'benn.carter@acme-analytics.example'"
        in result.stderr
    )


def test_policy_schema_is_json_schema_with_the_sections() -> None:
    result = CliRunner().invoke(app, ["policy", "schema"])
    schema = json.loads(result.stdout)
    assert {"rules", "pools", "territories", "scoring", "routable"} <= set(schema["properties"])


def test_a_missing_crm_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["route", "--crm", f"csv:{tmp_path}/nope", "--policy", str(ACME_POLICY)]
    )
    assert result.exit_code == 3
    assert "nope" in result.stderr and "Traceback" not in result.output
