"""The engine: a lead through the policy's rules to one owner (the router), the pools' fair
distribution and its state, and a CRM kept live in memory between batches."""

from routing.engine.distribution import (
    Availability,
    DistributionState,
    MemoryState,
    Pick,
    Reading,
    choose,
)
from routing.engine.live import Handover, LiveCrm, Record
from routing.engine.router import (
    DATA_ERRORS,
    FALLBACK_RULE,
    Matcher,
    Router,
    StateContention,
    is_open,
    open_lead_loads,
    route_all,
    wall_clock,
)

__all__ = [
    "DATA_ERRORS",
    "FALLBACK_RULE",
    "Availability",
    "DistributionState",
    "Handover",
    "LiveCrm",
    "Matcher",
    "MemoryState",
    "Pick",
    "Reading",
    "Record",
    "Router",
    "StateContention",
    "choose",
    "is_open",
    "open_lead_loads",
    "route_all",
    "wall_clock",
]
