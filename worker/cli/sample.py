"""`leadrelay sample`: a writable copy of the bundled Acme sample, the CRM the README's
examples route and write owners to (the bundled one is never written)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from worker.cli._common import err
from worker.cli._options import HomeOption, flag
from worker.cli._sample import copy_sample, shown_path
from worker.reports.terminal import markup

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command()(sample)


def sample(
    home: HomeOption = Path(".leadrelay"),
    fresh: Annotated[bool, flag("--fresh", "copy it again over the old copy")] = False,
) -> None:
    """Copy the bundled Acme sample to LEADRELAY_HOME/crm, a CRM to route and write owners to
    (the bundled one is never written). An existing copy is kept unless --fresh."""
    target, made = copy_sample(home, fresh=fresh)
    said = "copied the Acme sample to" if made else "kept the existing copy (--fresh to reset)"
    err.print(markup("{} {}: use --crm csv:{}", said, shown_path(target), shown_path(target)))
