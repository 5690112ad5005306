"""Best fit's model versions in the store, next to their files under `<home>/models`: what was
trained when, from how many deals, with which settings, and the model itself, so a decision
that names a version can be explained from the database alone.

A version is a hash of what was learned and how: saving one already stored changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from routing.bestfit import SkillModel
from worker.store.records import UtcDateTime, _insert, metadata

models = sa.Table(
    "models",
    metadata,
    sa.Column("version", sa.String(), primary_key=True),
    sa.Column("trained_at", UtcDateTime(), nullable=False),
    sa.Column("n_train", sa.Integer(), nullable=False),
    sa.Column("settings", sa.JSON(), nullable=False),
    sa.Column("model", sa.JSON(), nullable=False),
)


@dataclass(frozen=True, slots=True)
class StoredModel:
    version: str
    trained_at: datetime
    n_train: int
    settings: dict[str, Any]


class ModelsStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, model: SkillModel, trained_at: datetime) -> bool:
        """Store the version; False when it was stored already (it is left as it was)."""
        values = {
            "version": model.version,
            "trained_at": trained_at,
            "n_train": model.n_train,
            "settings": model.settings.to_json(),
            "model": model.to_json(),
        }
        with self.engine.begin() as connection:
            statement = _insert(connection.dialect, models).values(**values)
            statement = statement.on_conflict_do_nothing(index_elements=["version"])
            result = connection.execute(statement)
            return bool(result.rowcount == 1)

    def versions(self) -> list[StoredModel]:
        """Every stored version, the latest trained first."""
        columns = (models.c.version, models.c.trained_at, models.c.n_train, models.c.settings)
        query = sa.select(*columns).order_by(models.c.trained_at.desc(), models.c.version)
        with self.engine.connect() as connection:
            return [StoredModel(**row) for row in connection.execute(query).mappings()]

    def load(self, version: str) -> SkillModel | None:
        query = sa.select(models.c.model).where(models.c.version == version)
        with self.engine.connect() as connection:
            data = connection.execute(query).scalar()
        return SkillModel.from_json(data) if data is not None else None
