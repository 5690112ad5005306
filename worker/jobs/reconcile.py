"""Settling decisions whose task died between recording them and learning how the write went.

A decision is recorded as pending just before its owner write. If the worker is killed before
it settles the write, the pending row would stay so for ever. Once it is older than any task
could live, the CRM says what happened: the record has the decided owner (the write landed) or
it has not (the write never happened; the record was, or will be, routed again).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from connectors.base import WriteResult
from worker.store.records import PENDING, Store, decisions

NOT_WRITTEN = "not written: the worker stopped before the write; the record is routed again"


def settle_stale_pending(
    store: Store, crm: str, current_owners: Mapping[str, str | None], older_than: timedelta
) -> int:
    """Settle this CRM's pending decisions older than `older_than`; returns how many."""
    cutoff = datetime.now(UTC) - older_than
    query = sa.select(decisions.c.decision_key, decisions.c.record_id, decisions.c.owner_id).where(
        decisions.c.crm == crm,
        decisions.c.write_status == PENDING,
        decisions.c.decided_at < cutoff,
    )
    with store.engine.connect() as connection:
        stale = connection.execute(query).all()
    by_key: dict[str, list[WriteResult]] = defaultdict(list)
    for key, record_id, owner_id in stale:
        landed = current_owners.get(record_id) == owner_id
        by_key[key].append(WriteResult(record_id, ok=landed, error=None if landed else NOT_WRITTEN))
    for key, results in by_key.items():
        store.record_write_results(crm, key, results)
    return len(stale)
