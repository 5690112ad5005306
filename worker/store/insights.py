"""The durable side of routing insights: the assignment-notification outbox and the records
held for enrichment — in SQL, so a restart or a Redis loss forgets neither.

Outbox: a message is `queued` (with when to try next), then `sent`, or `failed` once its
attempts run out. Queueing is idempotent per (crm, key, channel): a redelivered task queues
nothing twice. Holds: one row per record; `held` with since/until, then `released` with how.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from routing.policy import HoldVerdict, Queued, retry_at
from worker.store.records import UtcDateTime, _insert, decisions, metadata

QUEUED, SENT, FAILED = "queued", "sent", "failed"
HELD, RELEASED = "held", "released"
_CHUNK = 2000
ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

notification_outbox = sa.Table(
    "notification_outbox",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
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
    sa.Column("queued_at", UtcDateTime(), nullable=False),
    sa.Column("next_attempt_at", UtcDateTime()),
    sa.Column("sent_at", UtcDateTime()),
    sa.Column("last_error", sa.Text()),
    sa.UniqueConstraint("crm", "notice_key", "channel", name="uq_outbox_crm_key_channel"),
    sa.Index("ix_outbox_due", "crm", "state", "next_attempt_at"),
    sa.Index("ix_outbox_sent", "crm", "owner_id", "channel", "sent_at"),
)

held_records = sa.Table(
    "held_records",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("crm", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("object", sa.String(), nullable=False),
    sa.Column("rule", sa.String(), nullable=False),
    sa.Column("missing", sa.JSON(), nullable=False),
    sa.Column("since", UtcDateTime(), nullable=False),
    sa.Column("until", UtcDateTime(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("released_at", UtcDateTime()),
    sa.Column("release", sa.String()),  # filled, timeout, gone
    sa.Column("why", sa.Text(), nullable=False),
    sa.UniqueConstraint("crm", "record_id", name="uq_held_records_crm_record"),
    sa.Index("ix_held_records_due", "crm", "state", "until"),
)

# reports filter decisions by time: `leadrelay report --since 30d` over millions of rows
sa.Index("ix_decisions_decided_at", decisions.c.decided_at)


@dataclass(frozen=True, slots=True)
class Notice:
    """One message to queue: an assignment on one channel."""

    key: str  # the same for a redelivery of the same assignment
    record_id: str
    object: str
    owner_id: str
    kind: str
    channel: str
    recipient: str | None
    values: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Outgoing:
    queued: Queued
    recipient: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class HeldRow:
    record_id: str
    object: str
    rule: str
    missing: list[str]
    since: datetime
    until: datetime
    why: str


class InsightsStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- the outbox --------------------------------------------------------------------------

    def queue(self, crm: str, notices: Sequence[Notice], at: datetime) -> int:
        """Queue messages; one already queued under the same key and channel stays as it is."""
        rows = [_outbox_row(crm, n, at) for n in notices]
        if not rows:
            return 0
        with self.engine.begin() as connection:
            statement = (
                _insert(connection.dialect, notification_outbox)
                .on_conflict_do_nothing(index_elements=["crm", "notice_key", "channel"])
                .returning(notification_outbox.c.id)  # rowcount is -1 for a batch on psycopg
            )
            return len(connection.execute(statement, rows).all())

    def due(self, crm: str, at: datetime, limit: int = 10_000) -> list[Outgoing]:
        c = notification_outbox.c
        query = (
            sa.select(c.id, c.owner_id, c.channel, c.payload, c.recipient, c.attempts)
            .where(c.crm == crm, c.state == QUEUED, c.next_attempt_at <= at)
            .order_by(c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [
                Outgoing(Queued(i, owner, channel, payload), recipient, attempts)
                for i, owner, channel, payload, recipient, attempts in connection.execute(query)
            ]

    def last_sent(self, crm: str, since: datetime) -> dict[tuple[str, str], datetime]:
        """When each rep last heard on each channel, within the batching window."""
        c = notification_outbox.c
        query = (
            sa.select(c.owner_id, c.channel, sa.func.max(c.sent_at))
            .where(c.crm == crm, c.state == SENT, c.sent_at >= since)
            .group_by(c.owner_id, c.channel)
        )
        with self.engine.connect() as connection:
            return {(o, ch): when for o, ch, when in connection.execute(query)}

    def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        c = notification_outbox.c
        with self.engine.begin() as connection:
            for chunk in _chunks(ids):
                connection.execute(
                    notification_outbox.update()
                    .where(c.id.in_(chunk), c.state == QUEUED)
                    .values(state=SENT, sent_at=at, attempts=c.attempts + 1, last_error=None)
                )

    def mark_failed(self, items: Sequence[Outgoing], error: str, at: datetime) -> int:
        """One more failed attempt each: tried again later, or given up (returns how many)."""
        by_attempts: dict[int, list[int]] = {}
        for item in items:
            by_attempts.setdefault(item.attempts + 1, []).append(item.queued.id)
        given_up = 0
        with self.engine.begin() as connection:
            for attempts, ids in by_attempts.items():
                again = retry_at(attempts, at)
                values = {
                    "attempts": attempts,
                    "last_error": error,
                    "state": QUEUED if again else FAILED,
                    "next_attempt_at": again,
                }
                given_up += 0 if again else len(ids)
                for chunk in _chunks(ids):
                    connection.execute(
                        notification_outbox.update()
                        .where(notification_outbox.c.id.in_(chunk))
                        .values(**values)
                    )
        return given_up

    def outbox_counts(self, crm: str | None = None) -> dict[str, int]:
        c = notification_outbox.c
        query = sa.select(c.state, sa.func.count()).group_by(c.state)
        if crm is not None:
            query = query.where(c.crm == crm)
        with self.engine.connect() as connection:
            return {state: int(n) for state, n in connection.execute(query)}

    def outbox(self, crm: str) -> list[dict[str, Any]]:
        query = (
            sa.select(notification_outbox)
            .where(notification_outbox.c.crm == crm)
            .order_by(notification_outbox.c.id)
        )
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    # --- holds ---------------------------------------------------------------------------------

    def held_since(self, crm: str, record_ids: Sequence[str]) -> dict[str, datetime]:
        """When each of these records was first held, for those held now."""
        c = held_records.c
        found: dict[str, datetime] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(record_ids):
                query = sa.select(c.record_id, c.since).where(
                    c.crm == crm, c.state == HELD, c.record_id.in_(chunk)
                )
                found.update({r: s for r, s in connection.execute(query)})
        return found

    def hold(self, crm: str, held: Sequence[tuple[str, str, HoldVerdict]]) -> None:
        """Record (record_id, object, verdict) as held; a record held before keeps its since."""
        rows = [_held_row(crm, record_id, obj, v) for record_id, obj, v in held]
        if not rows:
            return
        with self.engine.begin() as connection:
            statement = _insert(connection.dialect, held_records)
            excluded = statement.excluded
            statement = statement.on_conflict_do_update(
                index_elements=["crm", "record_id"],
                set_={
                    name: excluded[name]
                    for name in ("object", "rule", "missing", "since", "until", "state", "why")
                }
                | {"released_at": None, "release": None},
            )
            connection.execute(statement, rows)

    def release(self, crm: str, released: Mapping[str, str], at: datetime) -> int:
        """Mark held records released, each with how (filled, timeout, gone)."""
        by_how: dict[str, list[str]] = {}
        for record_id, how in released.items():
            by_how.setdefault(how, []).append(record_id)
        count = 0
        c = held_records.c
        with self.engine.begin() as connection:
            for how, ids in by_how.items():
                for chunk in _chunks(ids):
                    statement = (
                        held_records.update()
                        .where(c.crm == crm, c.state == HELD, c.record_id.in_(chunk))
                        .values(state=RELEASED, released_at=at, release=how)
                    )
                    count += int(connection.execute(statement).rowcount)
        return count

    def held(self, crm: str, limit: int | None = None) -> list[HeldRow]:
        """Records held now, the first to time out first."""
        c = held_records.c
        query = (
            sa.select(c.record_id, c.object, c.rule, c.missing, c.since, c.until, c.why)
            .where(c.crm == crm, c.state == HELD)
            .order_by(c.until, c.record_id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [HeldRow(*row) for row in connection.execute(query)]

    def held_count(self, crm: str | None = None) -> int:
        c = held_records.c
        query = sa.select(sa.func.count()).select_from(held_records).where(c.state == HELD)
        if crm is not None:
            query = query.where(c.crm == crm)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def due_holds(self, crm: str, at: datetime) -> list[str]:
        c = held_records.c
        query = (
            sa.select(c.record_id)
            .where(c.crm == crm, c.state == HELD, c.until <= at)
            .order_by(c.until)
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def holds_for(self, crm: str, record_id: str) -> dict[str, Any] | None:
        query = sa.select(held_records).where(
            held_records.c.crm == crm, held_records.c.record_id == record_id
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
            return dict(row) if row else None


def _outbox_row(crm: str, notice: Notice, at: datetime) -> dict[str, Any]:
    return {
        "crm": crm,
        "notice_key": notice.key,
        "record_id": notice.record_id,
        "object": notice.object,
        "owner_id": notice.owner_id,
        "kind": notice.kind,
        "channel": notice.channel,
        "recipient": notice.recipient,
        "payload": dict(notice.values),
        "state": QUEUED,
        "attempts": 0,
        "queued_at": at,
        "next_attempt_at": at,
    }


def _held_row(crm: str, record_id: str, obj: str, verdict: HoldVerdict) -> dict[str, Any]:
    assert verdict.since is not None and verdict.until is not None and verdict.rule is not None
    return {
        "crm": crm,
        "record_id": record_id,
        "object": obj,
        "rule": verdict.rule,
        "missing": list(verdict.missing),
        "since": verdict.since,
        "until": verdict.until,
        "state": HELD,
        "why": verdict.why,
    }


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
