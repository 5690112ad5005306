"""`leadrelay` with a misbehaving CRM, for fault tests: the CSV CRM wrapped so that, as the JSON
file named by FLAKY_CONTROL says at each call,

    {"throttle": N}      the next N owner writes are refused with Throttled (Retry-After 0.2 s)
    {"down": true}       every owner write fails with a RetryableError (a 503, say)
    {"refuse": [ids]}    writes to these records are refused one by one (a validation rule)

Run as `python tests/e2e/flaky_worker.py worker --crm ... --policy ...`: the real CLI, the real
Celery worker and pool; only the connector the bootstrap opens is wrapped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connectors.base import Connector, RetryableError, Throttled, WriteResult
from routing.model import CrmSnapshot, OwnerChange

CONTROL = Path(os.environ.get("FLAKY_CONTROL", "flaky.json"))


def _control() -> dict[str, Any]:
    try:
        return dict(json.loads(CONTROL.read_text()))
    except (OSError, ValueError):
        return {}


class FlakyCrm:
    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.name = inner.name

    def snapshot(self) -> CrmSnapshot:
        return self.inner.snapshot()

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        control = _control()
        if control.get("down"):
            raise RetryableError("503 Service Unavailable (flaky test CRM)")
        if control.get("throttle", 0) > 0:
            control["throttle"] -= 1
            CONTROL.write_text(json.dumps(control))
            raise Throttled("429 Too Many Requests (flaky test CRM)", retry_after=0.2)
        refuse = set(control.get("refuse", ()))
        allowed = [c for c in changes if c.record_id not in refuse]
        written = {r.record_id: r for r in self.inner.write_owners(allowed, dry_run=dry_run)}
        refused = "FIELD_CUSTOM_VALIDATION_EXCEPTION: owner cannot be set (flaky test CRM)"
        return [
            written.get(c.record_id) or WriteResult(c.record_id, ok=False, error=refused)
            for c in changes
        ]


def main() -> None:
    import worker.bootstrap as bootstrap
    from connectors.registry import open_connector
    from worker.cli import app

    bootstrap.open_connector = lambda url: FlakyCrm(open_connector(url))  # type: ignore[assignment]
    app()


if __name__ == "__main__":
    main()
