"""`leadrelay` with a misbehaving CRM, for fault tests: the CSV CRM wrapped so that, as the JSON
file named by FLAKY_CONTROL says at each call,

    {"throttle": N}      the next N owner writes are refused with Throttled (Retry-After 0.2 s,
                         or "retry_after" seconds)
    {"throttle_reads": N}  the next N reads are refused with Throttled likewise (a 429 storm)
    {"down": true}       every owner write fails with a RetryableError (a 503, say)
    {"reads_down": true} every read fails with a RetryableError (connection refused)
    {"refuse": [ids]}    writes to these records are refused one by one (a validation rule)
    {"slow_write": S}    each owner write takes S seconds (a batch stays in flight that long)

Each call is also appended to the file FLAKY_CONTROL + ".calls" ("read", "write start",
"write done", "read refused", ...), so a test can wait for a batch in flight instead of sleeping.

Run as `python tests/e2e/flaky_worker.py worker --crm ... --policy ...`: the real CLI, the real
Celery worker and pool; only the connector the bootstrap opens is wrapped.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connectors.base import Connector, RetryableError, Throttled, WriteResult
from routing.model import CrmSnapshot, OwnerChange

CONTROL = Path(os.environ.get("FLAKY_CONTROL", "flaky.json"))
CALLS = CONTROL.with_name(CONTROL.name + ".calls")


def _control() -> dict[str, Any]:
    try:
        return dict(json.loads(CONTROL.read_text()))
    except (OSError, ValueError):
        return {}


def _take(counter: str) -> bool:
    """Spend one of `counter` (under a file lock: pool processes share the file)."""
    with open(CONTROL.with_name(CONTROL.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        control = _control()
        if control.get(counter, 0) <= 0:
            return False
        control[counter] -= 1
        CONTROL.write_text(json.dumps(control))
        return True


def note(call: str) -> None:
    with CALLS.open("a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {call}\n")


def calls(path: Path) -> list[str]:
    """The calls logged next to the control file `path`, oldest first (for tests)."""
    try:
        text = path.with_name(path.name + ".calls").read_text(encoding="utf-8")
    except OSError:
        return []
    return [line.split(" ", 1)[1] for line in text.splitlines() if " " in line]


class FlakyCrm:
    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.name = inner.name

    def snapshot(self) -> CrmSnapshot:
        control = _control()
        if control.get("reads_down"):
            note("read refused")
            raise RetryableError("connection refused (flaky test CRM)")
        if _take("throttle_reads"):
            note("read throttled")
            raise Throttled("429 Too Many Requests (flaky test CRM)", _retry_after(control))
        note("read")
        return self.inner.snapshot()

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        control = _control()
        if control.get("down"):
            note("write refused")
            raise RetryableError("503 Service Unavailable (flaky test CRM)")
        if _take("throttle"):
            note("write throttled")
            raise Throttled("429 Too Many Requests (flaky test CRM)", _retry_after(control))
        note(f"write start {len(changes)}")
        time.sleep(float(control.get("slow_write", 0)))
        refuse = set(control.get("refuse", ()))
        allowed = [c for c in changes if c.record_id not in refuse]
        written = {r.record_id: r for r in self.inner.write_owners(allowed, dry_run=dry_run)}
        refused = "FIELD_CUSTOM_VALIDATION_EXCEPTION: owner cannot be set (flaky test CRM)"
        note(f"write done {len(changes)}")
        return [
            written.get(c.record_id) or WriteResult(c.record_id, ok=False, error=refused)
            for c in changes
        ]


def _retry_after(control: dict[str, Any]) -> float:
    return float(control.get("retry_after", 0.2))


def main() -> None:
    import worker.bootstrap as bootstrap
    from connectors.registry import open_connector
    from worker.cli import app

    bootstrap.configure(connector_factory=lambda url: FlakyCrm(open_connector(url)))
    app()


if __name__ == "__main__":
    main()
