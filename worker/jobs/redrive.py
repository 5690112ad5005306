"""`leadrelay retry`: send the owner writes of open dead letters to the CRM again.

A write that now succeeds resolves its dead letter; one that fails again counts an attempt and
stays open. A spent API budget stops the run with the writes made so far kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from config.policy import read_policy_file
from connectors.base import (
    Connector,
    QuotaExhausted,
    QuotaExhaustedDuringWrite,
    RetryableError,
    WriteResult,
)
from routing.model import CrmSnapshot
from routing.ownership import OwnerRule
from worker.store.records import DeadLetter, Store

# A dead letter → why it must not be re-sent now (say, the CRM owner changed since), or None.
SkipCheck = Callable[[DeadLetter], str | None]


def unwritable(policy_path: Path, snapshot: CrmSnapshot) -> SkipCheck:
    """A dead letter the policy may not write (an object it does not route, a queue that
    cannot own the record) is never re-sent: it stays open, and is reported as skipped."""
    rule = OwnerRule.of(read_policy_file(policy_path).objects, snapshot)

    def check(letter: DeadLetter) -> str | None:
        return rule.refusal(letter.object, letter.owner_id)

    return check


def either(*checks: SkipCheck) -> SkipCheck:
    """The first reason any check gives."""

    def check(letter: DeadLetter) -> str | None:
        return next((why for c in checks if (why := c(letter))), None)

    return check


@dataclass
class RedriveReport:
    dry_run: bool
    resolved: list[DeadLetter] = field(default_factory=list)
    failed: list[tuple[DeadLetter, str]] = field(default_factory=list)
    skipped: list[tuple[DeadLetter, str]] = field(default_factory=list)
    would_send: list[DeadLetter] = field(default_factory=list)  # dry run only
    stopped: str | None = None  # why the run ended early (a spent API budget)
    resume_at: datetime | None = None


def redrive_dead_letters(
    store: Store,
    connector: Connector,
    *,
    dry_run: bool,
    crm: str | None = None,
    skip_if: SkipCheck | None = None,
) -> RedriveReport:
    """Re-send the open dead letters of `crm` (default: the connector's name).

    A dry run sends nothing and changes nothing: it reports what would be sent. A fatal
    connector error (credentials, configuration) propagates: it is no record's fault."""
    report = RedriveReport(dry_run)
    letters = _sendable(store.open_dead_letters(crm or connector.name), skip_if, report)
    if dry_run:
        report.would_send = letters
        return report
    if not letters:
        return report
    try:
        results = connector.write_owners([letter.owner_change() for letter in letters])
    except QuotaExhaustedDuringWrite as spent:
        results = spent.results
        report.stopped, report.resume_at = str(spent), spent.resume_at
    except QuotaExhausted as spent:
        report.stopped, report.resume_at = str(spent), spent.resume_at
        return report
    except RetryableError as exc:  # the connector's own retries gave up: try again next time
        error = f"{type(exc).__name__}: {exc}"
        results = [WriteResult(letter.record_id, False, error) for letter in letters]
    _settle(store, letters, results, report)
    return report


def _sendable(
    letters: Sequence[DeadLetter], skip_if: SkipCheck | None, report: RedriveReport
) -> list[DeadLetter]:
    sendable = []
    for letter in letters:
        why = skip_if(letter) if skip_if else None
        if why:
            report.skipped.append((letter, why))
        else:
            sendable.append(letter)
    return sendable


def _settle(
    store: Store,
    letters: Sequence[DeadLetter],
    results: Sequence[WriteResult],
    report: RedriveReport,
) -> None:
    """Results come in the order of the changes; past a quota stop there are fewer."""
    for letter, result in zip(letters, results, strict=False):
        if result.ok:
            store.resolve_dead_letter(letter.id)
            report.resolved.append(letter)
        else:
            error = result.error or "the CRM refused the write"
            store.note_failed_attempt(letter.id, error)
            report.failed.append((letter, error))
