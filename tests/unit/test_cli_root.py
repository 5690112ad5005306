"""The `leadrelay` root: its listing is the commands' own help, and asking for it (or the
version) loads none of the command modules and none of the heavy libraries behind them."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

from typer.testing import CliRunner

from worker.cli import app
from worker.cli._app import COMMANDS, load_command

HEAVY = ("sqlalchemy", "celery", "matplotlib", "routing.engine", "worker.jobs", "worker.cli.route")


def test_the_listing_says_what_each_command_says_of_itself() -> None:
    for name, entry in COMMANDS.items():
        assert (load_command(name).help or "").strip() == entry.help, name


def test_every_command_in_the_listing_runs_its_own_help() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage: " in result.output and name in result.output


def _loaded_after(*args: str) -> tuple[str, list[str]]:
    script = (
        "import io, json, sys, contextlib\n"
        "from worker.cli import app\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        app({list(args)!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps([out.getvalue(), sorted(sys.modules)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    shown, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return shown, modules


def test_help_and_version_load_no_command_module() -> None:
    for args, expected in ((("--help",), "route"), (("--version",), version("leadrelay"))):
        shown, modules = _loaded_after(*args)
        assert expected in shown
        loaded = [m for m in modules if m.startswith(HEAVY)]
        assert loaded == [], (args, loaded)


def test_a_command_loads_what_it_needs() -> None:
    _shown, modules = _loaded_after("route", "--help")
    assert "worker.cli.route" in modules


def test_every_option_says_what_it_is_for() -> None:
    def silent(command: object, path: str) -> list[str]:
        if hasattr(command, "commands"):
            return [
                found
                for name, sub in command.commands.items()
                for found in silent(sub, f"{path} {name}")
            ]
        return [
            f"{path} {'/'.join(param.opts)}"
            for param in command.params  # type: ignore[attr-defined]
            if param.param_type_name == "option" and not param.help and not param.hidden
        ]

    assert [found for name in COMMANDS for found in silent(load_command(name), name)] == []
