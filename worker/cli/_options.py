"""The options commands share, defined once: the same name, environment variable and help
wherever they appear. A command with its own wording passes it (`crm_option("…")`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = [
    "AtOption",
    "CrmOption",
    "HomeOption",
    "LogLevelOption",
    "NowOption",
    "OutputOption",
    "PolicyOption",
    "crm_option",
    "flag",
    "policy_option",
]

CRM_HELP = "csv:DIR, salesforce: or hubspot: (or LEADRELAY_CRM)"
POLICY_HELP = "the routing policy (YAML; or LEADRELAY_POLICY)"


def crm_option(help: str = CRM_HELP) -> Any:
    return typer.Option("--crm", envvar="LEADRELAY_CRM", show_envvar=False, help=help)


def policy_option(help: str = POLICY_HELP) -> Any:
    return typer.Option("--policy", envvar="LEADRELAY_POLICY", show_envvar=False, help=help)


def flag(name: str, help: str) -> Any:
    """An on/off switch: given or not, never a value (so no type is shown for it)."""
    return typer.Option(name, help=help, metavar="")


CrmOption = Annotated[str, crm_option()]
PolicyOption = Annotated[Path, policy_option()]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", help="write JSON lines here (.jsonl), or CSV (.csv), not stdout"),
]
NowOption = Annotated[
    datetime | None, typer.Option("--now", hidden=True, help="pretend it is this time (UTC)")
]
HomeOption = Annotated[
    Path,
    typer.Option(
        "--home",
        envvar="LEADRELAY_HOME",
        show_envvar=False,
        help="where LeadRelay keeps its record, Redis and copies (or LEADRELAY_HOME)",
    ),
]
LogLevelOption = Annotated[str, typer.Option("--loglevel", help="DEBUG, INFO, WARNING or ERROR")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="ISO-8601 moment to check as of (default now)")
]
