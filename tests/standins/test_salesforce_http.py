"""The HTTPS stand-in itself, driven in-process by the real connector (simple-salesforce over
requests, TLS verified against the stand-in's CA, through its CONNECT proxy or directly)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from connectors.base import AuthError, FatalError, QuotaExhausted, Window
from connectors.salesforce.connector import SalesforceConnector, SalesforceSettings
from routing.model import OwnerChange
from tests.integration.salesforce_org import (
    FakeOrg,
    limit_exceeded,
    sf_time,
    sleeps_policy,
    throttled,
)
from tests.standins.salesforce_http import SalesforceStandIn, salesforce_standin

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
QUEUE = "00G000000000001AAA"


def populated() -> FakeOrg:
    org = FakeOrg(page_size=2, bulk_polls_before_done=0)
    org.add("Group", QUEUE, Name="Inbound Lead Queue", Type="Queue", SystemModstamp=sf_time(NOW))
    org.add(
        "User",
        "005000000000001AAA",
        Name="Ann",
        IsActive=True,
        Out_Of_Office__c=False,
        SystemModstamp=sf_time(NOW),
    )
    for n in range(5):
        org.add("Lead", f"00Q00000000000{n}AAA", LastName=f"L{n}", OwnerId=QUEUE,
                IsConverted=n == 4, Tech_Stack__c="Snowflake",
                SystemModstamp=sf_time(NOW - timedelta(minutes=n)))  # fmt: skip
    return org


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[SalesforceStandIn]:
    with salesforce_standin(populated()) as running:
        for name, value in running.env().items():
            if not name.startswith("SALESFORCE_"):
                monkeypatch.setenv(name, value)
        yield running
        assert running.errors == []


def connect(
    standin: SalesforceStandIn, flow: str = "jwt", **settings: object
) -> SalesforceConnector:
    env = {k: v for k, v in standin.env(flow).items() if k.startswith("SALESFORCE_")}
    connector = SalesforceConnector.from_env(env, policy=sleeps_policy([]))
    if settings:
        connector.settings = SalesforceSettings(**settings)  # type: ignore[arg-type]
    return connector


@pytest.mark.parametrize("flow", ["jwt", "password", "session"])
def test_each_login_reads_the_org_over_https_with_paging(
    standin: SalesforceStandIn, flow: str
) -> None:
    sf = connect(standin, flow)
    snapshot = sf.snapshot()

    assert sorted(lead.id for lead in snapshot.leads) == [f"00Q00000000000{n}AAA" for n in range(4)]
    pages = [c for c in standin.org.calls if "/query/01g" in c.url]
    assert pages  # the page size of 2 made the connector follow nextRecordsUrl
    assert standin.org.logins == (
        [] if flow == "session" else [{"password": "soap"}.get(flow, flow)]
    )
    budget = sf.api_budget()  # read from the Sforce-Limit-Info header of every reply
    assert budget is not None and budget.limit == 15000 and budget.used > 1000


def test_a_wrong_password_is_refused_as_salesforce_does(standin: SalesforceStandIn) -> None:
    standin.org.passwords = {"integration@acme-analytics.example": "something else"}
    with pytest.raises(AuthError, match="Invalid username, password"):
        connect(standin, "password").snapshot()


def test_an_expired_session_is_renewed_by_logging_in_again(standin: SalesforceStandIn) -> None:
    sf = connect(standin)
    sf.snapshot()
    standin.org.expire_sessions()

    assert len(sf.snapshot().leads) == 4
    assert standin.org.logins == ["jwt", "jwt"]


def test_writes_carry_no_assignment_rules_and_report_each_record(
    standin: SalesforceStandIn,
) -> None:
    org = standin.org
    org.fail_record("00Q000000000001AAA", "UNABLE_TO_LOCK_ROW", "UNABLE_TO_LOCK_ROW")
    org.when_written("00Q000000000002AAA", lambda: org.delete("Lead", "00Q000000000002AAA"))
    changes = [OwnerChange(f"00Q00000000000{n}AAA", "Lead", "005000000000001AAA", QUEUE)
               for n in (0, 1, 2, 4)]  # fmt: skip

    results = connect(standin).write_owners(changes)

    assert [r.ok for r in results] == [True, True, False, False]  # the lock passed on round 3
    assert results[2].error and results[2].error.startswith("ENTITY_IS_DELETED")
    assert results[3].error and results[3].error.startswith("CANNOT_UPDATE_CONVERTED_LEAD")
    assert {(w.auto_assign, w.via) for w in org.owner_writes} == {("FALSE", "collections")}


def test_bulk_reads_and_writes_go_through_bulk_api_2(standin: SalesforceStandIn) -> None:
    sf = connect(standin)
    pages = list(sf.changes("Lead", Window(None, NOW + timedelta(minutes=1))))  # initial load
    assert sorted(r.id for p in pages for r in p.records) == [
        f"00Q00000000000{n}AAA" for n in range(4)
    ]

    sf.settings = SalesforceSettings(write=type(sf.settings.write)(bulk_threshold=1))
    changes = [OwnerChange(f"00Q00000000000{n}AAA", "Lead", "005000000000001AAA", QUEUE)
               for n in range(2)]  # fmt: skip
    assert all(r.ok for r in sf.write_owners(changes))
    assert {w.via for w in standin.org.owner_writes} == {"bulk"}


def test_a_field_hidden_by_field_level_security(standin: SalesforceStandIn) -> None:
    standin.org.hide_field("Lead", "Tech_Stack__c")
    sf = connect(standin, extra_fields={"Lead": ("Tech_Stack__c",)})
    with pytest.raises(
        FatalError, match="INVALID_FIELD: (.|\n)*No such column 'Tech_Stack__c' on entity 'Lead'"
    ):
        sf.snapshot()

    described = sf.client.Lead.describe()
    names = {f["name"] for f in described["fields"]}
    assert "LastName" in names and "Tech_Stack__c" not in names


def test_limits_bursts_and_the_daily_allowance(standin: SalesforceStandIn) -> None:
    sf = connect(standin)
    limits = sf.client.limits()
    assert limits["DailyApiRequests"]["Max"] == 15000

    standin.org.fail_next(throttled(429), throttled(503))
    assert len(sf.snapshot().leads) == 4  # retried after Retry-After

    standin.org.fail_next(limit_exceeded())
    with pytest.raises(QuotaExhausted):
        sf.snapshot()


def test_a_plain_http_request_is_refused(standin: SalesforceStandIn) -> None:
    reply = requests.get(f"{standin.proxy_url}/services/data/v59.0/limits", proxies={}, timeout=5)
    assert reply.status_code == 400


def test_a_tunnel_to_another_host_is_refused(standin: SalesforceStandIn) -> None:
    with pytest.raises(requests.exceptions.ProxyError):
        requests.get("https://example.com/", timeout=5)
