"""Published policy versions, in the store: what `leadrelay policy publish` records and what a
worker routes. A version is never edited or removed; a rollback publishes an old content again
as a new version, so the history reads as what happened.

Versions are kept per policy *name*: the policy file's name without its extension
(`acme.yaml` → `acme`), so `policy publish acme.yaml` and `worker --policy acme.yaml` agree
wherever the file lives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from worker.store.records import ID_TYPE, UtcDateTime, metadata

__all__ = ["PolicyVersion", "PolicyVersions", "content_hash", "policy_name"]

policy_versions = sa.Table(
    "policy_versions",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("content_hash", sa.String(), nullable=False),
    sa.Column("author", sa.String(), nullable=False),
    sa.Column("published_at", UtcDateTime(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),  # the file it was published from
    sa.Column("simulation", sa.JSON()),  # decisions changed against the version before
    sa.UniqueConstraint("name", "version", name="uq_policy_versions_name_version"),
)


def policy_name(path: Path) -> str:
    return path.name.rsplit(".", 1)[0] if "." in path.name else path.name


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def file_label(path: Path, content: str) -> str:
    """What a decision made from a policy file that was never published names."""
    return f"{policy_name(path)}@file:{content_hash(content)[:12]}"


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    name: str
    version: int
    content: str
    content_hash: str
    author: str
    published_at: datetime
    message: str
    source: str
    simulation: dict[str, Any] | None

    @property
    def label(self) -> str:
        """What a decision records as its `policy_version`."""
        return f"{self.name}@{self.version}"


class PolicyVersions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def publish(
        self,
        name: str,
        content: str,
        *,
        author: str,
        message: str,
        source: str,
        simulation: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> PolicyVersion:
        """The next version number for `name`; two publishers racing: one of them fails on
        the unique (name, version) and can publish again."""
        with self.engine.begin() as connection:
            latest = connection.execute(
                sa.select(sa.func.max(policy_versions.c.version)).where(
                    policy_versions.c.name == name
                )
            ).scalar_one_or_none()
            row: dict[str, Any] = {
                "name": name,
                "version": (latest or 0) + 1,
                "content": content,
                "content_hash": content_hash(content),
                "author": author,
                "published_at": at or datetime.now(UTC),
                "message": message,
                "source": source,
                "simulation": simulation,
            }
            connection.execute(policy_versions.insert().values(**row))
        return PolicyVersion(**row)

    def latest(self, name: str) -> PolicyVersion | None:
        query = (
            sa.select(policy_versions)
            .where(policy_versions.c.name == name)
            .order_by(policy_versions.c.version.desc())
            .limit(1)
        )
        return self._one(query)

    def get(self, name: str, version: int) -> PolicyVersion | None:
        query = sa.select(policy_versions).where(
            policy_versions.c.name == name, policy_versions.c.version == version
        )
        return self._one(query)

    def history(self, name: str) -> list[PolicyVersion]:
        """Every version of `name`, oldest first."""
        query = (
            sa.select(policy_versions)
            .where(policy_versions.c.name == name)
            .order_by(policy_versions.c.version)
        )
        with self.engine.connect() as connection:
            return [_version(row) for row in connection.execute(query).mappings()]

    def names(self) -> list[str]:
        query = sa.select(policy_versions.c.name).distinct().order_by(policy_versions.c.name)
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def _one(self, query: sa.Select[Any]) -> PolicyVersion | None:
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _version(row)


def _version(row: sa.RowMapping) -> PolicyVersion:
    return PolicyVersion(**{k: v for k, v in row.items() if k != "id"})
