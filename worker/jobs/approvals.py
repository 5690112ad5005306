"""Best fit's held recommendations, decided by a person: the chosen owner written, the row
resolved; or, when that cannot be done, a ValueError and the row still pending."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.base import Connector
from routing.model import OwnerChange
from worker.jobs.writes import write_owners
from worker.store.approvals import APPROVED, REJECTED, Approval, ApprovalsStore

__all__ = ["APPROVED", "REJECTED", "decide_approval"]


def decide_approval(
    approvals: ApprovalsStore,
    connector: Connector,
    key: str,
    approval_id: int,
    *,
    state: str,
    owner: str | None = None,
    dry_run: bool = False,
) -> tuple[Approval, str]:
    """Write the recommended owner (approved), the fallback's pick (rejected) or `owner`, and
    resolve the row; ValueError, and the row still pending, when that cannot be done."""
    row = _pending_row(approvals, approval_id, key)
    chosen = owner or (row.recommended if state == APPROVED else row.fallback)
    if not chosen:
        raise ValueError(f"approval {approval_id}: no fallback pick to write; give --owner")
    change = OwnerChange(row.record_id, row.object, chosen, row.previous_owner_id)
    [result] = write_owners(connector, [change], dry_run=dry_run).results
    if not result.ok:
        raise ValueError(f"{row.record_id}: not written ({result.error}); still pending")
    if not dry_run:
        approvals.resolve(approval_id, state, chosen, datetime.now(UTC))
    return row, chosen


def _pending_row(approvals: ApprovalsStore, approval_id: int, key: str) -> Approval:
    row = approvals.get(approval_id)
    if row is None:
        raise ValueError(f"no approval {approval_id}: see `leadrelay bestfit pending`")
    if row.crm != key:
        raise ValueError(f"approval {approval_id} is for another CRM than --crm")
    if row.state != "pending":
        raise ValueError(f"approval {approval_id} is already {row.state}")
    return row
