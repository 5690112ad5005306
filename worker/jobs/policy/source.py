"""Which policy a worker routes, and the copy it compiles from.

A worker started with `--policy acme.yaml` routes the latest version published under the name
`acme` (`leadrelay policy publish`). A policy never published is read from the file, as before.
Either way the session compiles from an immutable copy under `<home>/policies/<name>/`, never
the file being edited, and the copy that last loaded is remembered there: a half-saved edit,
or a version that does not compile against the CRM, is refused and routing goes on with what
loaded before (`leadrelay status` says what was refused and why).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from config.errors import PolicyError, PolicyProblem
from worker.store.policies import PolicyVersions, content_hash, file_label, policy_name

__all__ = [
    "PolicySource",
    "as_origin",
    "copy_of",
    "current_source",
    "last_loaded",
    "remember_loaded",
]

_LAST = "last-loaded.json"


@dataclass(frozen=True, slots=True)
class PolicySource:
    """One version of a policy: `label` is what its decisions record (`acme@3` published,
    `acme@file:1a2b3c4d5e6f` read from the file), `version` its content hash."""

    name: str
    label: str
    version: str
    content: str | None  # None: the file could not be read at all
    origin: str  # where it came from, for messages

    def copy_in(self, home: Path) -> Path:
        """The immutable copy a session compiles from (written once, atomically)."""
        assert self.content is not None
        path = _folder(home, self.name) / f"{self.version[:16]}.yaml"
        if not path.exists():
            _write_atomically(path, self.content)
        return path


def current_source(engine: Engine, policy_path: Path) -> PolicySource:
    """The latest published version of the policy's name, else the file as it is now."""
    name = policy_name(policy_path)
    published = PolicyVersions(engine).latest(name)
    if published is not None:
        return PolicySource(
            name, published.label, published.content_hash, published.content, "published"
        )
    try:
        content = policy_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return PolicySource(
            name, f"{name}@file:unreadable", f"unreadable:{error}", None, str(policy_path)
        )
    label = file_label(policy_path, content)
    return PolicySource(name, label, content_hash(content), content, str(policy_path))


def remember_loaded(home: Path, source: PolicySource) -> None:
    """This version compiled and routes: a process that starts while the file is broken
    routes it."""
    row = {"name": source.name, "label": source.label, "version": source.version,
           "content": source.content, "origin": source.origin}  # fmt: skip
    _write_atomically(_folder(home, source.name) / _LAST, json.dumps(row))


def last_loaded(home: Path, name: str) -> PolicySource | None:
    path = _folder(home, name) / _LAST
    try:
        row = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return PolicySource(**row)


def copy_of(source: PolicySource, home: Path) -> Path:
    if source.content is None:
        problem = PolicyProblem("", f"cannot read the file ({source.version})", "check the path")
        raise PolicyError(source.origin, [problem])
    return source.copy_in(home)


@contextmanager
def as_origin(source: PolicySource) -> Iterator[None]:
    """Problems name the file a person edits (or the published version), not the copy."""
    try:
        yield
    except PolicyError as error:
        raise PolicyError(f"{source.origin} ({source.label})", error.problems) from None


def _folder(home: Path, name: str) -> Path:
    folder = home / "policies" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
