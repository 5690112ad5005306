"""The durable record: decisions with their traces, dead letters, watermarks.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("crm", sa.String(), nullable=False),
        sa.Column("decision_key", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("previous_owner_id", sa.String()),
        sa.Column("account_id", sa.String()),
        sa.Column("match_method", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String()),
        sa.Column("pool", sa.String()),
        sa.Column("slot", sa.Integer()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("trace", _JSON, nullable=False),
        sa.Column("decided_at", _WHEN, nullable=False),
        sa.Column("write_status", sa.String(), nullable=False),
        sa.Column("written_at", _WHEN),
        sa.Column("write_error", sa.Text()),
        sa.UniqueConstraint("crm", "decision_key", "record_id", name="uq_decisions_crm_key_record"),
    )
    op.create_index("ix_decisions_record_id", "decisions", ["record_id"])
    op.create_index("ix_decisions_pool_slot", "decisions", ["pool", "id"])

    op.create_table(
        "dead_letters",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("crm", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("previous_owner_id", sa.String()),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", _WHEN, nullable=False),
        sa.Column("last_failed_at", _WHEN, nullable=False),
        sa.Column("resolved_at", _WHEN),
    )
    open_only = sa.text("resolved_at IS NULL")
    op.create_index(
        "uq_dead_letters_open",
        "dead_letters",
        ["crm", "record_id"],
        unique=True,
        sqlite_where=open_only,
        postgresql_where=open_only,
    )

    op.create_table(
        "watermarks",
        sa.Column("crm", sa.String(), primary_key=True),
        sa.Column("object", sa.String(), primary_key=True),
        sa.Column("watermark", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("watermarks")
    op.drop_index("uq_dead_letters_open", table_name="dead_letters")
    op.drop_table("dead_letters")
    op.drop_index("ix_decisions_pool_slot", table_name="decisions")
    op.drop_index("ix_decisions_record_id", table_name="decisions")
    op.drop_table("decisions")
