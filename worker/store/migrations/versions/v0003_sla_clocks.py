"""SLA clocks: one row per clock (a reassignment starts the next), with its outcome.

Revision ID: 0003
Revises: 0002
Create Date: 2024-06-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("crm", sa.String(), nullable=False),
        sa.Column("clock_key", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("tier", sa.String()),
        sa.Column("pool", sa.String()),
        sa.Column("team", sa.String()),
        sa.Column("calendar", sa.String()),
        sa.Column("ownership", sa.Boolean(), nullable=False),
        sa.Column("breaches", sa.Integer(), nullable=False),
        sa.Column("breached_owner_ids", sa.JSON(), nullable=False),
        sa.Column("routed_at", _WHEN, nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("due_at", _WHEN, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("claimed_until", _WHEN),
        sa.Column("outcome", sa.String()),
        sa.Column("first_touch_at", _WHEN),
        sa.Column("closed_at", _WHEN),
        sa.Column("action", sa.String()),
        sa.Column("to_owner_id", sa.String()),
        sa.Column("note", sa.Text()),
        sa.UniqueConstraint("crm", "clock_key", name="uq_sla_clocks_crm_key"),
    )
    op.create_index("ix_sla_clocks_due", "sla_clocks", ["crm", "state", "due_at"])
    op.create_index("ix_sla_clocks_record", "sla_clocks", ["crm", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_sla_clocks_record", table_name="sla_clocks")
    op.drop_index("ix_sla_clocks_due", table_name="sla_clocks")
    op.drop_table("sla_clocks")
