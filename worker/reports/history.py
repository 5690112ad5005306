"""A record's history from the store: every decision (with the policy version that made it),
backfill move, SLA clock and its outcome, hold and notification, oldest first. It reads only
the store, so it says what happened, never what the policy would decide today (`explain`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from routing.record_ids import short_form
from worker.store.insights import held_records, notification_outbox
from worker.store.records import decisions, moves
from worker.store.sla import sla_clocks

__all__ = ["Event", "record_history"]

Names = Callable[[str | None], str]


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    kind: str  # decision, move, sla started, sla <outcome>, held, released, notification
    crm: str
    owner_id: str | None
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self, names: Names | None = None) -> dict[str, Any]:
        row = {"at": self.at.isoformat(), "kind": self.kind, "crm": self.crm,
               "owner_id": self.owner_id, "summary": self.summary, **self.detail}  # fmt: skip
        if names is not None:
            row["owner"] = names(self.owner_id) if self.owner_id else None
        return row


def record_history(engine: Engine, record_id: str, crm: str | None = None) -> list[Event]:
    events: list[Event] = []
    with engine.connect() as connection:
        for table, to_events in _READERS:
            query = sa.select(table).where(_names(table.c.record_id, record_id))
            if crm is not None:
                query = query.where(table.c.crm == crm)
            for row in connection.execute(query.order_by(table.c.id)).mappings():
                events.extend(to_events(row))
    return sorted(events, key=lambda event: event.at)  # stable: a table's own order kept


def _names(column: sa.ColumnElement[str], record_id: str) -> sa.ColumnElement[bool]:
    """The record itself; for a 15-character Salesforce Id, its 18-character form too."""
    short = short_form(record_id)
    if short is None:
        return column == record_id
    long = sa.and_(sa.func.length(column) == 18, sa.func.substr(column, 1, 15) == short)
    return sa.or_(column == record_id, long)


def _decision(row: sa.RowMapping) -> list[Event]:
    detail = {
        "rule": row["rule"],
        "policy_version": row["policy_version"],
        "reason": row["reason"],
        "previous_owner_id": row["previous_owner_id"],
        "score": row["score"],
        "tier": row["tier"],
        "pool": row["pool"],
        "write_status": row["write_status"],
        "write_error": row["write_error"],
    }
    version = row["policy_version"] or "an unrecorded policy version"
    summary = f"routed by rule {row['rule']} of {version} ({row['write_status']}): {row['reason']}"
    return [Event(row["decided_at"], "decision", row["crm"], row["owner_id"], summary, detail)]


def _move(row: sa.RowMapping) -> list[Event]:
    detail = {"run_id": row["run_id"], "from_owner_id": row["from_owner_id"],
              "reason": row["reason"], "status": row["status"], "error": row["error"]}  # fmt: skip
    summary = f"backfill {row['run_id']} moved it ({row['status']}): {row['reason']}"
    return [Event(row["moved_at"], "move", row["crm"], row["to_owner_id"], summary, detail)]


def _clock(row: sa.RowMapping) -> list[Event]:
    detail = {"rule": row["rule"], "due_at": row["due_at"].isoformat(), "target": row["target"]}
    started = Event(
        row["started_at"],
        "sla started",
        row["crm"],
        row["owner_id"],
        f"SLA clock {row['target']} started under rule {row['rule']}, "
        f"due {row['due_at']:%Y-%m-%d %H:%M} UTC",
        detail,
    )
    if row["closed_at"] is None:
        return [started]
    action = f", {row['action']}" if row["action"] else ""
    to = f" to {row['to_owner_id']}" if row["to_owner_id"] else ""
    note = f": {row['note']}" if row["note"] else ""
    closed = Event(
        row["closed_at"],
        f"sla {row['outcome'] or 'closed'}",
        row["crm"],
        row["to_owner_id"] or row["owner_id"],
        f"SLA clock {row['target']} {row['outcome'] or 'closed'}{action}{to}{note}",
        {"outcome": row["outcome"], "action": row["action"], "breaches": row["breaches"]},
    )
    return [started, closed]


def _notification(row: sa.RowMapping) -> list[Event]:
    to = f" to {row['recipient']}" if row["recipient"] else ""
    error = f" ({row['last_error']})" if row["last_error"] else ""
    summary = f"{row['kind']} notification by {row['channel']}{to}: {row['state']}{error}"
    detail = {"channel": row["channel"], "state": row["state"], "sent_at": row["sent_at"]}
    return [Event(row["queued_at"], "notification", row["crm"], row["owner_id"], summary, detail)]


def _hold(row: sa.RowMapping) -> list[Event]:
    missing = ", ".join(row["missing"])
    held = Event(row["since"], "held", row["crm"], None,
                 f"held by rule {row['rule']} waiting for {missing}: {row['why']}")  # fmt: skip
    if row["released_at"] is None:
        return [held]
    released = Event(row["released_at"], "released", row["crm"], None,
                     f"released from hold ({row['release']})")  # fmt: skip
    return [held, released]


_READERS: list[tuple[sa.Table, Callable[[sa.RowMapping], list[Event]]]] = [
    (decisions, _decision),
    (moves, _move),
    (sla_clocks, _clock),
    (held_records, _hold),
    (notification_outbox, _notification),
]
