"""The console over a private copy of the Acme sample: real Redis, a real store (SQLite or
PostgreSQL), the CSV CRM as the live CRM, the Acme policy; its decisions recorded as a worker
records them. Shared by the route tests and the browser tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from connectors.csvcrm.connector import CsvCrm
from routing.model import Decision, OwnerChange
from tests.conftest import ACME, ACME_POLICY
from worker.console.app import create_console
from worker.console.backend import Backend
from worker.console.settings import ConsoleSettings
from worker.jobs.session import open_session, route_routable
from worker.settings import Settings
from worker.state.board import ConfiguredCrm
from worker.store.approvals import bestfit_approvals
from worker.store.records import Store
from worker.store.sla import sla_clocks

ADMIN_PASSWORD = "correct horse battery staple"
VIEWER_PASSWORD = "viewer-token-7f3a9c"
SECRET_KEY = "session-signing-key-0b1c2d"
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Rig:
    crm: Path
    configured: ConfiguredCrm
    store: Store
    backend: Backend
    app: Starlette
    decisions: list[Decision]

    @property
    def key(self) -> str:
        return self.configured.key

    def owners(self) -> dict[str, str | None]:
        return {lead.id: lead.owner_id for lead in CsvCrm(self.crm).snapshot().leads}

    def record(self, decisions: list[Decision], at: datetime = NOW) -> None:
        """As a worker records what it routed (dry run: the CSV is left as it is)."""
        self.store.record_decisions(self.key, decisions, decided_at=at, dry_run=True)


def console_settings(**overrides: object) -> ConsoleSettings:
    values: dict[str, object] = {
        "LEADRELAY_CONSOLE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LEADRELAY_CONSOLE_VIEWER_PASSWORD": VIEWER_PASSWORD,
        "LEADRELAY_CONSOLE_SECRET_KEY": SECRET_KEY,
        "LEADRELAY_CONSOLE_FEED_SECONDS": 0.05,
        "LEADRELAY_CONSOLE_STREAM_SECONDS": 0.3,
        **overrides,
    }
    return ConsoleSettings(**values)  # type: ignore[arg-type]


@contextmanager
def acme_console(
    tmp_path: Path, redis_url: str, database_url: str, settings: ConsoleSettings | None = None
) -> Iterator[Rig]:
    crm = tmp_path / "acme"
    shutil.copytree(ACME, crm)
    home = tmp_path / "home"
    worker_settings = Settings(LEADRELAY_HOME=home, DATABASE_URL=database_url)
    store = Store(database_url)
    store.migrate()
    configured = ConfiguredCrm(f"csv:{crm}", str(ACME_POLICY))
    connector = CsvCrm(crm)
    routed = route_routable(open_session(connector, ACME_POLICY), connector, dry_run=True)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    backend = Backend(
        worker_settings, store, client, redis_url, crms=lambda: [configured],
        snapshot_ttl_s=60.0, clock=lambda: NOW,
    )  # fmt: skip
    app = Starlette(
        routes=[Mount("/console", create_console(backend, settings or console_settings()))]
    )
    try:
        yield Rig(crm, configured, store, backend, app, routed.decisions)
    finally:
        client.close()
        store.close()


def signed_in(app: Starlette, password: str, name: str = "Ana Admin") -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    answer = client.post(
        "/console/login", data={"name": name, "password": password, "next": "/console/"}
    )
    assert answer.status_code == 200, answer.text
    return client


def csrf_of(client: TestClient, path: str = "/console/try") -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def dead_letter(rig: Rig, record_id: str, owner_id: str) -> int:
    previous = rig.owners()[record_id]
    change = OwnerChange(record_id, "Lead", owner_id, previous)
    return rig.store.dead_letter(rig.key, change, "HTTP 503 from the CRM", failed_at=NOW)


def pending_approval(rig: Rig, record_id: str, recommended: str, fallback: str) -> int:
    row = {"crm": rig.key, "record_id": record_id, "object": "Lead",
           "previous_owner_id": rig.owners()[record_id], "rule": "tier1-enterprise",
           "pool": "enterprise NA West", "recommended": recommended, "fallback": fallback,
           "model": "m1", "why": f"best fit recommends {recommended}", "state": "pending",
           "held_at": NOW}  # fmt: skip
    with rig.store.engine.begin() as connection:
        return int(
            connection.execute(bestfit_approvals.insert().values(**row)).inserted_primary_key[0]
        )


def sla_clock(rig: Rig, record_id: str, owner_id: str, due_in: timedelta) -> None:
    row = {"crm": rig.key, "clock_key": f"{record_id}:1", "record_id": record_id,
           "object": "Lead", "owner_id": owner_id, "target": "tier 1", "rule": "tier1-enterprise",
           "tier": "Tier 1", "pool": None, "team": None, "calendar": None, "ownership": False,
           "breaches": 0, "breached_owner_ids": [], "routed_at": NOW - timedelta(hours=1),
           "started_at": NOW - timedelta(hours=1), "due_at": NOW + due_in,
           "state": "open"}  # fmt: skip
    with rig.store.engine.begin() as connection:
        connection.execute(sa.insert(sla_clocks).values(**row))
