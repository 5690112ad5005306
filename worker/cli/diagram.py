"""`leadrelay policy diagram FILE`: the policy as a picture, for docs and reviews — the same
diagram as the console's policy page, from the file alone (no CRM)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from config.policy import read_policy_file
from worker.cli._common import friendly_errors
from worker.console.diagram import build_diagram, to_mermaid, to_svg


class Format(StrEnum):
    svg = "svg"
    mermaid = "mermaid"


def policy_diagram(
    file: Annotated[Path, typer.Argument(help="the policy file")],
    format: Annotated[Format, typer.Option("--format", help="svg or mermaid")] = Format.svg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write it here, not stdout")
    ] = None,
) -> None:
    """Draw a policy: rules in order with their conditions in words, the pools, steps, users
    and queues they hand to, members with weights and caps, overflow arrows, the fallback."""
    with friendly_errors():
        picture = build_diagram(read_policy_file(file))
    text = to_svg(picture) if format is Format.svg else to_mermaid(picture)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)
