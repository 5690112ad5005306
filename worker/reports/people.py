"""Who a report's rows are about: reps by name when the CRM is known, and never the owners
records are routed *from* (the routing queue, the integration user) listed as if they were
reps. Those are the decisions' previous owners: a record is routable only while a routing
owner holds it, so whoever a decision took a record from is one."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from routing.model import CrmSnapshot
from worker.store.records import decisions

REP_COLUMNS = ("rep",)  # a person's figures: routing owners and queues are no rep
OWNER_COLUMNS = ("rep", "owner")  # shown by name when the CRM says it


def routing_owners(connection: Connection, conditions: list[Any]) -> set[str]:
    query = sa.select(decisions.c.previous_owner_id).where(*conditions).distinct()
    return {owner for owner in connection.execute(query).scalars() if owner}


def name_people(report: Any, snapshot: CrmSnapshot | None, routers: set[str]) -> None:
    """Rewrites the report's tables in place."""
    not_reps = routers | (set(snapshot.queues) if snapshot else set())
    for table in report.tables.values():
        for position, column in enumerate(table.columns):
            if column in REP_COLUMNS:
                table.rows = [row for row in table.rows if row[position] not in not_reps]
            if column in OWNER_COLUMNS and snapshot is not None:
                table.rows = [_named(row, position, snapshot) for row in table.rows]


def _named(row: tuple[Any, ...], position: int, snapshot: CrmSnapshot) -> tuple[Any, ...]:
    owner = row[position]
    found = snapshot.users.get(owner) or snapshot.queues.get(owner)
    if found is None:
        return row
    return (*row[:position], found.name, *row[position + 1 :])
