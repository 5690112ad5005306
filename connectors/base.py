"""The one interface every CRM adapter implements, and the errors they raise.

    ConnectorError
    ├── RetryableError      a lock, a 5xx, a reset connection: try again later
    ├── FatalError          bad credentials, a malformed reply, a missing object: stop, say why
    │   └── ConfigError     the CRM URL or the environment is wrong
    └── QuotaExhausted      the API budget is spent: stop and resume at `resume_at`
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from routing.model import CrmSnapshot, OwnerChange


class ConnectorError(Exception):
    """Anything that went wrong talking to a CRM."""


class RetryableError(ConnectorError):
    pass


class FatalError(ConnectorError):
    pass


class ConfigError(FatalError):
    pass


class QuotaExhausted(ConnectorError):
    def __init__(self, message: str, resume_at: datetime | None = None) -> None:
        super().__init__(message)
        self.resume_at = resume_at


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What became of one owner write."""

    record_id: str
    ok: bool
    error: str | None = None
    retryable: bool = False


@runtime_checkable
class Connector(Protocol):
    name: str

    def snapshot(self) -> CrmSnapshot:
        """Read every object routing needs; data problems go in `snapshot.issues`."""
        ...

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        """Write owners back; one result per change, in order. A dry run writes nothing."""
        ...
