"""`leadrelay report`: what routing did, from the durable record — speed to lead, SLAs met and
breached, fairness per pool, reassignments and escalations, conversion, and what fell to the
fallback owner or the dead letters.

Every figure is an aggregate computed by the database (GROUP BY, window functions for the
percentiles), so a report over millions of decisions moves only its answers into Python. With
a CRM snapshot, its leads and opportunities go into a temporary table and are joined in SQL.

Speed to lead is measured per SLA clock that was touched: from the moment the record was
first routed (`routed_at`, the chain's start) to the first touch, credited to the owner who
touched it. Conversion reads each record's latest decision.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from routing.model import CrmSnapshot
from routing.policy import MANAGER, REASSIGN, RoutingPolicy
from routing.replay import fair_shares, gini
from worker.reports.people import name_people, routing_owners
from worker.store.records import WRITTEN, dead_letters, decisions, moves
from worker.store.sla import sla_clocks

FALLBACK_RULE = "fallback"
TTFT_BUCKETS = ((5, "< 5 min"), (15, "5–15 min"), (60, "15–60 min"), (240, "1–4 h"),
                (1440, "4–24 h"))  # fmt: skip
OVER = "> 24 h"
_CHUNK = 5000


@dataclass
class ReportTable:
    name: str  # also the CSV file's name
    title: str
    columns: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Report:
    since: datetime | None
    until: datetime
    crm: str | None
    headline: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, ReportTable] = field(default_factory=dict)

    def add(self, table: ReportTable) -> None:
        self.tables[table.name] = table


def build_report(
    engine: Engine,
    *,
    since: datetime | None,
    until: datetime,
    crm: str | None = None,
    snapshot: CrmSnapshot | None = None,
    policy: RoutingPolicy | None = None,
) -> Report:
    """`policy` (with `snapshot`, its users): each pool member's share against the share their
    weight and hours on shift in the window entitle them to."""
    report = Report(since, until, crm)
    scope = _Scope(since, until, crm)
    with engine.connect() as connection:
        _decision_figures(connection, scope, report)
        _speed_to_lead(connection, scope, report)
        _sla_outcomes(connection, scope, report)
        per_pool = _fairness(connection, scope, report)
        if policy is not None and snapshot is not None:
            _fair_shares(connection, scope, report, per_pool, policy, snapshot)
        _reassigned_and_escalated(connection, scope, report)
        _fallbacks_and_dead_letters(connection, scope, report)
        if snapshot is not None:
            _load_crm(connection, snapshot)
            _speed_by_source(connection, report)
            _conversion(connection, scope, report)
        routers = routing_owners(connection, scope.decisions())
    name_people(report, snapshot, routers)
    return report


@dataclass(frozen=True, slots=True)
class _Scope:
    since: datetime | None
    until: datetime
    crm: str | None

    def decisions(self) -> list[Any]:
        return self._window(decisions.c.decided_at, decisions.c.crm)

    def clocks(self) -> list[Any]:
        return self._window(sla_clocks.c.routed_at, sla_clocks.c.crm)

    def _window(self, when: Any, crm: Any) -> list[Any]:
        """Without a start, no bound on time at all: the report reads whole tables, and on
        SQLite an index range over most of a table is slower than reading it."""
        conditions = []
        if self.since is not None:
            conditions += [when >= self.since, when < self.until]
        if self.crm is not None:
            conditions.append(_no_index(crm) == self.crm)
        return conditions


# --- decisions --------------------------------------------------------------------------------


def _decision_figures(connection: Connection, scope: _Scope, report: Report) -> None:
    d = decisions.c
    totals = connection.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(sa.distinct(d.record_id)),
            sa.func.count().filter(d.rule == FALLBACK_RULE),
        ).where(*scope.decisions())
    ).one()
    count, records, fallback = (int(v or 0) for v in totals)
    report.headline.update(decisions=count, records=records, fallback=fallback)
    report.headline["fallback_share"] = _share(fallback, count)
    by_rule = connection.execute(
        sa.select(d.rule, sa.func.count().label("n"))
        .where(*scope.decisions())
        .group_by(d.rule)
        .order_by(sa.desc("n"), d.rule)
    ).all()
    report.add(
        ReportTable(
            "decisions_by_rule",
            "Decisions by rule",
            ["rule", "decisions", "share"],
            [(rule, n, _share(n, count)) for rule, n in by_rule],
        )
    )


# --- speed to lead ----------------------------------------------------------------------------


def _touch_minutes(connection: Connection) -> Any:
    c = sla_clocks.c
    if connection.dialect.name == "sqlite":
        return (sa.func.julianday(c.first_touch_at) - sa.func.julianday(c.routed_at)) * 1440.0
    return sa.extract("epoch", c.first_touch_at - c.routed_at) / 60.0


_temp_meta = sa.MetaData()
touches = sa.Table(
    "report_touches",
    _temp_meta,
    sa.Column("owner_id", sa.String()),
    sa.Column("team", sa.String()),
    sa.Column("tier", sa.String()),
    sa.Column("record_id", sa.String()),
    sa.Column("minutes", sa.Float()),
    prefixes=["TEMPORARY"],
)


def _load_touches(connection: Connection, scope: _Scope) -> None:
    """Every touched clock of the window with its minutes, computed once into a narrow
    temporary table that each grouping then sorts."""
    c = sla_clocks.c
    _create(connection, touches)
    touched = sa.select(c.owner_id, c.team, c.tier, c.record_id, _touch_minutes(connection)).where(
        *scope.clocks(), c.first_touch_at.is_not(None)
    )
    connection.execute(
        touches.insert().from_select(["owner_id", "team", "tier", "record_id", "minutes"], touched)
    )


def _create(connection: Connection, table: sa.Table) -> None:
    table.drop(connection, checkfirst=True)
    table.create(connection)


def _speed_to_lead(connection: Connection, scope: _Scope, report: Report) -> None:
    _load_touches(connection, scope)
    bucket = _bucket(touches.c.minutes)
    counted = sa.select(bucket, sa.func.count()).group_by(bucket)
    histogram: dict[str, int] = {label: int(n) for label, n in connection.execute(counted)}
    labels = [label for _, label in TTFT_BUCKETS] + [OVER]
    report.add(
        ReportTable(
            "speed_to_lead_distribution",
            "Time to first touch: distribution",
            ["bucket", "touched"],
            [(label, int(histogram.get(label, 0))) for label in labels],
        )
    )
    overall = _percentiles(connection, touches, ())
    report.headline["touched"] = overall[0][1] if overall else 0
    report.headline["median_minutes_to_first_touch"] = overall[0][3] if overall else None
    report.headline["p90_minutes_to_first_touch"] = overall[0][4] if overall else None
    t = touches.c
    for name, column in (("rep", t.owner_id), ("team", t.team), ("tier", t.tier)):
        report.add(
            ReportTable(
                f"speed_to_lead_by_{name}",
                f"Time to first touch by {name} (minutes)",
                [name, "touched", "mean", "median", "p90"],
                _percentiles(connection, touches, (column,)),
            )
        )


def _percentiles(
    connection: Connection, source: Any, keys: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    """(group, count, mean, median, p90) per group of `source` (with a `minutes` column):
    nearest-rank percentiles by window functions, which SQLite and PostgreSQL both have
    (SQLite has no percentile_cont)."""
    partition = list(keys) or None
    ranked = sa.select(
        *keys,
        source.c.minutes,
        sa.func.row_number().over(partition_by=partition, order_by=source.c.minutes).label("rn"),
        sa.func.count().over(partition_by=partition).label("n"),
    ).subquery()
    rk = [ranked.c[k.name] for k in keys]
    n = ranked.c.n
    query = (
        sa.select(
            *rk,
            sa.func.max(n),
            sa.func.avg(ranked.c.minutes),
            # nearest rank in integer arithmetic: SQLite may lack floor() and ceil()
            sa.func.max(sa.case((ranked.c.rn == (n + 1) // 2, ranked.c.minutes))),
            sa.func.max(sa.case((ranked.c.rn == (9 * n + 9) // 10, ranked.c.minutes))),
        )
        .group_by(*rk)
        .order_by(*rk)
    )
    if not rk:
        query = query.having(sa.func.count() > 0)
    return [
        (
            *(row[: len(rk)] if rk else ("all",)),
            int(row[len(rk)]),
            *(_round(v) for v in row[len(rk) + 1 :]),
        )
        for row in connection.execute(query)
    ]


def _bucket(minutes: Any) -> Any:
    return sa.case(*((minutes < bound, label) for bound, label in TTFT_BUCKETS), else_=OVER)


# --- SLA outcomes -----------------------------------------------------------------------------


def _sla_outcomes(connection: Connection, scope: _Scope, report: Report) -> None:
    c = sla_clocks.c
    met = sa.func.count().filter(c.outcome == "met")
    breached = sa.func.count().filter(c.outcome == "breached")
    where = [*scope.clocks(), c.outcome.in_(("met", "breached"))]
    total_met, total_breached = connection.execute(sa.select(met, breached).where(*where)).one()
    report.headline.update(sla_met=int(total_met), sla_breached=int(total_breached))
    report.headline["sla_met_share"] = _share(total_met, total_met + total_breached)
    for name, column in (("rep", c.owner_id), ("team", c.team), ("tier", c.tier)):
        rows = connection.execute(
            sa.select(column, met, breached).where(*where).group_by(column).order_by(column)
        ).all()
        report.add(
            ReportTable(
                f"sla_by_{name}",
                f"SLA met and breached by {name}",
                [name, "met", "breached", "met share"],
                [(key, int(m), int(b), _share(m, m + b)) for key, m, b in rows],
            )
        )


# --- fairness ---------------------------------------------------------------------------------


def _fairness(
    connection: Connection, scope: _Scope, report: Report
) -> dict[str, list[tuple[str, int]]]:
    d = decisions.c
    pool = _no_index(d.pool).label("pool")
    rows = connection.execute(
        sa.select(pool, d.owner_id, sa.func.count())
        .where(*scope.decisions(), pool != "")
        .group_by(pool, d.owner_id)
    ).all()
    per_pool: dict[str, list[tuple[str, int]]] = {}
    for name, owner, count in sorted(rows):
        per_pool.setdefault(name, []).append((owner, int(count)))
    totals = {name: sum(n for _, n in counts) for name, counts in per_pool.items()}
    report.add(
        ReportTable(
            "fairness_by_pool",
            "Distribution fairness per pool",
            ["pool", "members assigned", "leads", "fewest", "most", "busiest share", "gini"],
            [_pool_fairness(pool, counts) for pool, counts in sorted(per_pool.items())],
        )
    )
    report.add(
        ReportTable(
            "leads_by_pool_member",
            "Leads per pool member",
            ["pool", "owner", "leads", "share of pool"],
            [
                (name, owner, n, _share(n, totals[name]))
                for name, counts in sorted(per_pool.items())
                for owner, n in counts
            ],
        )
    )
    return per_pool


def _fair_shares(
    connection: Connection,
    scope: _Scope,
    report: Report,
    per_pool: Mapping[str, Sequence[tuple[str, int]]],
    policy: RoutingPolicy,
    snapshot: CrmSnapshot,
) -> None:
    start = (
        scope.since
        or connection.execute(
            sa.select(sa.func.min(decisions.c.decided_at)).where(*scope.decisions())
        ).scalar()
    )
    given = {pool: dict(counts) for pool, counts in per_pool.items()}
    if start is None:  # no decision at all
        start = scope.until
    shares = fair_shares(policy, snapshot.users, given, _aware(start), scope.until)
    report.add(
        ReportTable(
            "fair_share_by_member",
            "Each pool member's share against their weighted share while on shift",
            [
                "pool",
                "member",
                "leads",
                "share",
                "weight",
                "on shift",
                "weighted share while on shift",
                "share ÷ due",
                "in words",
            ],  # fmt: skip
            [
                (
                    s.pool,
                    s.name,
                    s.leads,
                    _fraction(s.share),
                    s.weight,
                    _fraction(s.on_shift),
                    _fraction(s.fair_share),
                    _fraction(s.ratio),
                    s.describe(),
                )  # fmt: skip
                for s in shares
            ],
        )
    )


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _pool_fairness(pool: str, counts: Sequence[tuple[str, int]]) -> tuple[Any, ...]:
    values = [n for _, n in counts]
    total = sum(values)
    return (pool, len(values), total, min(values), max(values), _share(max(values), total),
            round(gini(values), 4))  # fmt: skip


# --- reassigned and escalated -----------------------------------------------------------------


def _reassigned_and_escalated(connection: Connection, scope: _Scope, report: Report) -> None:
    c, m = sla_clocks.c, moves.c
    escalated = sa.select(c.crm, c.record_id).where(*scope.clocks(), c.outcome == "breached")
    by_sla = escalated.where(c.action.in_((REASSIGN, MANAGER)))
    moved = sa.select(m.crm, m.record_id).where(m.status == WRITTEN, *_scope_moves(scope))
    count = {
        name: int(
            connection.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
        )
        for name, q in (
            ("escalated", escalated.distinct()),
            ("reassigned_by_sla", by_sla.distinct()),
            ("moved_by_backfill", moved.distinct()),
            ("reassigned", sa.union(by_sla, moved)),
        )
    }
    records = report.headline["records"]
    report.headline.update({f"{k}_records": v for k, v in count.items()})
    report.headline["escalated_share"] = _share(count["escalated"], records)
    report.headline["reassigned_share"] = _share(count["reassigned"], records)
    report.add(
        ReportTable(
            "reassigned_and_escalated",
            "Records reassigned and escalated",
            ["what", "records", "share of routed records"],
            [(k.replace("_", " "), v, _share(v, records)) for k, v in count.items()],
        )
    )


def _scope_moves(scope: _Scope) -> list[Any]:
    m = moves.c
    conditions = []
    if scope.since is not None:
        conditions += [m.moved_at >= scope.since, m.moved_at < scope.until]
    if scope.crm is not None:
        conditions.append(m.crm == scope.crm)
    return conditions


# --- fallback and dead letters ------------------------------------------------------------------


def _fallbacks_and_dead_letters(connection: Connection, scope: _Scope, report: Report) -> None:
    d, dl = decisions.c, dead_letters.c
    fallbacks = connection.execute(
        sa.select(d.owner_id, sa.func.count().label("n"))
        .where(*scope.decisions(), d.rule == FALLBACK_RULE)
        .group_by(d.owner_id)
        .order_by(sa.desc("n"))
    ).all()
    report.add(
        ReportTable(
            "fallbacks",
            "Records that fell to the fallback owner",
            ["owner", "records"],
            [(o, int(n)) for o, n in fallbacks],
        )
    )
    where = []
    if scope.since is not None:
        where += [dl.last_failed_at >= scope.since, dl.last_failed_at < scope.until]
    if scope.crm is not None:
        where.append(dl.crm == scope.crm)
    is_open = dl.resolved_at.is_(None)
    letters = connection.execute(
        sa.select(dl.error, sa.func.count().filter(is_open), sa.func.count().filter(~is_open))
        .where(*where)
        .group_by(dl.error)
        .order_by(sa.desc(sa.func.count()))
    ).all()
    report.headline["dead_letters_open"] = sum(int(o) for _, o, _ in letters)
    report.headline["dead_letters_resolved"] = sum(int(r) for _, _, r in letters)
    report.add(
        ReportTable(
            "dead_letters",
            "Owner writes that failed for good (dead letters)",
            ["error", "open", "resolved"],
            [(e, int(o), int(r)) for e, o, r in letters],
        )
    )


# --- with the CRM: source and conversion --------------------------------------------------------

crm_leads = sa.Table(
    "report_crm_leads",
    _temp_meta,
    sa.Column("record_id", sa.String(), primary_key=True),
    sa.Column("source", sa.String()),
    sa.Column("converted", sa.Boolean(), nullable=False),
    sa.Column("opportunity", sa.Boolean(), nullable=False),
    sa.Column("won", sa.Boolean(), nullable=False),
    prefixes=["TEMPORARY"],
)


def _load_crm(connection: Connection, snapshot: CrmSnapshot) -> None:
    """The export's leads, one narrow row each, sent through the driver's executemany (the
    ORM-free path: a million rows in seconds)."""
    won = {o.id for o in snapshot.opportunities if o.is_won}
    opportunities = {o.id for o in snapshot.opportunities}
    _create(connection, crm_leads)
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    insert = (
        "INSERT INTO report_crm_leads (record_id, source, converted, opportunity, won) "
        f"VALUES ({', '.join([mark] * 5)})"
    )
    rows = (
        (
            lead.id,
            lead.lead_source or "(none)",
            lead.is_converted,
            _converted_to(lead.fields) in opportunities,
            _converted_to(lead.fields) in won,
        )
        for lead in snapshot.leads
    )
    for chunk in _chunked(rows):
        connection.exec_driver_sql(insert, chunk)


def _converted_to(fields: Any) -> str | None:
    value = fields.get("ConvertedOpportunityId")
    return str(value) if value else None


def _speed_by_source(connection: Connection, report: Report) -> None:
    touched = (
        sa.select(crm_leads.c.source, touches.c.minutes)
        .join_from(touches, crm_leads, crm_leads.c.record_id == touches.c.record_id)
        .subquery()
    )
    report.add(
        ReportTable(
            "speed_to_lead_by_source",
            "Time to first touch by lead source (minutes)",
            ["source", "touched", "mean", "median", "p90"],
            _percentiles(connection, touched, (touched.c.source,)),
        )
    )


outcomes = sa.Table(
    "report_outcomes",
    _temp_meta,
    sa.Column("rule", sa.String()),
    sa.Column("territory", sa.String()),
    sa.Column("rep", sa.String()),
    sa.Column("converted", sa.Boolean()),
    sa.Column("opportunity", sa.Boolean()),
    sa.Column("won", sa.Boolean()),
    prefixes=["TEMPORARY"],
)


def _conversion(connection: Connection, scope: _Scope, report: Report) -> None:
    """Each record's latest decision joined with what the CRM says became of it, once, into
    a narrow temporary table; then one GROUP BY per dimension."""
    d, lead = decisions.c, crm_leads.c
    latest = (
        sa.select(sa.func.max(d.id)).where(*scope.decisions()).group_by(d.crm, d.record_id)
    ).scalar_subquery()
    territory = sa.func.coalesce(d.trace["territory"]["name"].as_string(), "(none)")
    joined = (
        sa.select(d.rule, territory, d.owner_id, lead.converted, lead.opportunity, lead.won)
        .join_from(decisions, crm_leads, lead.record_id == d.record_id)
        .where(d.id.in_(latest))
    )
    _create(connection, outcomes)
    columns = ["rule", "territory", "rep", "converted", "opportunity", "won"]
    connection.execute(outcomes.insert().from_select(columns, joined))
    o = outcomes.c
    for name in ("rule", "territory", "rep"):
        rows = connection.execute(
            sa.select(
                o[name],
                sa.func.count(),
                sa.func.count().filter(o.converted),
                sa.func.count().filter(o.opportunity),
                sa.func.count().filter(o.won),
            )
            .group_by(o[name])
            .order_by(o[name])
        ).all()
        report.add(
            ReportTable(
                f"conversion_by_{name}",
                f"Conversion lead → opportunity → won by {name}",
                [name, "leads", "converted", "opportunity", "won", "won share"],
                [(k, int(n), int(cv), int(op), int(w), _share(w, n)) for k, n, cv, op, w in rows],
            )
        )


# --- helpers ----------------------------------------------------------------------------------


def _no_index(column: Any) -> Any:
    """The column as an expression no index serves: a CRM or a pool is most of a table, which
    SQLite would otherwise read row by row through an index."""
    return sa.func.coalesce(column, "")


def _share(part: Any, whole: Any) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _chunked(rows: Any) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
