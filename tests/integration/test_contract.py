"""The connector contract, run over the CSV, Salesforce and HubSpot connectors."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from connector_contract import CONTRACT, ContractCase
from hubspot_server import TOKEN, HubSpotState, hubspot_server
from salesforce_org import FakeOrg, fake_org, session_connector
from test_hubspot import populated as hubspot_data
from test_salesforce import populated as salesforce_data

from connectors._retry import RetryPolicy
from connectors.csvcrm.connector import CsvCrm
from connectors.hubspot.connector import HubSpotConnector

ACME = Path(__file__).resolve().parents[2] / "config" / "examples" / "acme"


@contextmanager
def csv_case(tmp_path: Path) -> Iterator[ContractCase]:
    folder = tmp_path / "acme"
    shutil.copytree(ACME, folder)
    crm = CsvCrm(folder)
    lead = crm.snapshot().leads[0]
    owner = next(rep.id for rep in crm.snapshot().users.values() if rep.id != lead.owner_id)
    yield ContractCase(crm, lead.id, lead.object, owner, "00Q0000000000NOPE")


@contextmanager
def salesforce_case(tmp_path: Path) -> Iterator[ContractCase]:
    with fake_org(salesforce_data(FakeOrg())):
        yield ContractCase(
            session_connector(), "00Q000000000001AAA", "Lead", "005000000000002AAA",
            "00Q000000000404AAA",
        )  # fmt: skip


@contextmanager
def hubspot_case(tmp_path: Path) -> Iterator[ContractCase]:
    with hubspot_server(hubspot_data(HubSpotState())) as (url, _):
        connector = HubSpotConnector(TOKEN, base_url=url, policy=RetryPolicy(sleep=lambda _: None))
        yield ContractCase(connector, "21", "Contact", "102", "404404")


CASES = {"csv": csv_case, "salesforce": salesforce_case, "hubspot": hubspot_case}


@pytest.mark.parametrize("check", CONTRACT, ids=lambda check: check.__name__)
@pytest.mark.parametrize("crm", sorted(CASES))
def test_contract(crm: str, check: Callable[[ContractCase], None], tmp_path: Path) -> None:
    with CASES[crm](tmp_path) as case:
        check(case)
