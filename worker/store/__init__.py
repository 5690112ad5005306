"""The durable record (SQLAlchemy, schema by Alembic in `migrations/`): decisions with their
traces, dead letters, moves, SLA clocks, the notification outbox, held records, approvals,
model and policy versions. SQLite by default, PostgreSQL in production."""

import sqlalchemy as sa

# every table module, by name: each adds its tables to `metadata` when imported
from worker.store import approvals, audit, insights, models, policies, sla
from worker.store.records import DeadLetter, RecordedDecision, Store, metadata

__all__ = [
    "DeadLetter",
    "RecordedDecision",
    "Store",
    "approvals",
    "audit",
    "insights",
    "metadata",
    "models",
    "policies",
    "schema_metadata",
    "sla",
]


def schema_metadata() -> sa.MetaData:
    """`metadata` with every table the migrations manage."""
    return metadata
