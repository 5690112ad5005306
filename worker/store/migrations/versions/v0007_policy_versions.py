"""Published policy versions, and the version that made each decision.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("simulation", sa.JSON()),
        sa.UniqueConstraint("name", "version", name="uq_policy_versions_name_version"),
    )
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("policy_version", sa.String()))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("policy_version")
    op.drop_table("policy_versions")
