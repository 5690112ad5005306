"""Every command in the README's ```sh blocks, run as written, in order, on a fresh copy of the
repository: `leadrelay` on the PATH as `. .venv/bin/activate` puts it there, nothing else set
up. Only the commands below are not run, each for the reason given; any other that fails,
fails the test, and one listed here that the README no longer has does too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from worker.state.embedded import EmbeddedRedis

REPO = Path(__file__).resolve().parents[2]
SAMPLE = Path("config/examples/acme")

LONG_RUNNING = "runs until stopped (a long-running process)"
CREDENTIALS = "needs a real CRM's credentials"
NOT_RUN = {
    "python3 dev.py demo": "makes .venv and installs LeadRelay from PyPI; the demo itself is "
    "tests/e2e/test_demo.py",
    "python3 dev.py test": "runs the whole suite, this test included",
    "leadrelay worker --crm csv:.leadrelay/crm --policy config/examples/acme.yaml --beat":
        LONG_RUNNING,
    "leadrelay worker --crm salesforce: --policy policy.yaml": f"{CREDENTIALS}; {LONG_RUNNING}",
    "leadrelay beat": LONG_RUNNING,
    "leadrelay serve": LONG_RUNNING,
    "leadrelay serve --host 0.0.0.0 --port 8000": LONG_RUNNING,
    "leadrelay serve --port 8000": LONG_RUNNING,
    "leadrelay bestfit train --crm salesforce: --policy policy.yaml": CREDENTIALS,
    "leadrelay evaluate --crm salesforce: --train-until 2026-06-01 --segment Account.Industry "
    "--report out/": CREDENTIALS,
}  # fmt: skip


def readme_commands(text: str) -> list[str]:
    """Each command of each ```sh block, continuation lines joined, comments dropped."""
    commands: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command:
                commands.append(" ".join(command.split()))
    return commands


def fresh_copy(target: Path) -> Path:
    """The files a clone has (tracked, and new ones not ignored), none of this tree's state."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True, cwd=REPO,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _leadrelay_on_path(bin_dir: Path, copy: Path) -> None:
    bin_dir.mkdir()
    script = bin_dir / "leadrelay"
    script.write_text(
        f"#!/bin/sh\nPYTHONPATH={copy} exec {sys.executable} "
        "-c 'from worker.cli import app; app()' \"$@\"\n"
    )
    script.chmod(0o755)


def _clean_env(bin_dir: Path) -> dict[str, str]:
    """A new user's shell: no LeadRelay, CRM, Redis or database settings."""
    prefixes = ("LEADRELAY_", "SALESFORCE_", "HUBSPOT_", "REDIS_URL", "DATABASE_URL", "POSTGRES_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env.pop("PYTHONPATH", None)
    return env


def test_the_not_run_list_names_only_commands_the_readme_has() -> None:
    commands = readme_commands((REPO / "README.md").read_text(encoding="utf-8"))
    assert sorted(set(NOT_RUN) - set(commands)) == []


def test_every_readme_command_works_as_written_on_a_fresh_copy(tmp_path: Path) -> None:
    copy = fresh_copy(tmp_path / "leadrelay")
    bin_dir = tmp_path / "bin"
    _leadrelay_on_path(bin_dir, copy)
    env = _clean_env(bin_dir)
    commands = readme_commands((copy / "README.md").read_text(encoding="utf-8"))
    assert len(commands) > 20
    failed: list[str] = []
    try:
        for command in commands:
            if command in NOT_RUN:
                continue
            ran = subprocess.run(
                ["bash", "-c", f"set -o pipefail; {command}"],
                capture_output=True, text=True, timeout=300, cwd=copy, env=env, check=False,
            )  # fmt: skip
            if ran.returncode != 0:
                failed.append(f"$ {command}\n(exit {ran.returncode}) {ran.stderr[-1500:]}")
    finally:
        EmbeddedRedis(copy / ".leadrelay" / "redis").stop()
    assert failed == [], "\n\n".join(failed)
    for path in (REPO / SAMPLE).iterdir():  # following the README damaged no tracked file
        assert (copy / SAMPLE / path.name).read_bytes() == path.read_bytes(), path.name


def test_files_the_example_policies_point_at_are_in_the_repository() -> None:
    for policy in (REPO / "config" / "examples").glob("*.yaml"):
        header = [
            line for line in policy.read_text(encoding="utf-8").splitlines() if line[:1] == "#"
        ]
        named = re.findall(r"[A-Za-z0-9_./-]+\.(?:md|yaml|csv)", "\n".join(header))
        assert named, policy.name
        for name in named:
            assert (policy.parent / name).is_file(), f"{policy.name} names {name}"


if __name__ == "__main__":  # pragma: no cover — `python tests/e2e/test_readme.py` lists them
    for found in readme_commands((REPO / "README.md").read_text(encoding="utf-8")):
        print(("skip  " if found in NOT_RUN else "run   ") + found)
    pytest.main([__file__, "-q"])
