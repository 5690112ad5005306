"""The writable copy of the bundled Acme sample that the demo and the README's commands share.

The sample in config/examples/acme is never written (connectors.csvcrm._sample); `leadrelay sample`
and `leadrelay demo` copy it to `<LEADRELAY_HOME>/crm`, the folder the README's commands route,
and the demo records into the same home's store and Redis as every other command reads.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from connectors.csvcrm import BUNDLED_EXAMPLES, BUNDLED_SAMPLE
from worker.state.board import crm_key

SAMPLE_POLICY = BUNDLED_EXAMPLES / "acme.yaml"


class HomeInUse(Exception):
    """The home holds another CRM's record, which the demo would wipe."""


def sample_copy(home: Path) -> Path:
    return home.expanduser().resolve() / "crm"


def copy_sample(home: Path, *, fresh: bool = False) -> tuple[Path, bool]:
    """The copy's folder, and whether it was (re)made now. An existing copy is kept unless
    `fresh`: what was routed in it stays routed."""
    target = sample_copy(home)
    if target.exists() and not fresh:
        return target, False
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(BUNDLED_SAMPLE, target)
    return target, True


def sample_url(home: Path) -> str:
    return f"csv:{sample_copy(home)}"


def foreign_crms(database: Path, home: Path) -> list[str]:
    """The CRMs other than the sample's copy that a home's SQLite record holds decisions of."""
    if not database.exists():
        return []
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("decisions"):
                return []
            rows = connection.execute(sa.text("SELECT DISTINCT crm FROM decisions")).scalars()
            return [crm for crm in rows if crm != crm_key(sample_url(home))]
    finally:
        engine.dispose()


def shown_path(path: Path) -> str:
    """A path as a person would type it here: relative when under the current folder."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return str(path)
    return str(relative) if str(relative) != "." else os.curdir
