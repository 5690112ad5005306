"""What a read or a backfill will spend, said up front, against the calls the Salesforce fake
org and the HubSpot stand-in actually see."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hubspot_server import TOKEN, HubSpotState, hubspot_server
from salesforce_org import FakeOrg, fake_org, session_connector
from test_backfill_salesforce import deactivate, open_leads_of, org
from typer.testing import CliRunner

from connectors._retry import RetryPolicy
from connectors.estimate import Counts, snapshot_calls, write_calls
from connectors.hubspot.connector import HubSpotConnector
from routing.model import OwnerChange
from tests.conftest import ACME_POLICY
from tests.integration.backfill_helpers import KEVIN, NOW
from worker.cli import app

__all__ = ["org"]

WRITES = ("PATCH", "POST", "PUT")


def test_salesforce_snapshot_and_write_estimates_are_the_calls_made() -> None:
    served = FakeOrg()
    for n in range(3):
        served.add("User", f"005{n:015d}", Name=f"User {n}", IsActive=True)
    served.add("Group", "00G000000000000001", Name="Inbound", Type="Queue")
    for n in range(2_100):  # two query pages
        served.add("Account", f"001{n:015d}", Name=f"Account {n}")
    for n in range(4_001):  # three
        served.add("Lead", f"00Q{n:015d}", OwnerId="005000000000000000", IsConverted=False)
    with fake_org(served):
        sf = session_connector()
        snapshot = sf.snapshot()
        assert sf.api_calls == snapshot_calls(sf, Counts.of(snapshot)) == 9
        before = sf.api_calls
        sf.write_owners(
            [OwnerChange(f"00Q{n:015d}", "Lead", "005000000000000001") for n in range(450)]
        )
        assert sf.api_calls - before == write_calls(sf, 450, 10_000) == 3  # Collections of 200


def test_hubspot_snapshot_and_write_estimates_are_the_calls_made() -> None:
    state = HubSpotState()
    for n in range(3):
        state.add_owner(str(100 + n), f"o{n}@example.com")
    for n in range(450):
        state.add("companies", str(1000 + n), name=f"Company {n}")
    for n in range(400):  # an exact multiple of the search page: one empty page more
        state.add("contacts", str(5000 + n))
    for n in range(10):
        state.add("deals", str(9000 + n))
    with hubspot_server(state) as (url, _):
        hs = HubSpotConnector(TOKEN, base_url=url, policy=RetryPolicy(sleep=lambda _: None))
        snapshot = hs.snapshot()
        # owners 2 + availability 1, three searches with their associations 11, Leads 1
        assert hs.api_calls == snapshot_calls(hs, Counts.of(snapshot)) == 14
        before = hs.api_calls
        hs.write_owners([OwnerChange(str(5000 + n), "Contact", "100") for n in range(250)])
        assert hs.api_calls - before == write_calls(hs, 250, 1_000) == 3  # batches of 100


def said(output: str) -> tuple[int, int, int]:
    found = re.search(r"reading the CRM took ([\d,]+); writing ([\d,]+) owners (?:would|will) "
                      r"cost about ([\d,]+)", output)  # fmt: skip
    assert found, output
    read, moves, writes = (int(g.replace(",", "")) for g in found.groups())
    return read, moves, writes


def test_backfill_says_what_it_will_spend_before_it_writes(
    org: FakeOrg, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SALESFORCE_BULK_WRITE_THRESHOLD", "2000")  # sObject Collections
    deactivate(org, KEVIN)
    kevins = len(open_leads_of(org, KEVIN))
    argv = ["backfill", "--crm", "salesforce:", "--policy", str(ACME_POLICY), "--now",
            NOW.isoformat(), "--scope", "inactive-owners", "--chunk-size", "10"]  # fmt: skip

    dry = CliRunner().invoke(app, [*argv, "--dry-run"])
    read, moves, writes = said(dry.stderr)
    assert "would cost" in dry.stderr
    assert (read, moves) == (len(org.calls), kevins)  # the dry run's calls were its read
    assert writes == -(-kevins // 10)  # one Collections call per chunk of 10

    org.calls.clear()
    real = CliRunner().invoke(app, argv)
    assert real.exit_code == 0, real.output
    read, moves, writes = said(real.stderr)
    first_write = next(i for i, c in enumerate(org.calls) if c.method in WRITES)
    assert read == first_write  # said before the first write: what the read had spent
    assert moves == kevins and writes == len(org.calls) - first_write
    assert open_leads_of(org, KEVIN) == []
