"""What the backfill tests share: the Acme policy with NA West split in two, a rep to
deactivate, and connectors that crash or run out of budget after a number of writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog

from connectors.base import Connector, QuotaExhausted, WriteResult
from routing.model import CrmSnapshot, OwnerChange
from tests.conftest import ACME_POLICY

NOW = datetime(2026, 11, 7, tzinfo=UTC)
ALICE, BEN, KEVIN = "005000000000006AAA", "005000000000007AAA", "005000000000016AAA"

_WEST = """  - name: NA West
    region: NA
    where:
      - {country: US, states: [AK, AZ, CA, CO, HI, ID, MT, NV, NM, OR, UT, WA, WY]}
      - {country: CA, states: [BC, AB, YT, NT, NU]}"""
_WEST_SPLIT = """  - name: NA Northwest
    region: NA
    where:
      - {country: US, states: [AK, ID, MT, OR, WA, WY]}
      - {country: CA, states: [BC, AB, YT, NT, NU]}
  - name: NA Southwest
    region: NA
    where:
      - {country: US, states: [AZ, CA, CO, HI, NV, NM, UT]}"""
_POOL = (
    "  - {name: enterprise NA West, cap: 20, members: [alice.nguyen@acme-analytics.example, "
    "ben.carter@acme-analytics.example]}"
)
_POOL_SPLIT = (
    "  - {name: enterprise NA Northwest, cap: 20, members: [alice.nguyen@acme-analytics.example]}"
    "\n  - {name: enterprise NA Southwest, cap: 20, members: [ben.carter@acme-analytics.example]}"
)
_MAP = "        NA West: {pool: enterprise NA West}"
_MAP_SPLIT = (
    "        NA Northwest: {pool: enterprise NA Northwest}\n"
    "        NA Southwest: {pool: enterprise NA Southwest}"
)


def split_policy(folder: Path) -> Path:
    """Acme's policy with NA West split: Alice takes the north, Ben the south."""
    text = ACME_POLICY.read_text(encoding="utf-8")
    for old, new in ((_WEST, _WEST_SPLIT), (_POOL, _POOL_SPLIT), (_MAP, _MAP_SPLIT)):
        assert old in text
        text = text.replace(old, new)
    text = text.replace("pools: [enterprise NA West,", "pools: [enterprise NA Northwest, "
                        "enterprise NA Southwest,")  # fmt: skip
    text = text.replace("regions: [NA West]", "regions: [NA Northwest, NA Southwest]")
    path = folder / "split.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ACCOUNT_POLICY = """\
name: Acme accounts
objects: [Account]
routable: {owners: [{user: integration@acme-analytics.example}]}
fallback: {user: priya.raman@acme-analytics.example}
pools:
  - {name: account managers, members: [victor.hale@acme-analytics.example,
                                       wendy.liu@acme-analytics.example]}
rules:
  - name: account-managers
    assign: {pool: account managers}
"""
_JUNK_RULE = """\
  - name: junk
    when: {fact: competitor, equals: true}
    assign: {queue: Junk Queue}
"""


def account_policy(folder: Path, *, queues: bool = False) -> Path:
    """A policy written for accounts: its account managers take the accounts in turn; with
    `queues`, competitors' accounts go to the Junk Queue (which Salesforce forbids)."""
    text = ACCOUNT_POLICY.replace("rules:\n", "rules:\n" + _JUNK_RULE) if queues else ACCOUNT_POLICY
    path = folder / ("account-queues.yaml" if queues else "account.yaml")
    path.write_text(text, encoding="utf-8")
    return path


class Wrapped:
    """A connector that counts the owners it writes, and can fail on a chosen write call."""

    def __init__(
        self,
        inner: Connector,
        *,
        crash_on_call: int | None = None,
        crash_after_call: int | None = None,
        quota_on_call: int | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls = 0
        self.written: Counter[str] = Counter()
        self._crash_on, self._crash_after = crash_on_call, crash_after_call
        self._quota_on = quota_on_call

    def snapshot(self) -> CrmSnapshot:
        return self.inner.snapshot()

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        self.calls += 1
        if self.calls == self._crash_on:
            raise RuntimeError("the worker died here")
        if self.calls == self._quota_on:
            raise QuotaExhausted("daily API budget spent", resume_at=NOW)
        results = self.inner.write_owners(changes, dry_run=dry_run)
        self.written.update(r.record_id for r in results if r.ok and not dry_run)
        if self.calls == self._crash_after:
            raise RuntimeError("the worker died after writing, before its checkpoint")
        return results


@pytest.fixture(autouse=True)
def fresh_logging() -> None:
    """`leadrelay` points structlog at the stderr CliRunner gives it, which is closed once the
    command returns; a job run later in the same process must not log into it."""
    structlog.reset_defaults()
