"""Backfill moves: every owner a backfill changed, with its reason.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "moves",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("crm", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("from_owner_id", sa.String()),
        sa.Column("to_owner_id", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("moved_at", _WHEN, nullable=False),
        sa.UniqueConstraint("crm", "run_id", "record_id", name="uq_moves_crm_run_record"),
    )
    op.create_index("ix_moves_record_id", "moves", ["record_id"])


def downgrade() -> None:
    op.drop_index("ix_moves_record_id", table_name="moves")
    op.drop_table("moves")
