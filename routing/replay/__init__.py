"""The policy replayed over records already in the CRM: a backfill's owner moves, and a
simulation of a window's leads under a candidate policy beside a baseline."""

from routing.replay.backfill import (
    ALL,
    OBJECTS,
    SCOPES,
    BackfillPlan,
    BackfillPlanner,
    Guards,
    Held,
    LedgerState,
    Move,
    iter_chunks,
    records_in_scope,
)
from routing.replay.fairness import MemberShare, fair_shares
from routing.replay.follow import followers
from routing.replay.simulation import (
    PolicySide,
    PoolStats,
    Side,
    SimulationReport,
    gini,
    simulate,
)

__all__ = [
    "ALL",
    "OBJECTS",
    "SCOPES",
    "BackfillPlan",
    "BackfillPlanner",
    "Guards",
    "Held",
    "LedgerState",
    "MemberShare",
    "Move",
    "PolicySide",
    "PoolStats",
    "Side",
    "SimulationReport",
    "fair_shares",
    "followers",
    "gini",
    "iter_chunks",
    "records_in_scope",
    "simulate",
]
