"""Publishing a policy version: the next version of a name, with what it changes against the
current one (every lead replayed under both), or nothing when the content is current already."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config.errors import PolicyError
from connectors.base import Connector
from worker.jobs.simulate import Simulation, run_simulation
from worker.store.policies import PolicyVersion, PolicyVersions, content_hash

__all__ = ["EVERY_LEAD", "PublishOutcome", "as_file", "publish_version", "simulation_summary"]

EVERY_LEAD = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    published: PolicyVersion | None  # None: the content is the current version already
    current: PolicyVersion | None  # the version before
    simulation: dict[str, Any] | None


def publish_version(
    versions: PolicyVersions,
    name: str,
    content: str,
    *,
    author: str,
    message: str,
    source: str,
    connector: Connector | None,
    candidate: Path,
) -> PublishOutcome:
    """Publish `content` (already checked) as the next version of `name`, with the
    simulation against the current version on `connector` when given; nothing if it is current."""
    current = versions.latest(name)
    if current is not None and current.content_hash == content_hash(content):
        return PublishOutcome(None, current, None)
    simulation = _simulate(connector, candidate, current) if connector and current else None
    published = versions.publish(
        name, content, author=author, message=message, source=source, simulation=simulation
    )
    return PublishOutcome(published, current, simulation)


def _simulate(connector: Connector, candidate: Path, current: PolicyVersion) -> dict[str, Any]:
    """Every lead replayed under the current version and the new one."""
    with as_file(current.content) as baseline:
        try:
            simulation = run_simulation(connector, candidate, baseline, EVERY_LEAD, _now())
        except PolicyError as error:  # the current version no longer loads: publish the fix
            return {"against": current.label, "error": f"{current.label} does not load: {error}"}
    return simulation_summary(simulation, current.label)


def simulation_summary(simulation: Simulation, against: str) -> dict[str, Any]:
    """Decisions changed, by the rule that now decides them and by owner (gained minus
    lost): what a published version keeps of its simulation."""
    report, names = simulation.report, simulation.world.owner_name
    owners: Counter[str] = Counter()
    for change in report.changes:
        owners[names(change.after.owner_id)] += 1
        owners[names(change.before.owner_id)] -= 1
    return {
        "against": against,
        "leads": report.leads,
        "changed": len(report.changes),
        "by_rule": dict(Counter(change.after.rule for change in report.changes)),
        "by_owner": {owner: net for owner, net in sorted(owners.items()) if net},
    }


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def as_file(content: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="leadrelay-policy-") as folder:
        path = Path(folder) / "current.yaml"
        path.write_text(content, encoding="utf-8")
        yield path
