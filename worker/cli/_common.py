"""What every `leadrelay` command shares: the error console, the output file, and turning
bad input into a message with a fix instead of a traceback."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import typer
from rich.console import Console

from config.errors import PolicyError
from connectors.base import ConnectorError
from worker.reports.output_files import json_lines_as_csv, output_format, unknown_format_message
from worker.reports.terminal import markup

err = Console(stderr=True, soft_wrap=True)  # an error line stays one line, greppable

POLICY_EXIT, CRM_EXIT = 2, 3


class OutputError(Exception):
    """An output file that cannot or must not be written; said in one line, exit 2."""


@contextmanager
def open_output(path: Path | None, *inputs: Path | str, lines: bool = True) -> Iterator[IO[str]]:
    """JSON lines go to stdout, or to the file given — never over one of this run's inputs
    (`inputs`: files, and CRM URLs whose csv: folder's files are inputs too). With `lines`, a
    `.csv` file gets the lines as CSV and an extension naming neither is refused."""
    if path is None:
        yield sys.stdout
        return
    refuse_overwriting(path, *inputs)
    kind = output_format(path) if lines else "jsonl"
    if kind is None:
        raise OutputError(unknown_format_message(path))
    try:
        handle = path.open("w", encoding="utf-8", newline="" if kind == "csv" else None)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror} — {_output_fix(path)}") from None
    with handle:
        if kind == "jsonl":
            yield handle
            return
        buffered = io.StringIO()
        yield buffered
        json_lines_as_csv(buffered.getvalue(), handle)


def check_output(path: Path | None) -> None:
    """Refuse an --output extension before any work, for commands that write it later."""
    if path is not None and output_format(path) is None:
        raise OutputError(unknown_format_message(path))


def refuse_overwriting(path: Path, *inputs: Path | str) -> None:
    for source in _input_files(inputs):
        if path.exists() and source.exists() and os.path.samefile(path, source):
            raise OutputError(
                f"{path} is {source}, an input of this run: writing there would destroy it — "
                "give --output another file"
            )


def _input_files(inputs: Sequence[Path | str]) -> Iterator[Path]:
    for source in inputs:
        if isinstance(source, Path):
            yield source
        elif source.startswith("csv:") and Path(source[4:]).is_dir():
            yield from Path(source[4:]).iterdir()


def _output_fix(path: Path) -> str:
    if not path.parent.is_dir():
        return f"the folder {path.parent} does not exist; create it first"
    if path.is_dir():
        return "that is a folder; give a file name"
    return "check the path and its permissions"


@contextmanager
def friendly_errors(
    *also: type[Exception], code: int = POLICY_EXIT, prefix: str = ""
) -> Iterator[None]:
    """A policy problem exits 2, a CRM problem 3; `also` (e.g. ValueError for a date written
    wrong) prints the same way and exits with `code`."""
    try:
        yield
    except PolicyError as exc:
        say_error(exc)
        raise typer.Exit(POLICY_EXIT) from None
    except ConnectorError as exc:
        say_error(exc, "CRM: ")
        raise typer.Exit(CRM_EXIT) from None
    except OutputError as exc:
        say_error(exc)
        raise typer.Exit(POLICY_EXIT) from None
    except also as exc:
        say_error(exc, prefix)
        raise typer.Exit(code) from None


def say_error(problem: object, prefix: str = "") -> None:
    """One red message; its text (which quotes data and our fix texts) is never markup, and
    a URL in it never shows its password."""
    err.print(markup("[red]{}{}[/red]", prefix, redact(str(problem))))


_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)


def redact(text: str) -> str:
    """`redis://:s3cret@host` → `redis://:***@host`."""
    return _URL_PASSWORD.sub(r"\g<head>***@", text)
