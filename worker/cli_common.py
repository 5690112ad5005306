"""What every `leadrelay` command shares: the error console, the output file, and turning
bad input into a message with a fix instead of a traceback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import typer
from rich.console import Console

from config.errors import PolicyError
from connectors.base import ConnectorError
from worker.terminal import markup

err = Console(stderr=True, soft_wrap=True)  # an error line stays one line, greppable

POLICY_EXIT, CRM_EXIT = 2, 3


@contextmanager
def open_output(path: Path | None) -> Iterator[IO[str]]:
    """JSON lines go to stdout, or to the file given."""
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8") as handle:
        yield handle


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
    except also as exc:
        say_error(exc, prefix)
        raise typer.Exit(code) from None


def say_error(problem: object, prefix: str = "") -> None:
    """One red message; its text (which quotes data and our fix texts) is never markup."""
    err.print(markup("[red]{}{}[/red]", prefix, problem))
