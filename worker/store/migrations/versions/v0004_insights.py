"""Routing insights: the assignment-notification outbox, records held for enrichment, and an
index on decisions by time for reports.

Revision ID: 0004
Revises: 0003
Create Date: 2024-06-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notification_outbox",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("crm", sa.String(), nullable=False),
        sa.Column("notice_key", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("recipient", sa.String()),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", _WHEN, nullable=False),
        sa.Column("next_attempt_at", _WHEN),
        sa.Column("sent_at", _WHEN),
        sa.Column("last_error", sa.Text()),
        sa.UniqueConstraint("crm", "notice_key", "channel", name="uq_outbox_crm_key_channel"),
    )
    op.create_index("ix_outbox_due", "notification_outbox", ["crm", "state", "next_attempt_at"])
    op.create_index(
        "ix_outbox_sent", "notification_outbox", ["crm", "owner_id", "channel", "sent_at"]
    )
    op.create_table(
        "held_records",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("crm", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("since", _WHEN, nullable=False),
        sa.Column("until", _WHEN, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("released_at", _WHEN),
        sa.Column("release", sa.String()),
        sa.Column("why", sa.Text(), nullable=False),
        sa.UniqueConstraint("crm", "record_id", name="uq_held_records_crm_record"),
    )
    op.create_index("ix_held_records_due", "held_records", ["crm", "state", "until"])
    op.create_index("ix_decisions_decided_at", "decisions", ["decided_at"])


def downgrade() -> None:
    op.drop_index("ix_decisions_decided_at", table_name="decisions")
    op.drop_index("ix_held_records_due", table_name="held_records")
    op.drop_table("held_records")
    op.drop_index("ix_outbox_sent", table_name="notification_outbox")
    op.drop_index("ix_outbox_due", table_name="notification_outbox")
    op.drop_table("notification_outbox")
