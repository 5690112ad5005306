"""The durable record: every decision with its trace, every owner write that failed for good
(dead letters), and a copy of the watermarks — in SQL, so losing Redis loses nothing.

SQLite by default (WAL, so the worker writes while the CLI reads), PostgreSQL in production.
The schema is Alembic's (`worker/store/migrations/`); `Store.migrate()` brings a database to head.

Recording is idempotent. A decision is keyed by (crm, key, record_id), where `key` is what a
redelivered task has in common with its first delivery (the Celery task id, say). Recording
again replaces a decision whose write is still pending — the retry routed it afresh and is
about to write that — and leaves one whose write is known alone.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Engine

from connectors.base import WriteResult
from routing.model import Decision, OwnerChange
from routing.replay import Move

# write_status: what became of the owner write a decision asked for
PENDING = "pending"  # recorded before the write; settled by record_write_results
WRITTEN = "written"
FAILED = "failed"
DRY_RUN = "dry_run"
UNCHANGED = "unchanged"  # the owner was already right: nothing to write
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x1EAD_2E1A  # the PostgreSQL advisory lock that serialises migrations


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{value!r} has no time zone; pass an aware datetime (UTC)")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER only
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_CLOCK_SKEW = timedelta(minutes=5)  # a pick is recorded a little after it was counted
_IN_BATCH = 500  # ids per `IN (...)`: far below SQLite's 32,766 bound parameters
metadata = sa.MetaData()

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
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
    sa.Column("slot", sa.Integer()),  # the round-robin slot taken, for rebuilding cursors
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("trace", _JSON, nullable=False),
    sa.Column("decided_at", UtcDateTime(), nullable=False),
    sa.Column("write_status", sa.String(), nullable=False),
    sa.Column("written_at", UtcDateTime()),
    sa.Column("write_error", sa.Text()),
    sa.Column("policy_version", sa.String()),  # e.g. acme@3: the published version that decided
    sa.UniqueConstraint("crm", "decision_key", "record_id", name="uq_decisions_crm_key_record"),
    sa.Index("ix_decisions_record_id", "record_id"),
    sa.Index("ix_decisions_pool_slot", "pool", "id"),
    # the console's feed, newest first by rule or by owner, and its counts of today (covering)
    sa.Index("ix_decisions_rule_id", "rule", "id"),
    sa.Index("ix_decisions_owner_id", "owner_id", "id"),
    sa.Index("ix_decisions_crm_day", "crm", "decided_at", "rule", "owner_id"),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("crm", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("object", sa.String(), nullable=False),
    sa.Column("owner_id", sa.String(), nullable=False),
    sa.Column("previous_owner_id", sa.String()),
    sa.Column("error", sa.Text(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("first_failed_at", UtcDateTime(), nullable=False),
    sa.Column("last_failed_at", UtcDateTime(), nullable=False),
    sa.Column("resolved_at", UtcDateTime()),
)
# one open dead letter per record: a new failure updates it instead of piling up
_OPEN = dead_letters.c.resolved_at.is_(None)
sa.Index(
    "uq_dead_letters_open",
    dead_letters.c.crm,
    dead_letters.c.record_id,
    unique=True,
    sqlite_where=_OPEN,
    postgresql_where=_OPEN,
)

watermarks = sa.Table(
    "watermarks",
    metadata,
    sa.Column("crm", sa.String(), primary_key=True),
    sa.Column("object", sa.String(), primary_key=True),
    sa.Column("watermark", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)


# every backfill move with its reason: one row per (crm, run, record), so a resumed run
# records again what it wrote before a crash without doubling it
moves = sa.Table(
    "moves",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("crm", sa.String(), nullable=False),
    sa.Column("run_id", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("object", sa.String(), nullable=False),
    sa.Column("from_owner_id", sa.String()),
    sa.Column("to_owner_id", sa.String(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),  # written, failed
    sa.Column("error", sa.Text()),
    sa.Column("moved_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("crm", "run_id", "record_id", name="uq_moves_crm_run_record"),
    sa.Index("ix_moves_record_id", "record_id"),
)


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    id: int
    crm: str
    key: str
    decision: Decision
    decided_at: datetime
    write_status: str
    written_at: datetime | None
    write_error: str | None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    crm: str
    record_id: str
    object: str
    owner_id: str
    previous_owner_id: str | None
    error: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None

    def owner_change(self) -> OwnerChange:
        return OwnerChange(self.record_id, self.object, self.owner_id, self.previous_owner_id)


@dataclass(frozen=True, slots=True)
class MoveRow:
    crm: str
    run_id: str
    record_id: str
    object: str
    from_owner_id: str | None
    to_owner_id: str
    reason: str
    status: str
    error: str | None
    moved_at: datetime


@dataclass(frozen=True, slots=True)
class StoreCounts:
    decisions: int
    by_write_status: dict[str, int]
    open_dead_letters: int
    last_decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class WaitingRow:
    """A record the policy holds: its pool at cap (`at_cap: hold`) or nobody on shift
    (`off_shift: wait`); the sweep routes it again when `until` comes."""

    record_id: str
    pool: str | None
    waiting_for: str  # "a shift" or "a cap window"
    until: datetime
    since: datetime  # the decision that last said wait
    why: str


# a cap's calendar window is a month at most, a wait for a shift three weeks
WAITING_LOOKBACK = timedelta(days=32)


class Store:
    def __init__(self, url: str) -> None:
        self.engine = _engine(url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to run on every start."""
        from alembic import command

        config = alembic_config()
        # worker and beat may start together: one migrates, the other then finds it done
        with _sqlite_file_lock(self.engine.url), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    # --- decisions -------------------------------------------------------------------------

    def record_decisions(
        self,
        crm: str,
        decided: Sequence[Decision],
        write_results: Iterable[WriteResult] = (),
        *,
        key: str | None = None,
        decided_at: datetime | None = None,
        dry_run: bool = False,
    ) -> None:
        """Record a batch of decisions with what became of their writes, if known yet.

        `key`: the same for a redelivery of the same work (the task id); default the
        decision time, which makes every call new."""
        if not decided:
            return
        when = decided_at or datetime.now(UTC)
        results = {r.record_id: r for r in write_results}
        rows = [
            _decision_row(crm, key or when.isoformat(), d, when, results.get(d.record_id), dry_run)
            for d in decided
        ]
        with self.engine.begin() as connection:
            connection.execute(_upsert_pending_decision(connection.dialect), rows)

    def record_write_results(
        self, crm: str, key: str, write_results: Iterable[WriteResult]
    ) -> None:
        """Settle decisions recorded as pending before their owners were written."""
        now = datetime.now(UTC)
        rows = [{"b_record_id": r.record_id, **_settled(r, now)} for r in write_results]
        if not rows:
            return
        statement = (
            decisions.update()
            .where(decisions.c.crm == crm)
            .where(decisions.c.decision_key == key)
            .where(decisions.c.record_id == sa.bindparam("b_record_id"))
            .where(decisions.c.write_status == PENDING)
        )
        with self.engine.begin() as connection:
            connection.execute(statement, rows)

    def decisions_for(self, record_id: str, crm: str | None = None) -> list[RecordedDecision]:
        """Every decision recorded for a record, oldest first."""
        query = sa.select(decisions).where(decisions.c.record_id == record_id)
        if crm is not None:
            query = query.where(decisions.c.crm == crm)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(decisions.c.id)).mappings()
            return [_recorded(row) for row in rows]

    def latest_decisions(self, crm: str, record_ids: Iterable[str]) -> dict[str, RecordedDecision]:
        """The newest decision recorded for each of these records, by record id."""
        wanted = list(dict.fromkeys(record_ids))
        latest: dict[str, RecordedDecision] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), _IN_BATCH):
                query = (
                    sa.select(decisions)
                    .where(decisions.c.crm == crm)
                    .where(decisions.c.record_id.in_(wanted[start : start + _IN_BATCH]))
                    .order_by(decisions.c.id)
                )
                for row in connection.execute(query).mappings():
                    latest[row["record_id"]] = _recorded(row)
        return latest

    def last_slots_by_pool(self, crm: str | None = None) -> dict[str, int]:
        """The round-robin slot of each pool's latest pick: where `RedisState.rebuild` resumes
        the rotation."""
        latest = sa.select(sa.func.max(decisions.c.id)).where(decisions.c.slot.is_not(None))
        if crm is not None:
            latest = latest.where(decisions.c.crm == crm)
        latest = latest.group_by(decisions.c.pool)
        query = sa.select(decisions.c.pool, decisions.c.slot).where(decisions.c.id.in_(latest))
        with self.engine.connect() as connection:
            return {pool: slot for pool, slot in connection.execute(query)}

    def pool_picks_since(self, crm: str, since: datetime) -> list[tuple[str, str, datetime]]:
        """(pool, owner, when) of every pick counted toward a cap over time since `since`:
        what `RedisState.rebuild` restores the caps' counters from."""
        query = (
            sa.select(decisions.c.pool, decisions.c.owner_id, decisions.c.trace)
            .where(decisions.c.crm == crm)
            .where(decisions.c.pool.is_not(None))
            .where(decisions.c.decided_at >= since - _CLOCK_SKEW)
            .order_by(decisions.c.id)
        )
        picks = []
        with self.engine.connect() as connection:
            for pool, owner_id, trace in connection.execute(query):
                when = _counted_at(pool, trace)
                if when is not None and when >= since:
                    picks.append((pool, owner_id, when))
        return picks

    # --- dead letters ----------------------------------------------------------------------

    def dead_letter(
        self, crm: str, change: OwnerChange, error: str, *, failed_at: datetime | None = None
    ) -> int:
        """Keep a write that failed for good; a record already open gets one more attempt."""
        when = failed_at or datetime.now(UTC)
        with self.engine.begin() as connection:
            statement = _upsert_open_dead_letter(connection.dialect, crm, change, error, when)
            return int(connection.execute(statement).scalar_one())

    def dead_letter_failures(
        self, crm: str, changes: Sequence[OwnerChange], write_results: Sequence[WriteResult]
    ) -> list[int]:
        """Dead-letter every change whose write failed (results in the order of changes)."""
        return [
            self.dead_letter(crm, change, result.error or "the CRM refused the write")
            for change, result in zip(changes, write_results, strict=True)
            if not result.ok
        ]

    def open_dead_letters(self, crm: str | None = None) -> list[DeadLetter]:
        query = sa.select(dead_letters).where(_OPEN)
        if crm is not None:
            query = query.where(dead_letters.c.crm == crm)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(dead_letters.c.id)).mappings()
            return [DeadLetter(**row) for row in rows]

    def resolve_dead_letter(self, dead_letter_id: int, when: datetime | None = None) -> bool:
        """Mark it resolved; False if it was not open."""
        statement = (
            dead_letters.update()
            .where(dead_letters.c.id == dead_letter_id)
            .where(_OPEN)
            .values(resolved_at=when or datetime.now(UTC))
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def note_failed_attempt(
        self, dead_letter_id: int, error: str, when: datetime | None = None
    ) -> None:
        statement = (
            dead_letters.update()
            .where(dead_letters.c.id == dead_letter_id)
            .values(
                attempts=dead_letters.c.attempts + 1,
                error=error,
                last_failed_at=when or datetime.now(UTC),
            )
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    # --- watermarks --------------------------------------------------------------------------

    def save_watermark(self, crm: str, object: str, when: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(_upsert_watermark(connection.dialect, crm, object, when))

    def watermark(self, crm: str, object: str) -> datetime | None:
        query = sa.select(watermarks.c.watermark).where(
            watermarks.c.crm == crm, watermarks.c.object == object
        )
        with self.engine.connect() as connection:
            found: datetime | None = connection.execute(query).scalar_one_or_none()
            return found

    def watermarks(self, crm: str | None = None) -> dict[tuple[str, str], datetime]:
        query = sa.select(watermarks.c.crm, watermarks.c.object, watermarks.c.watermark)
        if crm is not None:
            query = query.where(watermarks.c.crm == crm)
        with self.engine.connect() as connection:
            return {(c, o): w for c, o, w in connection.execute(query)}

    # --- backfill moves -----------------------------------------------------------------------

    def record_moves(
        self, crm: str, run_id: str, moved: Sequence[Move], write_results: Sequence[WriteResult]
    ) -> None:
        """One row per move with what became of its write (results in the order of moves)."""
        when = datetime.now(UTC)
        rows = [
            _move_row(crm, run_id, move, result, when)
            for move, result in zip(moved, write_results, strict=True)
        ]
        if not rows:
            return
        with self.engine.begin() as connection:
            statement = _insert(connection.dialect, moves)
            statement = statement.on_conflict_do_update(
                index_elements=["crm", "run_id", "record_id"],
                set_={n: statement.excluded[n] for n in ("status", "error", "moved_at")},
            )
            connection.execute(statement, rows)

    def moves_for(self, record_id: str | None = None, crm: str | None = None) -> list[MoveRow]:
        """Recorded moves, oldest first: of one record, or all of them."""
        query = sa.select(moves)
        if record_id is not None:
            query = query.where(moves.c.record_id == record_id)
        if crm is not None:
            query = query.where(moves.c.crm == crm)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(moves.c.id)).mappings()
            return [MoveRow(**{k: v for k, v in row.items() if k != "id"}) for row in rows]

    # --- status ------------------------------------------------------------------------------

    def waiting(self, crm: str, now: datetime, limit: int = 20) -> tuple[int, list[WaitingRow]]:
        """The records whose latest decision is to wait (for a shift or a cap window), the
        soonest first, and how many there are."""
        d = decisions.c
        latest = (
            sa.select(sa.func.max(d.id).label("id"))
            .where(d.crm == crm, d.decided_at >= now - WAITING_LOOKBACK)
            .group_by(d.record_id)
            .subquery()
        )
        waiting = d.trace["waiting"]
        until = waiting["until"].as_string()
        query = (
            sa.select(
                d.record_id,
                d.pool,
                waiting["for"].as_string(),
                until,
                d.decided_at,
                waiting["why"].as_string(),
            )  # fmt: skip
            .join(latest, latest.c.id == d.id)
            .where(until.is_not(None))
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        found = sorted(
            (WaitingRow(r[0], r[1], r[2] or "a cap window", _instant(r[3]), r[4], r[5] or "")
             for r in rows),
            key=lambda w: (w.until, w.record_id),
        )  # fmt: skip
        return len(found), found[:limit]

    def counts(self, crm: str | None = None) -> StoreCounts:
        by_status = sa.select(
            decisions.c.write_status, sa.func.count(), sa.func.max(decisions.c.decided_at)
        )
        open_letters = sa.select(sa.func.count()).select_from(dead_letters).where(_OPEN)
        if crm is not None:
            by_status = by_status.where(decisions.c.crm == crm)
            open_letters = open_letters.where(dead_letters.c.crm == crm)
        with self.engine.connect() as connection:
            rows = connection.execute(by_status.group_by(decisions.c.write_status)).all()
            open_count = connection.execute(open_letters).scalar_one()
        statuses = {status: count for status, count, _ in rows}
        last = max((when for _, _, when in rows if when is not None), default=None)
        return StoreCounts(sum(statuses.values()), statuses, open_count, last)


# --- statements ------------------------------------------------------------------------------


def _insert(dialect: Dialect, table: sa.Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (both SQLite and PostgreSQL do)."""
    if dialect.name == "postgresql":
        return postgresql.insert(table)
    if dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {dialect.name}")


def _upsert_pending_decision(dialect: Dialect) -> Any:
    statement = _insert(dialect, decisions)
    replaceable = [c.name for c in decisions.columns if c.name not in ("id", *_DECISION_KEY)]
    return statement.on_conflict_do_update(
        index_elements=list(_DECISION_KEY),
        set_={name: statement.excluded[name] for name in replaceable},
        where=decisions.c.write_status == PENDING,
    )


_DECISION_KEY = ("crm", "decision_key", "record_id")


def _upsert_open_dead_letter(
    dialect: Dialect, crm: str, change: OwnerChange, error: str, when: datetime
) -> Any:
    statement = _insert(dialect, dead_letters).values(
        crm=crm,
        record_id=change.record_id,
        object=change.object,
        owner_id=change.owner_id,
        previous_owner_id=change.previous_owner_id,
        error=error,
        attempts=1,
        first_failed_at=when,
        last_failed_at=when,
    )
    return statement.on_conflict_do_update(
        index_elements=["crm", "record_id"],
        index_where=_OPEN,
        set_={
            "owner_id": statement.excluded.owner_id,
            "object": statement.excluded.object,
            "error": statement.excluded.error,
            "last_failed_at": statement.excluded.last_failed_at,
            "attempts": dead_letters.c.attempts + 1,
        },
    ).returning(dead_letters.c.id)


def _upsert_watermark(dialect: Dialect, crm: str, object: str, when: datetime) -> Any:
    statement = _insert(dialect, watermarks).values(
        crm=crm, object=object, watermark=when, updated_at=datetime.now(UTC)
    )
    return statement.on_conflict_do_update(
        index_elements=["crm", "object"],
        set_={
            "watermark": statement.excluded.watermark,
            "updated_at": statement.excluded.updated_at,
        },
    )


# --- rows ------------------------------------------------------------------------------------


def _decision_row(
    crm: str,
    key: str,
    decision: Decision,
    when: datetime,
    result: WriteResult | None,
    dry_run: bool,
) -> dict[str, Any]:
    return {
        "crm": crm,
        "decision_key": key,
        **{name: getattr(decision, name) for name in _DECISION_FIELDS},
        "trace": dict(decision.trace),
        "slot": taken_slot(decision),
        "decided_at": when,
        **_write_columns(decision, result, when, dry_run),
    }


_DECISION_FIELDS = (
    "record_id",
    "object",
    "owner_id",
    "previous_owner_id",
    "account_id",
    "match_method",
    "rule",
    "score",
    "tier",
    "pool",
    "reason",
    "policy_version",
)


def _write_columns(
    decision: Decision, result: WriteResult | None, when: datetime, dry_run: bool
) -> dict[str, Any]:
    if decision.owner_id == decision.previous_owner_id:
        status = UNCHANGED
    elif dry_run:
        status = DRY_RUN
    elif result is None:
        status = PENDING
    else:
        return _settled(result, when)
    return {"write_status": status, "written_at": None, "write_error": None}


def _settled(result: WriteResult, when: datetime) -> dict[str, Any]:
    if result.ok:
        return {"write_status": WRITTEN, "written_at": when, "write_error": None}
    return {"write_status": FAILED, "written_at": None, "write_error": result.error}


def _move_row(
    crm: str, run_id: str, move: Move, result: WriteResult, when: datetime
) -> dict[str, Any]:
    return {
        "crm": crm,
        "run_id": run_id,
        **move.to_json(),
        "status": WRITTEN if result.ok else FAILED,
        "error": None if result.ok else result.error,
        "moved_at": when,
    }


def taken_slot(decision: Decision) -> int | None:
    """The round-robin slot the decision's pool pick took, from the rule that applied."""
    detail = _pick_detail(decision.pool, decision.trace)
    if detail is not None and isinstance(detail.get("slot"), int):
        return int(detail["slot"])
    return None


def _counted_at(pool: str, trace: Mapping[str, Any]) -> datetime | None:
    """When the pick counted toward its pool's caps over time (None: it did not)."""
    detail = _pick_detail(pool, trace)
    stamp = detail.get("counted_at") if detail is not None else None
    return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None


def _pick_detail(pool: str | None, trace: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pool pick of the rule that applied, from the decision's trace."""
    if pool is None:
        return None
    for entry in trace.get("rules", ()):
        detail = entry.get("pool") if isinstance(entry, Mapping) else None
        if entry.get("applied") and isinstance(detail, Mapping) and detail.get("pool") == pool:
            return detail
    return None


def _recorded(row: sa.RowMapping) -> RecordedDecision:
    decision = Decision(**{name: row[name] for name in _DECISION_FIELDS}, trace=row["trace"])
    return RecordedDecision(
        id=row["id"],
        crm=row["crm"],
        key=row["decision_key"],
        decision=decision,
        decided_at=row["decided_at"],
        write_status=row["write_status"],
        written_at=row["written_at"],
        write_error=row["write_error"],
    )


# --- the engine ----------------------------------------------------------------------------------


def _engine(url: str) -> Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return sa.create_engine(parsed, json_serializer=_json_dumps, pool_pre_ping=True)


def _sqlite_engine(url: sa.URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, json_serializer=_json_dumps)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the worker's writes
        cursor.execute("PRAGMA busy_timeout=30000")  # several worker processes share the file
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


@contextmanager
def _sqlite_file_lock(url: sa.URL) -> Iterator[None]:
    """An exclusive lock beside a SQLite file (nothing for other databases)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    with open(f"{Path(url.database).expanduser()}.migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _json_dumps(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def alembic_config() -> Any:
    """Alembic's configuration from the ini shipped inside the package (no working directory
    or repository checkout needed)."""
    from alembic.config import Config

    return Config(str(MIGRATIONS / "alembic.ini"))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
