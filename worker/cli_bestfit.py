"""`leadrelay evaluate` (does best fit beat round robin on this CRM's own history?) and
`leadrelay bestfit train` (store a model version for routing)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from config.policy import load_policy
from connectors.registry import open_connector
from routing.bestfit import closed_deals
from routing.bestfit_eval import EvalSettings, evaluate
from routing.policy import BestFit
from worker.bestfit_jobs import best_fit_of, save_model, skill_settings, train_snapshot
from worker.bestfit_report import write_report
from worker.cli_common import err, friendly_errors

__all__ = ["register"]

bestfit_app = typer.Typer(no_args_is_help=True, help="Best-fit routing's skill model.")

CrmOption = Annotated[str, typer.Option("--crm", help="csv:DIR, salesforce: or hubspot:")]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="read the best_fit settings of its first pool")
]
SegmentOption = Annotated[
    list[str] | None,
    typer.Option("--segment", help="Object.Field, e.g. Account.Industry; repeat for more"),
]


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
    app.add_typer(bestfit_app, name="bestfit")


def _date(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--train-until '{text}' is not a date: write e.g. 2025-07-01") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def evaluate_command(
    crm: CrmOption,
    train_until: Annotated[
        str, typer.Option("--train-until", help="train on deals closed before this date")
    ],
    segment: SegmentOption = None,
    policy: PolicyOption = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="write an HTML report into this folder")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="write the JSON summary here, not stdout")
    ] = None,
) -> None:
    """Train on deals closed before --train-until, replay the later ones: uplift of the
    model's choice over the other deals, with 95% intervals, calibration, and round robin."""
    with friendly_errors(ValueError):
        until = _date(train_until)
        snapshot = open_connector(crm).snapshot()
        best_fit = best_fit_of(load_policy(policy, snapshot)) if policy else None
        if best_fit is None and not segment:
            raise ValueError(
                "no segments: give --segment (e.g. --segment Account.Industry) or a --policy "
                "with a best_fit pool"
            )
        best_fit = best_fit or BestFit()
        settings = EvalSettings(
            skill_settings(best_fit, segment),
            best_fit.objective,
            best_fit.fairness_band,
            best_fit.window,
            best_fit.exploration,
        )
        deals = list(
            closed_deals(snapshot.opportunities, snapshot.accounts, settings.skill.segments)
        )
        summary = evaluate(deals, until, settings).summary
        text = json.dumps(summary, indent=2)
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            output.write_text(text + "\n", encoding="utf-8")
        if report is not None:
            err.print(f"report: {write_report(summary, report)}")
        err.print(summary["verdict"])


@bestfit_app.command("train")
def train_command(
    crm: CrmOption,
    policy: Annotated[Path, typer.Option("--policy", help="the policy with a best_fit pool")],
    home: Annotated[Path, typer.Option("--home", envvar="LEADRELAY_HOME")] = Path(".leadrelay"),
) -> None:
    """Train on every closed deal and make the model current for routing."""
    with friendly_errors(ValueError):
        snapshot = open_connector(crm).snapshot()
        best_fit = best_fit_of(load_policy(policy, snapshot))
        if best_fit is None:
            raise ValueError(
                f"{policy}: no pool uses method best_fit, so there is nothing to train"
            )
        trained = save_model(train_snapshot(snapshot, skill_settings(best_fit)), home)
        state = "new" if trained.new else "unchanged"
        err.print(f"model {trained.version} ({state}) from {trained.n_train} deals: {trained.path}")
