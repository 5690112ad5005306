"""The feed of decisions and today's counts, read straight from the store's decisions table:
newest first through the primary key (or the rule/owner/pool indexes), never the traces."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from worker.console._services import decisions, parse_since, sla_clocks

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
    """Decisions since midnight UTC, per rule and per owner, most first: one pass over
    today's entries of the covering (crm, decided_at, rule, owner_id) index. Grouped by
    expressions no index serves: SQLite would otherwise read every decision through the rule
    index to save sorting today's."""
    c = decisions.c
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rule, owner = sa.func.coalesce(c.rule, ""), sa.func.coalesce(c.owner_id, "")
    query = (
        sa.select(rule, owner, sa.func.count())
        .where(c.crm == crm, c.decided_at >= midnight)
        .group_by(rule, owner)
    )
    by_rule: Counter[str] = Counter()
    by_owner: Counter[str] = Counter()
    with engine.connect() as connection:
        for found_rule, found_owner, n in connection.execute(query):
            by_rule[str(found_rule)] += int(n)
            by_owner[str(found_owner)] += int(n)
    return Today(midnight, by_rule.total(), _most_first(by_rule), _most_first(by_owner))


def _most_first(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True, slots=True)
class Clocks:
    open: int
    due_soon: int
    overdue: int  # breached, not handled yet


_UNCLOSED = (
    "open",
    "firing",
)  # every state but CLOSED: an IN the (crm, state, due_at) index serves


def unclosed_clocks(engine: Engine, crm: str, now: datetime, soon: timedelta) -> Clocks:
    c = sla_clocks.c
    query = sa.select(
        sa.func.count(),
        sa.func.count().filter(c.due_at > now, c.due_at <= now + soon),
        sa.func.count().filter(c.due_at <= now),
    ).where(c.crm == crm, c.state.in_(_UNCLOSED))
    with engine.connect() as connection:
        found = connection.execute(query).one()
    return Clocks(*(int(n) for n in found))


def next_clocks(engine: Engine, crm: str, limit: int = 50) -> list[dict[str, Any]]:
    """Unclosed clocks, the most overdue first, then the next to fall due: one query per
    state, each read in the (crm, state, due_at) index's order, merged."""
    c = sla_clocks.c
    found: list[dict[str, Any]] = []
    with engine.connect() as connection:
        for state in _UNCLOSED:
            query = (
                sa.select(sla_clocks)
                .where(c.crm == crm, c.state == state)
                .order_by(c.due_at)
                .limit(limit)
            )
            found += [dict(row) for row in connection.execute(query).mappings()]
    return sorted(found, key=lambda clock: clock["due_at"])[:limit]
