"""Best fit's model, kept current: train from a CRM snapshot, store each version as JSON under
`<home>/models/<version>.json` (and, given the store's engine, in its `models` table), and
point `<home>/models/current` at the one routing uses.

A version is a hash of what was learned and how, so retraining on unchanged deals writes
nothing new, and a decision that names a version can be explained later from its file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from config.policy import load_policy
from connectors.base import Connector
from routing.bestfit import SkillModel, SkillSettings, closed_deals, parse_segment_field, train
from routing.model import CrmSnapshot
from routing.policy import BEST_FIT, BestFit, RoutingPolicy
from worker.jobs.policy.fields import read_policy_fields

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

CURRENT = "current"


@dataclass(frozen=True, slots=True)
class Trained:
    version: str
    path: Path
    n_train: int
    new: bool  # False: the same version was already stored
    stored: bool = False  # also in the store's `models` table


def models_dir(home: Path) -> Path:
    return home / "models"


def best_fit_of(policy: RoutingPolicy) -> BestFit | None:
    """The settings of the policy's first best_fit pool (the compiler makes them agree)."""
    for pool in policy.pools.values():
        if pool.method == BEST_FIT:
            return pool.best_fit or BestFit()
    return None


def skill_settings(best_fit: BestFit, segments: list[str] | None = None) -> SkillSettings:
    fields = tuple(parse_segment_field(s) for s in (segments or best_fit.segments))
    return SkillSettings(fields, best_fit.half_life_days, best_fit.min_deals)


def train_snapshot(
    snapshot: CrmSnapshot, settings: SkillSettings, as_of: datetime | None = None
) -> SkillModel:
    when = as_of or _tomorrow()
    deals = (
        d
        for d in closed_deals(snapshot.opportunities, snapshot.accounts, settings.segments)
        if d.closed < when
    )
    return train(deals, settings, when)


def _tomorrow() -> datetime:
    """Midnight UTC after now: every deal closed so far counts, and retraining on the same
    deals the same day gives the same version."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def save_model(model: SkillModel, home: Path, engine: Engine | None = None) -> Trained:
    """The version's file, the `current` pointer, and with `engine` the version's row."""
    if engine is not None:
        from worker.store.models import ModelsStore

        ModelsStore(engine).save(model, datetime.now(UTC))
    folder = models_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{model.version}.json"
    new = not path.exists()
    if new:
        _write_atomically(path, json.dumps(model.to_json()))
    _write_atomically(folder / CURRENT, model.version + "\n")
    return Trained(model.version, path, model.n_train, new, engine is not None)


def load_model(home: Path, version: str | None = None) -> SkillModel | None:
    """The named version, or the current one; None when none was trained yet."""
    folder = models_dir(home)
    if version is None:
        pointer = folder / CURRENT
        if not pointer.exists():
            return None
        version = pointer.read_text(encoding="utf-8").strip()
    path = folder / f"{version}.json"
    if not path.exists():
        return None
    return SkillModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def retrain(
    connector: Connector, policy_path: Path, home: Path, engine: Engine | None = None
) -> Trained | None:
    """The beat job: retrain on every deal closed so far; None if the policy has no best_fit
    pool. Recency weights count from the end of today."""
    read_policy_fields(connector, policy_path)
    snapshot = connector.snapshot()
    best_fit = best_fit_of(load_policy(policy_path, snapshot))
    if best_fit is None:
        return None
    return save_model(train_snapshot(snapshot, skill_settings(best_fit)), home, engine)


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
