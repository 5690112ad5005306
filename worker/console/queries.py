"""The feed of decisions and today's counts, read straight from the store's decisions table:
newest first through the primary key (or the rule/owner/pool indexes), never the traces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from worker.console._services import decisions, parse_since

FEED_COLUMNS = (
    "id",
    "decided_at",
    "record_id",
    "object",
    "owner_id",
    "rule",
    "pool",
    "tier",
    "score",
    "reason",
    "policy_version",
    "write_status",
)
FILTERS = ("rule", "pool", "owner_id", "object")


@dataclass(frozen=True, slots=True)
class FeedFilter:
    rule: str = ""
    pool: str = ""
    owner_id: str = ""
    object: str = ""
    since: str = ""  # 1h, 2d, or an ISO date

    @classmethod
    def of(cls, params: Any) -> FeedFilter:
        return cls(**{name: str(params.get(name, "")).strip() for name in (*FILTERS, "since")})

    def conditions(self, crm: str, now: datetime) -> list[Any]:
        c = decisions.c
        found: list[Any] = [c.crm == crm]
        found += [c[name] == getattr(self, name) for name in FILTERS if getattr(self, name)]
        if self.since:
            found.append(c.decided_at >= parse_since(self.since, now))
        return found

    def query(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in (*FILTERS, "since") if getattr(self, name)}


def feed(
    engine: Engine,
    crm: str,
    wanted: FeedFilter,
    *,
    now: datetime,
    after: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The newest decisions that pass the filter (only those after `after`, for the live feed),
    newest first."""
    c = decisions.c
    query = sa.select(*(c[name] for name in FEED_COLUMNS)).where(*wanted.conditions(crm, now))
    if after is not None:
        query = query.where(c.id > after)
    query = query.order_by(c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def latest_id(engine: Engine, crm: str) -> int:
    query = sa.select(sa.func.max(decisions.c.id)).where(decisions.c.crm == crm)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one_or_none() or 0)


@dataclass(frozen=True, slots=True)
class Today:
    since: datetime
    total: int
    by_rule: list[tuple[str, int]]
    by_owner: list[tuple[str, int]]


def today(engine: Engine, crm: str, now: datetime) -> Today:
    """Decisions since midnight UTC, per rule and per owner, most first (by the decided_at
    index: only today's rows are read)."""
    c = decisions.c
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    where = (c.decided_at >= midnight, c.crm == crm)
    with engine.connect() as connection:
        by_rule = _counted(connection, c.rule, where)
        by_owner = _counted(connection, c.owner_id, where)
    return Today(midnight, sum(n for _, n in by_rule), by_rule, by_owner)


def _counted(
    connection: sa.Connection, column: Any, where: tuple[Any, ...]
) -> list[tuple[str, int]]:
    count = sa.func.count().label("n")
    query = sa.select(column, count).where(*where).group_by(column).order_by(sa.desc("n"), column)
    return [(str(key), int(n)) for key, n in connection.execute(query)]
