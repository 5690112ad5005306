"""Every action taken in the console (retry, approve, reject, publish), with who, when, on
what and how it ended: kept in the store beside the decisions it changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from worker.store.records import ID_TYPE as ID_TYPE
from worker.store.records import UtcDateTime, metadata

console_audit = sa.Table(
    "console_audit",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("who", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("crm", sa.String()),
    sa.Column("target", sa.String(), nullable=False),
    sa.Column("outcome", sa.String(), nullable=False),  # ok, refused, failed
    sa.Column("detail", sa.Text(), nullable=False),
    sa.Index("ix_console_audit_at", "at"),
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    who: str
    role: str
    action: str
    crm: str | None
    target: str
    outcome: str
    detail: str


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        *,
        who: str,
        role: str,
        action: str,
        crm: str | None,
        target: str,
        outcome: str,
        detail: str = "",
        at: datetime | None = None,
    ) -> None:
        row = {
            "at": at or datetime.now(UTC),
            "who": who,
            "role": role,
            "action": action,
            "crm": crm,
            "target": target,
            "outcome": outcome,
            "detail": detail,
        }
        with self.engine.begin() as connection:
            connection.execute(console_audit.insert().values(**row))

    def latest(self, limit: int = 50) -> list[AuditEntry]:
        query = sa.select(console_audit).order_by(console_audit.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [AuditEntry(**row) for row in connection.execute(query).mappings()]
