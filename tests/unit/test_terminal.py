from __future__ import annotations

import ast
from pathlib import Path

from rich.console import Console

from worker.reports.terminal import cell, markup, shown

WORKER = Path(__file__).resolve().parents[2] / "worker"
# status.py belongs to another change in flight; it is listed so the guard is honest about it
NOT_YET: set[str] = set()


def printed(renderable: object) -> str:
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def test_values_are_text_and_the_template_is_markup() -> None:
    text = printed(markup("[red]{}[/red] and {}", "[/b] ok", "write [a, b] \\"))
    assert text == "[/b] ok and write [a, b] \\\n"


def test_control_characters_are_shown_escaped() -> None:
    assert shown("x\x1b]0;title\x07") == "x\\x1b]0;title\\x07"
    assert shown("a\u202eb\x9b") == "a\\u202eb\\x9b"
    assert shown("one\ntwo") == "one\\ntwo"
    assert shown("one\ntwo", lines=True) == "one\ntwo"
    assert "\x1b" not in printed(cell("\x1b[2J"))


def test_no_command_prints_an_f_string_as_markup() -> None:
    """The class, not the example: a formatted string handed to a console is read as markup,
    so every print of data goes through `markup()` or `cell()`."""
    offenders = []
    for source in sorted(WORKER.rglob("*.py")):
        if source.name in NOT_YET:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr in {"print", "add_row"} and any(
                isinstance(arg, ast.JoinedStr | ast.Subscript) for arg in node.args
            ):
                offenders.append(f"{source.name}:{node.lineno}")
    assert offenders == []
