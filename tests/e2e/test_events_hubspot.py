"""HubSpot events routed by a real worker (two pool processes) against the local HubSpot
server: contacts created after the worker's first full read are routed by their creation
events, and the hubspot_owner_id events that echo those writes route nothing and add no
decision (the app receives them: it is subscribed to owner changes)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.e2e.harness import Cluster, Proc, wait_for
from worker.store.records import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from hubspot_server import TOKEN, HubSpotState, hubspot_server  # noqa: E402

ROUTER, REPS = "100", {"101", "102"}
POLICY = {
    "name": "hubspot inbound",
    "objects": ["Contact"],
    "routable": {"owners": [{"user": "router@acme.example"}]},
    "fallback": {"user": "ann@acme.example"},
    "pools": [{"name": "reps", "members": ["ann@acme.example", "bob@acme.example"]}],
    "rules": [{"name": "round-robin", "assign": {"pool": "reps"}}],
}
_DONE = re.compile(r"Task leadrelay\.route_records\[[0-9a-f-]+\] succeeded")


@pytest.fixture
def hubspot() -> Iterator[tuple[str, HubSpotState]]:
    state = HubSpotState()
    state.add_owner(ROUTER, "router@acme.example", user_id=9000)
    state.add_owner("101", "ann@acme.example", user_id=9001)
    state.add_owner("102", "bob@acme.example", user_id=9002)
    with hubspot_server(state) as running:
        yield running


def done(worker: Proc) -> int:
    return len(_DONE.findall(worker.text()))


def test_creations_after_the_first_read_are_routed_and_owner_echoes_route_nothing(
    cluster: Cluster,
    store: Store,
    e2e_redis: str,
    tmp_path: Path,
    hubspot: tuple[str, HubSpotState],
) -> None:
    url, state = hubspot
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(POLICY))
    cluster.env.update(HUBSPOT_ACCESS_TOKEN=TOKEN, HUBSPOT_BASE_URL=url)
    worker = cluster.worker("events", "hubspot:", policy, concurrency=2)
    client = cluster.client(e2e_redis)

    def events(ids: list[str]) -> None:
        for contact in ids:
            cluster.send(client, "leadrelay.route_records", "hubspot:", str(policy), [contact])

    events(["1", "2"])  # nothing to route: the pool processes make their first full reads
    wait_for(lambda: done(worker) == 2, 60, "the first reads")
    contacts = [str(500 + n) for n in range(8)]
    for n, contact in enumerate(contacts):  # created after those reads
        state.add("contacts", contact, email=f"p{n}@globex.com", hubspot_owner_id=ROUTER)
    events(contacts)  # contact.creation
    wait_for(lambda: done(worker) == 10, 60, "the creation events")
    owners = {c: state.objects["contacts"][c]["hubspot_owner_id"] for c in contacts}
    assert set(owners.values()) == REPS

    events(contacts)  # contact.propertyChange hubspot_owner_id: our own writes, echoed
    wait_for(lambda: done(worker) == 18, 60, "the echoes")
    assert {c: state.objects["contacts"][c]["hubspot_owner_id"] for c in contacts} == owners
    key = next(iter({d.crm for c in contacts for d in store.decisions_for(c)}))
    assert all(len(store.decisions_for(c, key)) == 1 for c in contacts)
