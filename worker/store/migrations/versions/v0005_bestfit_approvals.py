"""Best fit's recommendations held for approval.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bestfit_approvals",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("crm", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("previous_owner_id", sa.String()),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("pool", sa.String(), nullable=False),
        sa.Column("recommended", sa.String(), nullable=False),
        sa.Column("fallback", sa.String()),
        sa.Column("model", sa.String()),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("held_at", _WHEN, nullable=False),
        sa.Column("resolved_at", _WHEN),
        sa.Column("owner_id", sa.String()),
    )
    op.create_index(
        "ix_bestfit_approvals_state", "bestfit_approvals", ["crm", "state", "record_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_bestfit_approvals_state", table_name="bestfit_approvals")
    op.drop_table("bestfit_approvals")
