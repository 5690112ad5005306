"""`leadrelay evaluate` (does best fit beat round robin on this CRM's own history?),
`leadrelay bestfit train` (store a model version for routing), and the recommendations held
for approval: `leadrelay bestfit pending`, `approve ID` and `reject ID`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from config.policy import load_policy
from routing.bestfit import EvalSettings, closed_deals, evaluate
from routing.model import CrmSnapshot
from routing.policy import BestFit
from worker.bootstrap import open_crm, open_store
from worker.cli._common import err, friendly_errors, refuse_overwriting
from worker.cli._options import CrmOption, HomeOption, flag
from worker.jobs.approvals import APPROVED, REJECTED, decide_approval
from worker.jobs.bestfit import best_fit_of, save_model, skill_settings, train_snapshot
from worker.jobs.policy.fields import read_policy_fields
from worker.reports.bestfit import write_report
from worker.reports.terminal import cell, markup
from worker.settings import Settings
from worker.state.board import canonical_url, crm_key

if TYPE_CHECKING:
    from worker.store.approvals import ApprovalsStore
    from worker.store.records import Store

__all__ = ["register"]


bestfit_app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Best-fit routing's skill model.",
)

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
        if output is not None:
            refuse_overwriting(output, crm, *([policy] if policy else []))
        until = _date(train_until)
        snapshot = _snapshot(crm, policy)
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
            err.print(markup("report: {}", write_report(summary, report)))
        err.print(cell(summary["verdict"]))


@bestfit_app.command("train")
def train_command(
    crm: CrmOption,
    policy: Annotated[Path, typer.Option("--policy", help="the policy with a best_fit pool")],
    home: HomeOption = Path(".leadrelay"),
) -> None:
    """Train on every closed deal and make the model current for routing."""
    with friendly_errors(ValueError):
        snapshot = _snapshot(crm, policy)
        best_fit = best_fit_of(load_policy(policy, snapshot))
        if best_fit is None:
            raise ValueError(
                f"{policy}: no pool uses method best_fit, so there is nothing to train"
            )
        model = train_snapshot(snapshot, skill_settings(best_fit))
        with _store(home) as store:
            trained = save_model(model, home, store.engine)
        state = "new" if trained.new else "unchanged"
        err.print(
            cell(
                f"model {trained.version} ({state}) from {trained.n_train} deals: "
                f"{trained.path}, and in the store"
            )
        )
        sys.stdout.write(trained.version + "\n")


# --- recommendations held for approval -------------------------------------------------------

IdArgument = Annotated[int, typer.Argument(help="the id `leadrelay bestfit pending` shows")]
OwnerOption = Annotated[str | None, typer.Option("--owner", help="write this user id instead")]
DryRunOption = Annotated[
    bool, flag("--dry-run", help="show the write; leave the recommendation pending")
]


@contextmanager
def _store(home: Path | None = None) -> Iterator[Store]:
    """The store of DATABASE_URL, or the SQLite file under `home` (default LEADRELAY_HOME)."""

    settings = Settings() if home is None else Settings(LEADRELAY_HOME=home)
    with open_store(settings) as store:
        yield store


@contextmanager
def _approvals() -> Iterator[ApprovalsStore]:
    from worker.store.approvals import ApprovalsStore

    with _store() as store:
        yield ApprovalsStore(store.engine)


@bestfit_app.command("pending")
def pending_command(
    crm: Annotated[str | None, typer.Option("--crm", help="only this CRM's")] = None,
) -> None:
    """The recommendations waiting for approval (pools with approval: true)."""
    with friendly_errors(ValueError), _approvals() as approvals:
        key = crm_key(canonical_url(crm)) if crm else None
        rows = approvals.pending(key)
        for row in rows:
            sys.stdout.write(
                f"{row.id}\t{row.record_id}\t{row.pool}\trecommended {row.recommended}"
                f"\tfallback {row.fallback or '-'}\theld {row.held_at.isoformat()}\n"
            )
        err.print(markup("{} pending", len(rows)))


@bestfit_app.command("approve")
def approve_command(
    approval_id: IdArgument,
    crm: CrmOption,
    owner: OwnerOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Write best fit's recommendation (or --owner) and resolve the row."""
    _decide(approval_id, crm, owner, APPROVED, dry_run)


@bestfit_app.command("reject")
def reject_command(
    approval_id: IdArgument,
    crm: CrmOption,
    owner: OwnerOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Write the fallback method's pick (or --owner) instead, and resolve the row."""
    _decide(approval_id, crm, owner, REJECTED, dry_run)


def _decide(approval_id: int, crm: str, owner: str | None, state: str, dry_run: bool) -> None:
    with friendly_errors(ValueError), _approvals() as approvals:
        row, chosen = decide_approval(
            approvals, open_crm(crm), crm_key(canonical_url(crm)), approval_id,
            state=state, owner=owner, dry_run=dry_run,
        )  # fmt: skip
        if dry_run:
            err.print(cell(f"dry run: {row.record_id} would go to {chosen}; still pending"))
            return
        err.print(cell(f"{row.record_id}: {state}, owner {chosen} written"))


def _snapshot(crm: str, policy: Path | None) -> CrmSnapshot:
    """The CRM as the policy reads it: with every field its segments and rules read."""
    connector = open_crm(crm)
    if policy is not None:
        read_policy_fields(connector, policy)
    return connector.snapshot()
