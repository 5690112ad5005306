"""The one interface every CRM adapter implements, and the errors they raise.

ConnectorError
├── RetryableError      a lock, a 5xx, a reset connection: try again later
│   └── Throttled       the CRM said "slow down", maybe with a Retry-After
├── FatalError          bad credentials, a malformed reply, a missing object: stop, say why
│   ├── ConfigError     the CRM URL or the environment is wrong
│   └── AuthError       the CRM refused the credentials
└── QuotaExhausted      the API budget is spent: stop and resume at `resume_at`
    └── QuotaExhaustedDuringWrite   ... with the results of the writes made before
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from routing.model import (
    Account,
    Contact,
    CrmSnapshot,
    FieldValue,
    Lead,
    Opportunity,
    OwnerChange,
    Rep,
)


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


# --- Additions for incremental reads, SLAs and API budgets (CRM-agnostic) -------------------


class AuthError(FatalError):
    """The CRM refused the credentials; retrying will not help until someone fixes them."""


class Throttled(RetryableError):
    """The CRM asked us to slow down; `retry_after` is its hint in seconds, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExhaustedDuringWrite(QuotaExhausted):
    """The budget ran out part-way through `write_owners`.

    `results` holds one result for every change that was attempted before the stop, so the
    caller can record those and reschedule only the rest.
    """

    def __init__(
        self, message: str, resume_at: datetime | None, results: Sequence[WriteResult]
    ) -> None:
        super().__init__(message, resume_at)
        self.results = list(results)


ChangedRecord = Lead | Contact | Account | Opportunity | Rep


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open interval `[start, end)` of modification times, in UTC.

    `start` None means "from the beginning" (an initial load). `end` is fixed when the cycle
    starts, so records modified while we read fall into the next window instead of being lost.
    """

    start: datetime | None
    end: datetime

    @classmethod
    def following(cls, watermark: datetime | None, now: datetime, lookback: timedelta) -> Window:
        """The next window after `watermark`, reaching back `lookback` to catch late commits."""
        start = None if watermark is None else watermark - lookback
        return cls(start=start, end=now)


@dataclass(frozen=True, slots=True)
class ChangePage:
    """One page of changed records.

    `watermark` is the value to store once every record of this page has been processed
    (None: keep the stored one). It never passes the window's end.
    """

    object: str
    records: tuple[ChangedRecord, ...]
    watermark: datetime | None


@runtime_checkable
class ChangeFeed(Protocol):
    def changes(self, object: str, window: Window) -> Iterator[ChangePage]:
        """Records of `object` modified in `window`, oldest first, each version once."""
        ...


@dataclass(frozen=True, slots=True)
class FirstTouch:
    """Whether and when the owner first responded to a routed record (for SLA clocks)."""

    record_id: str
    object: str
    owner_id: str | None
    status: str | None
    touched_at: datetime | None
    fields: Mapping[str, FieldValue] = field(default_factory=dict)  # the fields asked for
    is_converted: bool = False


@runtime_checkable
class FirstTouchSource(Protocol):
    def first_touches(
        self, object: str, record_ids: Sequence[str], fields: Sequence[str] = ()
    ) -> list[FirstTouch]:
        """One entry per id found; a deleted record is simply absent. `fields` are the
        policy's first-touch fields, read in the same call (where the object has them)."""
        ...


@dataclass(frozen=True, slots=True)
class ApiBudget:
    """The CRM's daily API allowance as last reported by the CRM itself."""

    used: int
    limit: int

    @property
    def share_used(self) -> float:
        return self.used / self.limit if self.limit else 1.0


@runtime_checkable
class BudgetReporter(Protocol):
    def api_budget(self) -> ApiBudget | None:
        """The last reading, or None if the CRM has not told us yet."""
        ...

    @property
    def api_calls(self) -> int:
        """HTTP calls made to the CRM by this connector so far (retries included)."""
        ...


# --- What a policy reads, and whether the CRM lets us read it -----------------------------

FieldNeeds = Mapping[str, frozenset[str]]
"""CRM-neutral object ("Lead", "Contact", "Account", "Opportunity", "User") → the field API
names a policy reads on it. A connector fetches these besides the fields it always reads."""


@dataclass(frozen=True, slots=True)
class UnreadableField:
    """A field the policy reads that the CRM lacks, or hides from the integration user."""

    object: str  # CRM-neutral, as in FieldNeeds
    field: str  # the API name the policy uses
    problem: str  # one sentence, in the CRM's own terms
    fix: str
    close: tuple[str, ...] = ()  # names the CRM does have that look alike (did you mean)


@runtime_checkable
class WriteCheck(Protocol):
    """A CRM that can tell before any routing that no owner may be written to it."""

    def check_writable(self) -> None: ...


@runtime_checkable
class FieldReader(Protocol):
    def need_fields(self, needs: FieldNeeds) -> None:
        """Read these fields too, from now on, in every read (snapshot, changes, Bulk)."""
        ...


@runtime_checkable
class SchemaCheck(Protocol):
    def unreadable_fields(self, needs: FieldNeeds) -> list[UnreadableField]:
        """Each needed field the CRM's schema lacks or hides from us; [] when all are readable.
        The schema is read once per connector (one call per object), not once per check."""


@runtime_checkable
class RecordReader(Protocol):
    def records(self, object: str, ids: Sequence[str]) -> list[ChangedRecord]:
        """These records as the CRM has them now, read by Id in batches; a deleted or merged
        record is absent."""
        ...


@runtime_checkable
class PicklistSource(Protocol):
    def picklist_values(self, object: str, field: str) -> frozenset[str] | None:
        """The values the CRM allows in this field (a Salesforce picklist's active values, a
        HubSpot enumeration property's options), or None when it is no such field. Read with
        the schema the field check reads: no call beyond it."""
        ...
