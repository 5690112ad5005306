"""A worker's CRM context on the Salesforce fake org or the HubSpot stand-in, with new routable
leads on demand and every HTTP call counted: what the API-budget tests and
benchmarks/api_budget.py run the real poll, sweep, retry and SLA jobs against."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import redis
import requests

from connectors._retry import RetryPolicy
from connectors.base import Connector
from connectors.hubspot.connector import HubSpotConnector
from connectors.salesforce._bulk import BulkSettings
from connectors.salesforce.connector import SalesforceSettings
from tests.integration.hubspot_server import TOKEN, HubSpotState, hubspot_server
from tests.integration.salesforce_org import FakeOrg, fake_org, session_connector, sf_time
from worker.jobs.context import CrmContext
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard, crm_key, meter_into
from worker.state.distribution import RedisState
from worker.store.records import Store

UNTOUCHED, TOUCHED = "Open - Not Contacted", "Working - Contacted"
POLICY = """
name: API budget
objects: [%(object)s]
routable: {owners: [%(routable)s]}
fallback: {user: '%(manager)s'}
pools: [{name: reps, members: [%(members)s]}]
rules: [{name: round robin, assign: {pool: reps}}]
sla:
  first_touch: {status_leaves: [%(untouched)s]}
  targets: [{name: five minutes, minutes: 5}]
"""


@dataclass
class Worker:
    ctx: CrmContext
    # new routable leads, modified `age` ago (an idle poll after the lookback sees none again)
    add_leads: Callable[[int, timedelta], list[str]]
    touch: Callable[[list[str]], None]  # their owners worked them (the status moved on)
    requests: Callable[[], list[str]]  # each call so far: "METHOD path" (and SOQL, if any)

    def calls(self) -> int:
        return len(self.requests())

    def spent(self, job: Callable[[], object]) -> int:
        before = self.calls()
        job()
        return self.calls() - before


def _policy(folder: Path, object: str, routable: str, manager: str, reps: list[str]) -> Path:
    path = folder / f"policy-{uuid.uuid4().hex[:6]}.yaml"
    members = ", ".join(f"'{r}'" for r in reps)
    values = {"object": object, "routable": routable, "manager": manager, "members": members}
    path.write_text(POLICY % (values | {"untouched": UNTOUCHED}))
    return path


def _stamp(age: timedelta = timedelta(seconds=1)) -> datetime:
    return datetime.now(UTC) - age


@contextmanager
def salesforce_worker(folder: Path, database_url: str, redis_url: str) -> Iterator[Worker]:
    org = FakeOrg(bulk_polls_before_done=0)
    manager, queue = "005B00000000000000", "00GB00000000000001"
    reps = [f"005B{n:014d}" for n in range(1, 6)]
    stamp = sf_time(_stamp())
    for n, user in enumerate([manager, *reps]):
        org.add("User", user, Name=f"User {n}", Email=f"u{n}@example.com", IsActive=True,
                ManagerId=None if user == manager else manager, SystemModstamp=stamp)  # fmt: skip
    org.add("Group", queue, Name="Inbound", Type="Queue", SystemModstamp=stamp)
    for n in range(20):
        org.add("Account", f"001B{n:014d}", Name=f"Account {n}", Website=f"a{n}.example",
                SystemModstamp=stamp)  # fmt: skip

    def add_leads(count: int, age: timedelta = timedelta(seconds=1)) -> list[str]:
        start, now = len(org.records.get("Lead", [])), sf_time(_stamp(age))
        ids = [f"00QB{start + n:014d}" for n in range(count)]
        for n, lead in enumerate(ids):
            org.add("Lead", lead, OwnerId=queue, Status=UNTOUCHED, IsConverted=False,
                    Company=f"Co {n}", Email=f"l{n}@x{n}.com", CreatedDate=now,
                    SystemModstamp=now)  # fmt: skip
        return ids

    def touch(ids: list[str]) -> None:
        for lead in ids:
            org.get("Lead", lead)["Status"] = TOUCHED

    settings = SalesforceSettings(bulk=BulkSettings(poll_interval=0))
    policy = _policy(folder, "Lead", "{queue: Inbound}", manager, reps)
    with fake_org(org):
        connector = session_connector(settings)
        with _context("salesforce", connector, policy, folder, database_url, redis_url) as ctx:
            yield Worker(ctx, add_leads, touch, lambda: [_described(c) for c in org.calls])


@contextmanager
def hubspot_worker(folder: Path, database_url: str, redis_url: str) -> Iterator[Worker]:
    state = HubSpotState()
    router, manager, reps = "100", "109", [str(101 + n) for n in range(5)]
    for owner in [router, manager, *reps]:
        state.add_owner(owner, f"o{owner}@example.com", user_id=int(owner) * 10)
    for n in range(20):
        state.add("companies", str(2000 + n), name=f"Company {n}", domain=f"a{n}.example")

    def add_leads(count: int, age: timedelta = timedelta(seconds=1)) -> list[str]:
        start = len(state.objects.get("contacts", {}))
        now = _stamp(age).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        ids = [str(50_000 + start + n) for n in range(count)]
        for n, contact in enumerate(ids):
            state.add("contacts", contact, email=f"l{n}@x{n}.com", hubspot_owner_id=router,
                      hs_lead_status=UNTOUCHED, createdate=now, lastmodifieddate=now)  # fmt: skip
        return ids

    def touch(ids: list[str]) -> None:
        for contact in ids:
            state.objects["contacts"][contact]["hs_lead_status"] = TOUCHED

    policy = _policy(folder, "Contact", f"{{user: '{router}'}}", manager, reps)
    with hubspot_server(state) as (url, _):
        connector = HubSpotConnector(TOKEN, base_url=url, policy=RetryPolicy(sleep=lambda _: None))
        with _context("hubspot", connector, policy, folder, database_url, redis_url) as ctx:
            yield Worker(
                ctx, add_leads, touch, lambda: [f"{c.method} {c.path}" for c in state.calls]
            )


def _described(request: requests.PreparedRequest) -> str:
    url = urlparse(request.url or "")
    soql = parse_qs(url.query).get("q", [""])[0]
    return f"{request.method} {url.path} {soql}".strip()


@contextmanager
def _context(
    scheme: str,
    connector: Connector,
    policy: Path,
    folder: Path,
    database_url: str,
    redis_url: str,
) -> Iterator[CrmContext]:
    url = f"{scheme}:budget-{uuid.uuid4().hex[:8]}"
    key = crm_key(url)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = Store(database_url)
    store.migrate()
    settings = Settings.model_validate({"LEADRELAY_HOME": str(folder / "home")})
    board = CrmBoard(client)
    meter_into(board, key, connector)
    ctx = CrmContext(url, key, policy, connector, BatchedRedisState(client, key), store, board,
                     settings)  # fmt: skip
    try:
        yield ctx
    finally:
        RedisState(client, key).clear()
        client.delete(*client.keys(f"leadrelay:crm:{key}:*") or ["-"])
        store.close()
