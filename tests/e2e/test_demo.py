"""`leadrelay demo`, the README's first command: real worker and beat processes, an embedded
Redis and SQLite, ending by itself with the CRM as `leadrelay route` leaves it; the commands it
suggests paste as printed and read what it made."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import ACME
from worker.state.embedded import EmbeddedRedis

LEADRELAY = [sys.executable, "-c", "from worker.cli import app; app()"]


def _run(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "DATABASE_URL", "COLUMNS", "LEADRELAY_HOME")
    }
    env.update(LEADRELAY_HOME=str(home))
    return subprocess.run(
        [*LEADRELAY, *args], capture_output=True, text=True, timeout=180, cwd=cwd, env=env
    )


def test_demo_routes_every_arrival_and_matches_the_route_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    sample_before = (ACME / "Lead.csv").read_bytes()
    finished = _run(["demo", "--seconds", "120"], tmp_path, home)  # no terminal: 80 columns
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, output
    assert "arrived 197/197" in output and "routed and written 197" in output
    assert "the same owners as `leadrelay route`" in output
    assert not EmbeddedRedis(home / "redis").is_running()  # it cleaned up
    assert (ACME / "Lead.csv").read_bytes() == sample_before

    suggested = [line.strip() for line in output.splitlines() if "leadrelay explain" in line]
    # home is not the default here, so the line sets it: LEADRELAY_HOME=home leadrelay explain …
    assert suggested and suggested[0].startswith("LEADRELAY_HOME=home leadrelay explain ")
    explain = suggested[0].removeprefix("LEADRELAY_HOME=home ")
    assert explain.endswith("--policy " + str(ACME.parent / "acme.yaml")), explain  # one line
    explained = _run(shlex.split(explain)[1:], tmp_path, home)
    assert explained.returncode == 0, explained.stderr

    # the commands that read the store and Redis read the demo's, with LEADRELAY_HOME as it ran
    record_id = shlex.split(explain)[2]
    history = _run(["history", record_id, "--crm", f"csv:{home / 'crm'}", "--json"], tmp_path, home)
    assert history.returncode == 0 and '"decision"' in history.stdout, history.stdout
    report = _run(["report"], tmp_path, home)
    assert "│ decisions " in report.stdout and "│ 197 " in report.stdout, report.stdout
    status = _run(["status"], tmp_path, home)
    assert "no CRM configured yet" not in status.stdout, status.stdout
    assert str(home / "crm") in status.stdout, status.stdout
    EmbeddedRedis(home / "redis").stop()
