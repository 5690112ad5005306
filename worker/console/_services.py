"""Everything the console takes from the rest of LeadRelay, in one place: the store and its
tables, the jobs (explain, simulation, publish, redrive, approvals), the status board. When a
module moves, only this file changes."""

from __future__ import annotations

from config.errors import PolicyError
from config.policy import read_policy_file
from connectors.base import Connector
from connectors.registry import open_connector
from routing.engine import open_lead_loads
from routing.engine.router import why_unavailable
from routing.model import CrmSnapshot, Decision
from routing.world import World
from worker.bootstrap import Runtime
from worker.jobs.approvals import APPROVED, REJECTED, decide_approval
from worker.jobs.explain import differences, explain_made_up
from worker.jobs.policy.check import CheckReport, check_policy
from worker.jobs.policy.fields import read_policy_fields
from worker.jobs.policy.publish import (
    EVERY_LEAD,
    PublishOutcome,
    publish_version,
    simulation_summary,
)
from worker.jobs.policy.source import PolicySource, copy_of, current_source
from worker.jobs.redrive import RedriveReport, either, redrive_dead_letters, unwritable
from worker.jobs.session import explain_record, session_for
from worker.jobs.simulate import Simulation, parse_since, run_simulation
from worker.reports.history import Event, record_history
from worker.reports.simulation import render_html as simulation_html
from worker.settings import Settings
from worker.state.board import ConfiguredCrm, CrmBoard, crm_key
from worker.state.embedded import ensure_redis
from worker.store.approvals import Approval, ApprovalsStore
from worker.store.insights import HeldRow, InsightsStore
from worker.store.policies import PolicyVersion, PolicyVersions, policy_name
from worker.store.records import ID_TYPE as ID_TYPE
from worker.store.records import (
    DeadLetter,
    RecordedDecision,
    Store,
    UtcDateTime,
    dead_letters,
    decisions,
    metadata,
)
from worker.store.sla import FIRING, OPEN, sla_clocks

__all__ = [
    "APPROVED",
    "FIRING",
    "EVERY_LEAD",
    "ID_TYPE",
    "OPEN",
    "REJECTED",
    "Approval",
    "ApprovalsStore",
    "CheckReport",
    "ConfiguredCrm",
    "Connector",
    "CrmBoard",
    "CrmSnapshot",
    "DeadLetter",
    "Decision",
    "Event",
    "HeldRow",
    "InsightsStore",
    "PolicyError",
    "PolicySource",
    "PolicyVersion",
    "PolicyVersions",
    "PublishOutcome",
    "RecordedDecision",
    "RedriveReport",
    "Runtime",
    "Settings",
    "Simulation",
    "Store",
    "UtcDateTime",
    "World",
    "check_policy",
    "copy_of",
    "crm_key",
    "current_source",
    "dead_letters",
    "decide_approval",
    "decisions",
    "differences",
    "either",
    "ensure_redis",
    "explain_made_up",
    "explain_record",
    "metadata",
    "open_connector",
    "open_lead_loads",
    "parse_since",
    "policy_name",
    "publish_version",
    "read_policy_fields",
    "read_policy_file",
    "record_history",
    "redrive_dead_letters",
    "run_simulation",
    "session_for",
    "sla_clocks",
    "simulation_html",
    "simulation_summary",
    "unwritable",
    "why_unavailable",
]
