"""Records the policy holds for a shift (`off_shift: wait`) stay where they are, start no SLA
clock, and are in `leadrelay status` with what they wait for and until when. Through the
worker's path on the Acme copy, real Redis and SQL; time is injected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import ACME_POLICY
from tests.integration.insights_support import add_column, clear_redis, worker_context
from tests.integration.sla_support import cell
from worker.bootstrap import Runtime
from worker.jobs import loop
from worker.jobs.context import CrmContext
from worker.reports import status
from worker.state.board import ConfiguredCrm
from worker.store.sla import SlaStore

SUNDAY = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOURS = (
    "  default_time_zone: UTC\n"
    "  working_hours: [{days: [mon, tue, wed, thu, fri], hours: '09:00-17:00'}]\n"
)


def _policy(tmp_path: Path) -> Path:
    lines, pools = [], False
    for line in ACME_POLICY.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("  - {name: ") and "members:" in line:
            line = line.replace("{name: ", "{off_shift: wait, name: ", 1)
        lines.append(line)
        if pools and line.startswith("  - name: "):
            lines.append("    off_shift: wait\n")
        pools = (pools or line.startswith("pools:")) and not line.startswith("rules:")
    text = "".join(lines)
    assert text.count("off_shift: wait") >= 9 and text.count("availability:\n") == 1
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("availability:\n", "availability:\n" + HOURS), encoding="utf-8")
    return path


@pytest.fixture
def ctx(acme_crm: Path, database_url: str, redis_url: str, tmp_path: Path) -> Iterator[CrmContext]:
    add_column(acme_crm / "User.csv", "TimeZoneSidKey")  # empty: the default zone
    with worker_context(
        acme_crm,
        _policy(tmp_path),
        database_url,
        redis_url,
        tmp_path / "home",
        clock=lambda: SUNDAY,
    ) as opened:
        yield opened
        clear_redis(opened)


def test_records_waiting_for_a_shift_are_in_status(ctx: CrmContext, acme_crm: Path) -> None:
    loop.sweep_crm(ctx, "task-1")

    built = Runtime(ctx.settings, "", ctx.store, ctx.redis)
    built.board.register(ConfiguredCrm(ctx.url, str(ctx.policy_path)))
    shown = next(c for c in status.collect(built, SUNDAY)["crms"] if c["key"] == ctx.key)

    assert shown["waiting"] > 10
    first = shown["waiting_records"][0]
    assert first["waiting_for"] == "a shift"
    assert first["until"] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday's first shift
    assert (
        "waits until 2026-03-02T09:00:00+00:00, when the first member is back on shift"
        in (first["why"])
    )
    assert cell(acme_crm / "Lead.csv", first["record_id"], "OwnerId").startswith("00G")  # queued
    clocks = SlaStore(ctx.store.engine).clocks_for(ctx.key, first["record_id"])
    assert clocks == []  # the policy is waiting: no response-time clock runs
    console = Console(record=True, width=250)
    status.render(console, status.collect(built, SUNDAY))
    text = console.export_text()
    assert "waiting for a shift or a cap window" in text
    assert f"{shown['waiting'] - len(shown['waiting_records'])} more waiting" in text
