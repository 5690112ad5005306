"""Best fit's recommendations held for approval (`mode: recommend` with `approval: true`).

A held record is left routable and unwritten; its row is `pending`, refreshed each time the
record is routed again, until `leadrelay bestfit approve` or `reject` writes an owner and
resolves it (`approved` or `rejected`, with the owner written and when).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from routing.model import Decision
from worker.store.records import UtcDateTime, metadata

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

bestfit_approvals = sa.Table(
    "bestfit_approvals",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("crm", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("object", sa.String(), nullable=False),
    sa.Column("previous_owner_id", sa.String()),
    sa.Column("rule", sa.String(), nullable=False),
    sa.Column("pool", sa.String(), nullable=False),
    sa.Column("recommended", sa.String(), nullable=False),
    sa.Column("fallback", sa.String()),  # the fallback method's pick, which `reject` writes
    sa.Column("model", sa.String()),
    sa.Column("why", sa.Text(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("held_at", UtcDateTime(), nullable=False),
    sa.Column("resolved_at", UtcDateTime()),
    sa.Column("owner_id", sa.String()),  # the owner written on approval or rejection
    sa.Index("ix_bestfit_approvals_state", "crm", "state", "record_id"),
)


@dataclass(frozen=True, slots=True)
class Approval:
    id: int
    crm: str
    record_id: str
    object: str
    previous_owner_id: str | None
    rule: str
    pool: str
    recommended: str
    fallback: str | None
    model: str | None
    why: str
    state: str
    held_at: datetime
    resolved_at: datetime | None = None
    owner_id: str | None = None


def held_for_approval(decision: Decision) -> dict[str, Any] | None:
    """The engine's note on a decision held for approval, or None."""
    held = decision.trace.get("held_for_approval")
    return dict(held) if held else None


class ApprovalsStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def hold(self, crm: str, decisions: Sequence[Decision], at: datetime) -> int:
        """Record the held decisions: one pending row per record, refreshed if already held."""
        count = 0
        with self.engine.begin() as connection:
            for decision in decisions:
                held = held_for_approval(decision)
                if held is not None:
                    _hold_one(connection, crm, decision, held, at)
                    count += 1
        return count

    def pending(self, crm: str | None = None, limit: int = 1000) -> list[Approval]:
        query = sa.select(bestfit_approvals).where(bestfit_approvals.c.state == PENDING)
        if crm is not None:
            query = query.where(bestfit_approvals.c.crm == crm)
        query = query.order_by(bestfit_approvals.c.id).limit(limit)
        with self.engine.connect() as connection:
            return [Approval(**row) for row in connection.execute(query).mappings()]

    def get(self, approval_id: int) -> Approval | None:
        query = sa.select(bestfit_approvals).where(bestfit_approvals.c.id == approval_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return Approval(**row) if row else None

    def resolve(self, approval_id: int, state: str, owner_id: str, at: datetime) -> bool:
        """Mark a pending row approved or rejected; False if it was no longer pending."""
        statement = (
            sa.update(bestfit_approvals)
            .where(bestfit_approvals.c.id == approval_id, bestfit_approvals.c.state == PENDING)
            .values(state=state, owner_id=owner_id, resolved_at=at)
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1


def _hold_one(
    connection: Connection, crm: str, decision: Decision, held: dict[str, Any], at: datetime
) -> None:
    values = {
        "object": decision.object,
        "previous_owner_id": decision.previous_owner_id,
        "rule": decision.rule,
        "pool": held["pool"],
        "recommended": held["recommended"],
        "fallback": held.get("fallback"),
        "model": decision.trace.get("model_version"),
        "why": held["why"],
    }
    table = bestfit_approvals
    existing = connection.execute(
        sa.select(table.c.id).where(
            table.c.crm == crm, table.c.record_id == decision.record_id, table.c.state == PENDING
        )
    ).scalar()
    if existing is not None:
        connection.execute(sa.update(table).where(table.c.id == existing).values(**values))
        return
    connection.execute(
        sa.insert(table).values(
            crm=crm, record_id=decision.record_id, state=PENDING, held_at=at, **values
        )
    )
