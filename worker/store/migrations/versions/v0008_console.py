"""The console: an audit of every action taken in it, and the indexes its pages read by.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "console_audit",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("crm", sa.String()),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_console_audit_at", "console_audit", ["at"])
    op.create_index("ix_decisions_rule_id", "decisions", ["rule", "id"])
    op.create_index("ix_decisions_owner_id", "decisions", ["owner_id", "id"])
    op.create_index("ix_decisions_crm_day", "decisions", ["crm", "decided_at", "rule", "owner_id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_crm_day", "decisions")
    op.drop_index("ix_decisions_owner_id", "decisions")
    op.drop_index("ix_decisions_rule_id", "decisions")
    op.drop_index("ix_console_audit_at", "console_audit")
    op.drop_table("console_audit")
