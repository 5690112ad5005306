"""The counters of the pools' caps over time, recounted from the store's recorded decisions
when Redis lost them."""

from __future__ import annotations

from datetime import datetime, timedelta

from routing.engine.windows import Tally, recount
from routing.policy import RoutingPolicy
from worker.store.records import Store

_LONGEST_WINDOW = timedelta(days=31)  # a calendar month; a rolling month is 30 days


def recorded_tallies(
    store: Store, crm: str, policy: RoutingPolicy, now: datetime
) -> list[tuple[Tally, list[float]]]:
    pools = [pool for pool in policy.pools.values() if pool.capped_over_time]
    if not pools:
        return []
    return recount(pools, store.pool_picks_since(crm, now - _LONGEST_WINDOW), now)
