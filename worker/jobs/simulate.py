"""The simulation job: read the CRM once, compile both policies against it, replay the window,
and write what a sales leader reads: a CSV of the changed decisions and one HTML file with
its charts embedded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.policy import load_policy
from connectors.base import Connector
from routing.replay import PolicySide, SimulationReport, simulate
from routing.world import World
from worker.jobs.policy.fields import read_policy_fields
from worker.jobs.session import build_matcher

_RELATIVE = re.compile(r"^\s*(\d+)\s*([dhw])\s*$", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`30d`, `12h`, `2w`, or an ISO date or datetime (UTC when it names no zone)."""
    relative = _RELATIVE.match(text)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2).lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--since {text!r}: use a length like 30d, 12h or 2w, or a date like 2026-10-01"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Simulation:
    report: SimulationReport
    world: World
    newest_lead: datetime | None = None  # for a window that selected none


def run_simulation(
    connector: Connector,
    candidate_path: Path,
    baseline_path: Path | None,
    start: datetime,
    end: datetime,
) -> Simulation:
    read_policy_fields(connector, candidate_path, *([baseline_path] if baseline_path else []))
    snapshot = connector.snapshot()
    candidate = load_policy(candidate_path, snapshot)
    baseline = load_policy(baseline_path, snapshot) if baseline_path else None
    matcher = build_matcher(snapshot, candidate)
    same_matching = baseline is not None and baseline.matching == candidate.matching
    baseline_matcher = (
        matcher if same_matching or baseline is None else build_matcher(snapshot, baseline)
    )
    report = simulate(
        snapshot,
        PolicySide(candidate_path.name, candidate, matcher),
        PolicySide(baseline_path.name, baseline, baseline_matcher)
        if baseline and baseline_path
        else None,
        start,
        end,
    )
    created = [lead.created_date for lead in snapshot.leads if lead.created_date is not None]
    return Simulation(report, World(snapshot), max(created, default=None))
