"""One SLA tick against the Salesforce fake org or the HubSpot stand-in, counting the CRM calls
it makes: shared by the API-budget tests and benchmarks/api_budget.py.

`due` clocks fall due by the tick; the first `breached` of them were never touched (their
status is still the untouched one), so they escalate: reassigned in the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from connectors._retry import RetryPolicy
from connectors.base import Connector
from connectors.hubspot.connector import HubSpotConnector
from routing.model import CrmSnapshot
from routing.sla import Clock
from tests.integration.hubspot_server import TOKEN, HubSpotState, hubspot_server
from tests.integration.salesforce_org import FakeOrg, fake_org, session_connector, sf_time
from worker.jobs.sla import CheckReport, SlaRun, check_slas, people_now
from worker.state.clocks import RedisClocks
from worker.state.distribution import RedisState
from worker.store.records import Store
from worker.store.sla import SlaStore

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TICK = T0 + timedelta(minutes=6)
UNTOUCHED, TOUCHED = "Open - Not Contacted", "Working - Contacted"
POLICY = """
name: SLA budget
objects: [%(object)s]
routable: {owners: [%(routable)s]}
fallback: {user: '%(manager)s'}
pools: [{name: reps, members: [%(members)s]}]
rules: [{name: pool, assign: {pool: reps}}]
sla:
  first_touch: {status_leaves: [%(untouched)s]}
  targets: [{name: five minutes, minutes: 5}]
"""


@dataclass(frozen=True)
class Crm:
    """A CRM with its users and `due` leads, and how to open a connector on it."""

    name: str
    reps: tuple[str, ...]
    manager: str
    routable: str
    lead_ids: tuple[str, ...]
    serve: Callable[[], AbstractContextManager[Callable[[], Connector]]]
    calls: Callable[[], int]  # HTTP calls the CRM has seen
    object: str = "Lead"  # what the routed records are: on HubSpot, contacts

    def policy(self, folder: Path) -> Path:
        path = folder / f"{self.name}-policy.yaml"
        members = ", ".join(f"'{r}'" for r in self.reps)
        values = {"routable": self.routable, "manager": self.manager, "members": members,
                  "object": self.object}  # fmt: skip
        path.write_text(POLICY % (values | {"untouched": UNTOUCHED}))
        return path


def salesforce(due: int, breached: int) -> Crm:
    org = FakeOrg()
    manager, reps = "005B00000000000000", tuple(f"005B{n:014d}" for n in range(1, 6))
    stamp = sf_time(T0)
    for n, user in enumerate((manager, *reps)):
        org.add("User", user, Name=f"User {n}", Email=f"u{n}@example.com", IsActive=True,
                ManagerId=None if user == manager else manager, SystemModstamp=stamp)  # fmt: skip
    org.add("Group", "00GB00000000000001", Name="Inbound", Type="Queue", SystemModstamp=stamp)
    ids = tuple(f"00QB{n:014d}" for n in range(due))
    for n, lead in enumerate(ids):
        status = UNTOUCHED if n < breached else TOUCHED
        org.add("Lead", lead, OwnerId=reps[n % len(reps)], Status=status, IsConverted=False,
                Company=f"Co {n}", Email=f"l{n}@x.com", SystemModstamp=stamp)  # fmt: skip

    @contextmanager
    def serve() -> Iterator[Callable[[], Connector]]:
        with fake_org(org):
            yield session_connector

    return Crm("salesforce", reps, manager, "{queue: Inbound}", ids, serve, lambda: len(org.calls))


def hubspot(due: int, breached: int) -> Crm:
    state = HubSpotState()
    manager, reps = "100", tuple(str(101 + n) for n in range(5))
    for owner in (manager, *reps):
        state.add_owner(owner, f"o{owner}@example.com", user_id=int(owner) * 10)
    ids = tuple(str(5000 + n) for n in range(due))
    for n, contact in enumerate(ids):
        status = UNTOUCHED if n < breached else TOUCHED
        state.add("contacts", contact, hubspot_owner_id=reps[n % len(reps)], hs_lead_status=status)

    @contextmanager
    def serve() -> Iterator[Callable[[], Connector]]:
        with hubspot_server(state) as (url, _):
            yield lambda: HubSpotConnector(
                TOKEN, base_url=url, policy=RetryPolicy(sleep=lambda _: None)
            )

    return Crm("hubspot", reps, manager, f"{{user: '{manager}'}}", ids, serve,
               lambda: len(state.calls), "Contact")  # fmt: skip


@dataclass(frozen=True)
class Tick:
    calls: int
    report: CheckReport
    run: SlaRun


def clocks_for(crm: Crm) -> list[Clock]:
    return [
        Clock(
            lead,
            crm.object,
            crm.reps[n % len(crm.reps)],
            T0,
            T0 + timedelta(minutes=5),
            "five minutes",
            "pool",
            pool="reps",
        )
        for n, lead in enumerate(crm.lead_ids)
    ]


def one_tick(
    crm: Crm,
    folder: Path,
    database_url: str,
    client: redis.Redis,
    namespace: str,
    at: datetime = TICK,
) -> Tick:
    """Clocks started for every lead, then one worker tick at `at` (before T0 + 5 minutes
    none is due) (the Redis due-index, the worker's
    copy of the CRM read before the tick, the shared rotation), with its CRM calls counted."""
    store = Store(database_url)
    store.migrate()
    state = RedisState(client, namespace)
    try:
        with crm.serve() as connect:
            connector = connect()
            known: CrmSnapshot = connector.snapshot()  # a worker's copy, read by its sweep
            run = SlaRun(crm.name, connector, crm.policy(folder), SlaStore(store.engine),
                         index=RedisClocks(client, namespace), state=state,
                         people=lambda: people_now(connector, known))  # fmt: skip
            run.store.open_clocks(crm.name, clocks_for(crm), T0)
            run.index.rebuild(run.store.unclosed(crm.name))  # type: ignore[union-attr]
            before = crm.calls()
            report = check_slas(run, at)
            return Tick(crm.calls() - before, report, run)
    finally:
        state.clear()
        store.close()
