"""`leadrelay demo`: the real worker and beat on a copy of the Acme sample, with its routable
leads arriving a few at a time, and a live view of each decision and its reason.

It runs in LEADRELAY_HOME (default `.leadrelay`), as every other command does: the sample's copy
in `<home>/crm` (the README's commands route it too), the embedded Redis in `<home>/redis`, the
SQLite record `<home>/leadrelay.db`, so `leadrelay report`, `status`, `history` and `sla status`
read what it made. It starts them afresh each run, and refuses a home whose record holds another
CRM's decisions. It needs nothing installed, ends by itself once every lead has been routed (or
after `--seconds`), stops the processes it started, and checks that the CRM ends exactly as
`leadrelay route` leaves the same sample.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from connectors.csvcrm import BUNDLED_SAMPLE, folder_lock
from connectors.csvcrm.connector import CsvCrm
from routing.world import World, routing_order
from worker.cli._options import HomeOption
from worker.cli._sample import SAMPLE_POLICY, HomeInUse, copy_sample, foreign_crms, shown_path
from worker.jobs.session import open_session, route_routable
from worker.reports.terminal import cell, markup
from worker.settings import Settings
from worker.state.embedded import EmbeddedRedis
from worker.store.records import Store, decisions

SAMPLE, POLICY = BUNDLED_SAMPLE, SAMPLE_POLICY
_SHOWN = 14


@dataclass
class Arrivals:
    """The routable leads, held back and released oldest first, as if they were just created."""

    header: str
    rows: list[str]
    released: int = 0
    arrived_at: dict[str, float] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [row.split(",", 1)[0] for row in self.rows]

    def release(self, crm: Path, count: int) -> None:
        batch = self.rows[self.released : self.released + count]
        if not batch:
            return
        path = crm / "Lead.csv"
        temporary = path.with_suffix(".arriving")
        with folder_lock(crm):  # the lock owner writes take: neither write is lost
            text = path.read_text(encoding="utf-8")
            temporary.write_text(text + "".join(batch), encoding="utf-8")
            temporary.replace(path)
        now = time.monotonic()
        for row in batch:
            self.arrived_at[row.split(",", 1)[0]] = now
        self.released += len(batch)

    @property
    def done(self) -> bool:
        return self.released >= len(self.rows)


def hold_back_routable(crm: Path) -> Arrivals:
    """Take the routable leads out of Lead.csv; they arrive later in CreatedDate order."""
    session = open_session(CsvCrm(crm), POLICY)
    routable = sorted(
        (lead for lead in session.snapshot.leads if session.router.is_routable(lead)),
        key=routing_order,
    )
    order = {lead.id: position for position, lead in enumerate(routable)}
    text = (crm / "Lead.csv").read_text(encoding="utf-8")
    header, *lines = text.splitlines(keepends=True)
    kept: list[str] = []
    held: list[str] = []
    for line in lines:
        record_id = next(csv.reader(io.StringIO(line)))[0]
        (held if record_id in order else kept).append(line)
    held.sort(key=lambda line: order[next(csv.reader(io.StringIO(line)))[0]])
    (crm / "Lead.csv").write_text(header + "".join(kept), encoding="utf-8")
    return Arrivals(header, [line if line.endswith("\n") else line + "\n" for line in held])


def reference_owners() -> dict[str, str]:
    """What `leadrelay route` makes of the same sample."""
    with tempfile.TemporaryDirectory(prefix="leadrelay-demo-") as scratch:
        reference = Path(scratch) / "crm"
        shutil.copytree(SAMPLE, reference)
        connector = CsvCrm(reference)
        route_routable(open_session(connector, POLICY), connector, dry_run=False)
        return _owners(reference)


def _owners(crm: Path) -> dict[str, str]:
    with (crm / "Lead.csv").open(encoding="utf-8") as handle:
        return {row["Id"]: row["OwnerId"] for row in csv.DictReader(handle)}


def start_afresh(work: Path) -> None:
    """Clear the previous demo's record and Redis, never another CRM's."""
    others = foreign_crms(work / "leadrelay.db", work)
    if others:
        raise HomeInUse(
            f"{work / 'leadrelay.db'} holds decisions of other CRMs than the sample's copy "
            f"({', '.join(others)}), and the demo starts its home afresh — give it a home of "
            "its own: --home DIR (then LEADRELAY_HOME=DIR for the commands after it)"
        )
    EmbeddedRedis(work / "redis").stop()  # a previous run's, if it was left running
    shutil.rmtree(work / "redis", ignore_errors=True)
    for leftover in ("leadrelay.db", "leadrelay.db-wal", "leadrelay.db-shm", "worker.log"):
        (work / leftover).unlink(missing_ok=True)
    shutil.rmtree(work / "demo", ignore_errors=True)  # where demos before this one lived
    work.mkdir(parents=True, exist_ok=True)


# --- the processes ---------------------------------------------------------------------------


@contextmanager
def running_worker(work: Path, crm: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        LEADRELAY_HOME=str(work),
        LEADRELAY_POLL_SECONDS="1",
        LEADRELAY_LOG_FORMAT="json",
        LEADRELAY_DRY_RUN="false",
    )
    command = [sys.executable, "-c", "from worker.cli import app; app()", "worker"]
    command += ["--crm", f"csv:{crm}", "--policy", str(POLICY), "--beat", "-c", "1"]
    with (work / "worker.log").open("wb") as log:
        process = subprocess.Popen(  # cwd: no stray .env from where the demo was started
            command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_ready(process, work / "worker.log")
        yield process
    finally:
        _stop(process)


def _wait_until_ready(process: subprocess.Popen[bytes], log: Path, timeout_s: float = 90) -> None:
    """Leads start arriving once the worker consumes, so speed to lead is not start-up time."""
    deadline = time.monotonic() + timeout_s
    while b" ready." not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the demo worker did not start; see {log}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the worker (it finishes its task and stops its beat), then clear its group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the group the demo started, by its id
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


# --- the live view ---------------------------------------------------------------------------


@dataclass
class Seen:
    rows: list[dict[str, Any]] = field(default_factory=list)
    last_id: int = 0
    speed_s: list[float] = field(default_factory=list)


def read_new(store: Store, seen: Seen, arrivals: Arrivals) -> None:
    query = (
        sa.select(decisions)
        .where(decisions.c.id > seen.last_id, decisions.c.write_status == "written")
        .order_by(decisions.c.id)
    )
    with store.engine.connect() as connection:
        for row in connection.execute(query).mappings():
            seen.last_id = row["id"]
            seen.rows.append(dict(row))
            arrived = arrivals.arrived_at.get(row["record_id"])
            if arrived is not None:
                seen.speed_s.append(time.monotonic() - arrived)


def view(world: World, seen: Seen, arrivals: Arrivals, started: float) -> Group:
    table = Table("lead", "owner", "rule", "why", expand=True, title="decisions as they happen")
    for row in seen.rows[-_SHOWN:]:
        table.add_row(
            cell(row["record_id"]),
            cell(world.owner_name(row["owner_id"])),
            cell(row["rule"]),
            cell(row["reason"]),
        )
    return Group(cell(_progress(seen, arrivals, started)), table)


def _progress(seen: Seen, arrivals: Arrivals, started: float) -> str:
    return (
        f"{time.monotonic() - started:5.1f}s  arrived {arrivals.released}/{len(arrivals.rows)}"
        f"  routed and written {len(seen.rows)}  speed to lead {_speed(seen)}"
    )


def _speed(seen: Seen) -> str:
    if len(seen.speed_s) < 2:
        return "—"
    cuts = statistics.quantiles(seen.speed_s, n=20)
    return f"p50 {statistics.median(seen.speed_s):.2f}s p95 {cuts[18]:.2f}s"


# --- the command ---------------------------------------------------------------------------


@dataclass
class Demo:
    crm: Path
    store: Store
    arrivals: Arrivals
    world: World
    seen: Seen = field(default_factory=Seen)
    started: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> bool:
        return len(self.seen.rows) >= len(self.arrivals.rows)


def run_demo(home: Path, seconds: float, per_second: int, console: Console) -> bool:
    """Returns True when the CRM ends as `leadrelay route` leaves it."""
    work = home.expanduser().resolve()
    start_afresh(work)
    crm, _ = copy_sample(work, fresh=True)
    arrivals = hold_back_routable(crm)
    store = Store(_demo_database(work))
    store.migrate()
    demo = Demo(crm, store, arrivals, World(CsvCrm(crm).snapshot()))
    console.print(
        markup(
            "[bold]LeadRelay demo[/bold]: a worker and beat route a copy of the Acme sample "
            "({});\n{} new leads arrive, {} a second, and each decision shows with its reason.",
            crm,
            len(arrivals.rows),
            per_second,
        )
    )
    try:
        with running_worker(work, crm) as worker:
            _watch(console, demo, worker, seconds, per_second)
    finally:
        store.close()
        EmbeddedRedis(work / "redis").stop()
    return _summary(console, work, demo)


def _watch(
    console: Console,
    demo: Demo,
    worker: subprocess.Popen[bytes],
    seconds: float,
    per_second: int,
) -> None:
    live = Live(_view(demo), console=console, auto_refresh=False) if console.is_terminal else None
    printed = 0
    next_arrival = demo.started
    with live or nullcontext():
        while time.monotonic() - demo.started < seconds and not demo.finished:
            if worker.poll() is not None:
                console.print("[red]the worker stopped; its log is worker.log[/red]")
                return
            if time.monotonic() >= next_arrival and not demo.arrivals.done:
                demo.arrivals.release(demo.crm, per_second)
                next_arrival += 1.0
            read_new(demo.store, demo.seen, demo.arrivals)
            if live is not None:
                live.update(_view(demo), refresh=True)
            else:
                printed = _print_new(console, demo, printed)
            time.sleep(0.2)


def _view(demo: Demo) -> Group:
    return view(demo.world, demo.seen, demo.arrivals, demo.started)


def _print_new(console: Console, demo: Demo, printed: int) -> int:
    for row in demo.seen.rows[printed:]:
        owner = demo.world.owner_name(row["owner_id"])
        console.print(cell(f"{row['record_id']} → {owner} [{row['rule']}] {row['reason']}"))
    return len(demo.seen.rows)


def _summary(console: Console, work: Path, demo: Demo) -> bool:
    rules = Table("rule", "leads", title="by rule")
    for rule, count in Counter(row["rule"] for row in demo.seen.rows).most_common():
        rules.add_row(cell(rule), str(count))
    console.print(rules)
    console.print(cell(_progress(demo.seen, demo.arrivals, demo.started)))
    same = _owners(demo.crm) == reference_owners()
    verdict = "[green]the same[/green]" if same else "[red]NOT the same[/red]"
    console.print(markup(verdict + " owners as `leadrelay route` on the same sample"))
    console.print(
        markup(
            "\nThe CRM: {}   the record: {}   logs: {}",
            shown_path(demo.crm),
            shown_path(work / "leadrelay.db"),
            shown_path(work / "worker.log"),
        )
    )
    console.print("What the demo made, from this folder (each command is one line):")
    for line in next_commands(work, demo.crm, demo.arrivals.ids[0]):
        console.print(cell("  " + line), soft_wrap=True, overflow="ignore", crop=False)
    elsewhere = settings_elsewhere(work)
    if elsewhere:
        console.print(markup("[yellow]{}[/yellow]", elsewhere), soft_wrap=True)
    return same and demo.finished


def register(app: typer.Typer) -> None:
    app.command()(demo)


def demo(
    home: HomeOption = Path(".leadrelay"),
    seconds: Annotated[float, typer.Option("--seconds", help="stop after this long")] = 60.0,
    per_second: Annotated[int, typer.Option("--per-second", help="leads arriving a second")] = 12,
) -> None:
    """The worker and beat on a copy of the Acme sample: leads arrive, decisions show live."""
    from worker.cli._common import friendly_errors

    with friendly_errors(HomeInUse):
        if not run_demo(home, seconds, per_second, Console()):
            raise typer.Exit(1)


def settings_elsewhere(work: Path) -> str | None:
    """The demo ignores REDIS_URL and DATABASE_URL; the commands after it do not."""
    settings = Settings(LEADRELAY_HOME=work)
    names = [
        name
        for name, differs in (
            ("REDIS_URL", settings.redis_url is not None),
            ("DATABASE_URL", settings.database_url.get_secret_value() != _demo_database(work)),
        )
        if differs
    ]
    if not names:
        return None
    return (
        f"{' and '.join(names)} set here (environment or .env): these commands read that, not "
        "the demo's record and Redis, until it is unset"
    )


def _demo_database(work: Path) -> str:
    return f"sqlite:///{work / 'leadrelay.db'}"


def next_commands(work: Path, crm: Path, record_id: str) -> list[str]:
    """The commands to try next, as they paste: the store and Redis they read are the demo's
    when LEADRELAY_HOME is the demo's home (the default, `.leadrelay`, or set it)."""
    url = f"--crm csv:{shown_path(crm)}"
    policy = f"--policy {shown_path(POLICY)}"
    home = "" if shown_path(work) == ".leadrelay" else f"LEADRELAY_HOME={shown_path(work)} "
    return [
        f"{home}leadrelay explain {record_id} {url} {policy}",
        f"{home}leadrelay history {record_id} {url}",
        f"{home}leadrelay report",
        f"{home}leadrelay status",
        f"{home}leadrelay sla status {url}",
    ]
