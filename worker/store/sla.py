"""SLA clocks in the durable record: every clock with its outcome, so nothing is lost with
Redis and every report (time to first touch, met or breached per rep, team and tier) is SQL.

A clock is `open` until a check claims it (`firing`, with a lease), then `closed` with its
outcome. The claim is one conditional UPDATE, so two beats or a retried task fire a clock once;
a claim whose task died is taken again once its lease has run out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from routing.sla import SUPERSEDED, Clock
from worker.store.records import UtcDateTime, metadata

OPEN, FIRING, CLOSED = "open", "firing", "closed"
_CHUNK = 2000  # ids per IN (…): well under SQLite's (32,766) and PostgreSQL's limits

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

sla_clocks = sa.Table(
    "sla_clocks",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
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
    sa.Column("routed_at", UtcDateTime(), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("claimed_until", UtcDateTime()),
    sa.Column("outcome", sa.String()),
    sa.Column("first_touch_at", UtcDateTime()),
    sa.Column("closed_at", UtcDateTime()),
    sa.Column("action", sa.String()),
    sa.Column("to_owner_id", sa.String()),
    sa.Column("note", sa.Text()),
    sa.UniqueConstraint("crm", "clock_key", name="uq_sla_clocks_crm_key"),
    sa.Index("ix_sla_clocks_due", "crm", "state", "due_at"),
    sa.Index("ix_sla_clocks_record", "crm", "record_id"),
)


@dataclass(frozen=True, slots=True)
class Claim:
    """A claimed clock, as much of it as judging needs (most clocks are simply met)."""

    key: str
    record_id: str
    object: str
    owner_id: str
    started_at: datetime
    due_at: datetime


_CLAIM_COLUMNS = tuple(
    sla_clocks.c[name]
    for name in ("clock_key", "record_id", "object", "owner_id", "started_at", "due_at")
)


@dataclass(frozen=True, slots=True)
class Closing:
    """How a claimed clock ends."""

    key: str
    outcome: str
    closed_at: datetime
    first_touch_at: datetime | None = None
    action: str | None = None
    to_owner_id: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SlaCounts:
    open: int
    due_soon: int
    overdue: int
    met: int
    breached: int


@dataclass(frozen=True, slots=True)
class ReportRow:
    owner_id: str
    team: str | None
    tier: str | None
    met: int
    breached: int
    mean_minutes_to_first_touch: float | None


class SlaStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- starting ----------------------------------------------------------------------------

    def open_clocks(self, crm: str, clocks: Sequence[Clock], at: datetime) -> int:
        """Keep new clocks; an earlier open clock on the same record is superseded. Starting
        the same clock twice (a retried task) keeps one."""
        if not clocks:
            return 0
        keys = {c.key for c in clocks}
        records = list({c.record_id for c in clocks})
        with self.engine.begin() as connection:
            known: set[str] = set()
            stale: list[int] = []
            for chunk in _chunks(records):
                query = sa.select(sla_clocks.c.id, sla_clocks.c.clock_key, sla_clocks.c.state)
                query = query.where(sla_clocks.c.crm == crm, sla_clocks.c.record_id.in_(chunk))
                for row_id, key, state in connection.execute(query):
                    known.add(key)
                    if state == OPEN and key not in keys:
                        stale.append(row_id)
            for ids in _chunks(stale):
                connection.execute(
                    sla_clocks.update()
                    .where(sla_clocks.c.id.in_(ids))
                    .values(state=CLOSED, outcome=SUPERSEDED, closed_at=at)
                )
            rows = [_row(crm, c) for c in clocks if c.key not in known]
            if rows:
                connection.execute(sla_clocks.insert(), rows)
        return len(rows)

    # --- checking ----------------------------------------------------------------------------

    def due_keys(self, crm: str, at: datetime, limit: int | None = None) -> list[str]:
        """Clocks due by `at`, open or with a lapsed claim, earliest first."""
        query = (
            sa.select(sla_clocks.c.clock_key)
            .where(sla_clocks.c.crm == crm, _claimable(at), sla_clocks.c.due_at <= at)
            .order_by(sla_clocks.c.due_at, sla_clocks.c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def claim(self, crm: str, keys: Sequence[str], at: datetime, lease: timedelta) -> list[Claim]:
        """Take the clocks nobody else holds: each is returned to exactly one caller."""
        claimed: list[Claim] = []
        with self.engine.begin() as connection:
            for chunk in _chunks(keys):
                statement = (
                    sla_clocks.update()
                    .where(sla_clocks.c.crm == crm, sla_clocks.c.clock_key.in_(chunk))
                    .where(_claimable(at))
                    .values(state=FIRING, claimed_until=at + lease)
                    .returning(*_CLAIM_COLUMNS)
                )
                claimed += [Claim(*row) for row in connection.execute(statement)]
        return claimed

    def peek(self, crm: str, keys: Sequence[str], at: datetime) -> list[Claim]:
        """The clocks a claim would take, without taking them (a dry run)."""
        found: list[Claim] = []
        with self.engine.connect() as connection:
            for chunk in _chunks(keys):
                query = sa.select(*_CLAIM_COLUMNS).where(
                    sla_clocks.c.crm == crm, sla_clocks.c.clock_key.in_(chunk), _claimable(at)
                )
                found += [Claim(*row) for row in connection.execute(query)]
        return found

    def load(self, crm: str, keys: Sequence[str]) -> dict[str, Clock]:
        """Whole clocks by key: for the few a check escalates."""
        found: dict[str, Clock] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(keys):
                query = sa.select(sla_clocks).where(
                    sla_clocks.c.crm == crm, sla_clocks.c.clock_key.in_(chunk)
                )
                for row in connection.execute(query).mappings():
                    found[row["clock_key"]] = _clock(row)
        return found

    def close(self, crm: str, closings: Iterable[Closing]) -> int:
        """Close claimed clocks; closings alike (met by a status change, say) share one UPDATE."""
        alike: dict[tuple[Any, ...], list[str]] = {}
        for c in closings:
            how = (c.outcome, c.closed_at, c.first_touch_at, c.action, c.to_owner_id, c.note)
            alike.setdefault(how, []).append(c.key)
        closed = 0
        with self.engine.begin() as connection:
            for (outcome, at, touched, action, to_owner, note), keys in alike.items():
                for chunk in _chunks(keys):
                    statement = (
                        sla_clocks.update()
                        .where(sla_clocks.c.crm == crm, sla_clocks.c.clock_key.in_(chunk))
                        .where(sla_clocks.c.state == FIRING)
                        .values(
                            state=CLOSED,
                            claimed_until=None,
                            outcome=outcome,
                            closed_at=at,
                            first_touch_at=touched,
                            action=action,
                            to_owner_id=to_owner,
                            note=note,
                        )
                    )
                    closed += int(connection.execute(statement).rowcount)
        return closed

    def release(self, crm: str, keys: Sequence[str]) -> None:
        """Give claimed clocks back (not due after all, or the CRM could not be read)."""
        with self.engine.begin() as connection:
            for chunk in _chunks(keys):
                connection.execute(
                    sla_clocks.update()
                    .where(sla_clocks.c.crm == crm, sla_clocks.c.clock_key.in_(chunk))
                    .where(sla_clocks.c.state == FIRING)
                    .values(state=OPEN, claimed_until=None)
                )

    def unclosed(self, crm: str) -> Iterator[tuple[str, datetime]]:
        """(key, due) of every clock not closed: what Redis is rebuilt from."""
        query = (
            sa.select(sla_clocks.c.clock_key, sla_clocks.c.due_at)
            .where(sla_clocks.c.crm == crm, sla_clocks.c.state != CLOSED)
            .execution_options(yield_per=5000)
        )
        with self.engine.connect() as connection:
            yield from ((key, due) for key, due in connection.execute(query))

    def clocks_for(self, crm: str, record_id: str) -> list[dict[str, Any]]:
        query = (
            sa.select(sla_clocks)
            .where(sla_clocks.c.crm == crm, sla_clocks.c.record_id == record_id)
            .order_by(sla_clocks.c.id)
        )
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    # --- status and reports ------------------------------------------------------------------

    def counts(self, crm: str, at: datetime, soon: timedelta) -> SlaCounts:
        c = sla_clocks.c
        unclosed = c.state != CLOSED
        query = sa.select(
            sa.func.count().filter(unclosed),
            sa.func.count().filter(unclosed, c.due_at > at, c.due_at <= at + soon),
            sa.func.count().filter(unclosed, c.due_at <= at),
            sa.func.count().filter(c.outcome == "met"),
            sa.func.count().filter(c.outcome == "breached"),
        ).where(c.crm == crm)
        with self.engine.connect() as connection:
            row = connection.execute(query).one()
        return SlaCounts(*(int(v) for v in row))

    def upcoming(self, crm: str, at: datetime, limit: int = 20) -> list[dict[str, Any]]:
        """Unclosed clocks, overdue first, then the next to fall due."""
        query = (
            sa.select(sla_clocks)
            .where(sla_clocks.c.crm == crm, sla_clocks.c.state != CLOSED)
            .order_by(sla_clocks.c.due_at)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def report(self, crm: str) -> list[ReportRow]:
        """Met and breached per rep, team and tier, with the mean time to a timed first touch."""
        c = sla_clocks.c
        closed = sa.and_(c.crm == crm, c.outcome.in_(("met", "breached")))
        query = (
            sa.select(
                c.owner_id,
                c.team,
                c.tier,
                c.outcome,
                c.started_at,
                c.first_touch_at,
            )
            .where(closed)
            .order_by(c.owner_id)
        )
        groups: dict[tuple[str, str | None, str | None], list[Any]] = {}
        with self.engine.connect() as connection:
            for owner, team, tier, outcome, started, touched in connection.execute(query):
                group = groups.setdefault((owner, team, tier), [0, 0, []])
                group[0 if outcome == "met" else 1] += 1
                if touched is not None:
                    group[2].append((touched - started).total_seconds() / 60)
        return [
            ReportRow(owner, team, tier, met, breached, _mean(minutes))
            for (owner, team, tier), (met, breached, minutes) in sorted(
                groups.items(), key=lambda item: tuple(str(v) for v in item[0])
            )
        ]


def _claimable(at: datetime) -> Any:
    c = sla_clocks.c
    return sa.or_(c.state == OPEN, sa.and_(c.state == FIRING, c.claimed_until < at))


def _row(crm: str, clock: Clock) -> dict[str, Any]:
    return {
        "crm": crm,
        "clock_key": clock.key,
        "record_id": clock.record_id,
        "object": clock.object,
        "owner_id": clock.owner_id,
        "target": clock.target,
        "rule": clock.rule,
        "tier": clock.tier,
        "pool": clock.pool,
        "team": clock.team,
        "calendar": clock.calendar,
        "ownership": clock.ownership,
        "breaches": clock.breaches,
        "breached_owner_ids": list(clock.breached_owner_ids),
        "routed_at": clock.chain_started_at,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "state": OPEN,
    }


def _clock(row: sa.RowMapping) -> Clock:
    return Clock(
        record_id=row["record_id"],
        object=row["object"],
        owner_id=row["owner_id"],
        started_at=row["started_at"],
        due_at=row["due_at"],
        target=row["target"],
        rule=row["rule"],
        tier=row["tier"],
        pool=row["pool"],
        team=row["team"],
        calendar=row["calendar"],
        ownership=bool(row["ownership"]),
        breaches=row["breaches"],
        breached_owner_ids=tuple(row["breached_owner_ids"] or ()),
        routed_at=row["routed_at"],
    )


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None
