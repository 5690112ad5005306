"""`leadrelay demo`, the README's first command: real worker and beat processes, an embedded
Redis and SQLite, ending by itself with the CRM as `leadrelay route` leaves it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from worker.state.embedded import EmbeddedRedis


def test_demo_routes_every_arrival_and_matches_the_route_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    command = [sys.executable, "-c", "from worker.cli import app; app()", "demo"]
    finished = subprocess.run(
        [*command, "--home", str(home), "--seconds", "120"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, output
    assert "arrived 197/197" in output and "routed and written 197" in output
    assert "the same owners as `leadrelay route`" in output
    assert not EmbeddedRedis(home / "demo" / "redis").is_running()  # it cleaned up
