"""The Salesforce connector against a fake org served through `responses`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from salesforce_org import (
    API,
    INSTANCE,
    NOW,
    SESSION_ID,
    FakeOrg,
    fake_org,
    session_connector,
    sf_time,
    sleeps_policy,
)

from connectors.base import (
    AuthError,
    ConfigError,
    FatalError,
    QuotaExhausted,
    QuotaExhaustedDuringWrite,
    RetryableError,
    Window,
)
from connectors.salesforce._auth import SalesforceCredentials
from connectors.salesforce._write import WriteSettings
from connectors.salesforce.connector import SalesforceConnector, SalesforceSettings
from routing.model import Lead, OwnerChange

T0 = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)
JSON = {"Content-Type": "application/json"}


def populated(org: FakeOrg) -> FakeOrg:
    org.add(
        "User",
        "005000000000001AAA",
        Name="Dana Whitfield",
        Email="dana@acme.example",
        Title="VP",
        IsActive=True,
        ManagerId=None,
        Out_Of_Office__c=False,
        SystemModstamp=sf_time(T0),
    )
    org.add(
        "User",
        "005000000000002AAA",
        Name="Lars Eriksen",
        Email=None,
        Title=None,
        IsActive=False,
        ManagerId="005000000000001AAA",
        Out_Of_Office__c=True,
        SystemModstamp=sf_time(T0),
    )
    org.add("Group", "00G000000000001AAA", Name="Inbound Lead Queue", Type="Queue")
    org.add(
        "Account",
        "001000000000001AAA",
        Name="Globex",
        Website="globex.com",
        OwnerId="005000000000001AAA",
        ParentId="001000000000002AAA",
        NumberOfEmployees=1200,
        AnnualRevenue=5.5e7,
        BillingCountry="US",
        SystemModstamp=sf_time(T0),
    )
    org.add(
        "Contact",
        "003000000000001AAA",
        AccountId="001000000000001AAA",
        Email="hank@globex.com",
        OwnerId="005000000000001AAA",
        SystemModstamp=sf_time(T0),
    )
    org.add(
        "Opportunity",
        "006000000000001AAA",
        AccountId="001000000000001AAA",
        OwnerId="005000000000001AAA",
        StageName="Closed Won",
        IsClosed=True,
        IsWon=True,
        Amount=1000.0,
        CreatedDate=sf_time(T0),
        CloseDate="2026-09-30",
        SystemModstamp=sf_time(T0),
    )
    for n in range(1, 6):
        org.add(
            "Lead",
            f"00Q00000000000{n}AAA",
            Email=f"p{n}@globex.com",
            Company="Globex",
            Country="United States",
            NumberOfEmployees=50,
            Status="Open - Not Contacted",
            OwnerId="00G000000000001AAA",
            IsConverted=False,
            Tech_Stack__c="Snowflake",
            CreatedDate=sf_time(T0),
            SystemModstamp=sf_time(T0 + timedelta(minutes=n)),
        )
    return org


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    with fake_org(populated(FakeOrg())) as org:
        yield org


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def sf(sleeps: list[float]) -> SalesforceConnector:
    settings = SalesforceSettings(extra_fields={"Lead": ("Tech_Stack__c",)}, change_page_size=2)
    return session_connector(settings, sleeps)


def soql_of(request: requests.PreparedRequest) -> str:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(request.url or "").query)["q"][0]


# -- reading ---------------------------------------------------------------------------------


def test_snapshot_maps_every_object_and_follows_next_records_url(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    org.page_size = 2
    sf.need_fields({"User": frozenset({"Out_Of_Office__c"})})  # a policy's away field

    snapshot = sf.snapshot()

    assert set(snapshot.users) == {"005000000000001AAA", "005000000000002AAA"}
    lars = snapshot.users["005000000000002AAA"]
    assert lars.is_active is False and lars.fields["Out_Of_Office__c"] is True
    assert lars.manager_id == "005000000000001AAA"
    assert list(snapshot.queues.values())[0].name == "Inbound Lead Queue"
    globex = snapshot.accounts["001000000000001AAA"]
    assert (globex.parent_id, globex.employees, globex.annual_revenue) == (
        "001000000000002AAA",
        1200,
        5.5e7,
    )
    assert snapshot.contacts[0].account_id == "001000000000001AAA"
    won = snapshot.opportunities[0]
    assert won.is_won and won.close_date == datetime(2026, 9, 30, tzinfo=UTC)
    assert [lead.id for lead in snapshot.leads] == [f"00Q00000000000{n}AAA" for n in range(1, 6)]
    lead = snapshot.leads[0]
    assert isinstance(lead, Lead) and lead.object == "Lead" and lead.employees == 50
    assert lead.fields["Tech_Stack__c"] == "Snowflake" and lead.created_date == T0
    queries = [soql_of(c) for c in org.calls if "/query/?" in (c.url or "")]
    assert len(queries) == 6  # one per object; the other calls follow nextRecordsUrl
    assert "Out_Of_Office__c" in queries[0] and "Type = 'Queue'" in queries[1]
    assert "(IsConverted = false)" in queries[-1]
    assert len(org.calls) == 6 + 2  # five leads in pages of two


def test_a_missing_availability_field_is_a_clear_error(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    error = [
        {
            "errorCode": "INVALID_FIELD",
            "message": "No such column 'Out_Of_Office__c' on entity 'User'.",
        }
    ]
    org.fail_next((400, JSON, json.dumps(error)))

    with pytest.raises(FatalError, match="INVALID_FIELD.*SALESFORCE_AVAILABILITY_FIELD"):
        sf.snapshot()


def test_a_window_reads_ascending_in_pages_and_moves_the_watermark_per_page(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    window = Window.following(T0 + timedelta(minutes=2), now=NOW, lookback=timedelta(minutes=1))

    pages = list(sf.changes("Lead", window))

    soql = soql_of(org.calls[0])
    assert f"SystemModstamp >= {(T0 + timedelta(minutes=1)).strftime('%Y-%m-%dT%H:%M')}" in soql
    assert "ORDER BY SystemModstamp ASC, Id ASC" in soql
    ids = [r.id for page in pages for r in page.records]
    assert ids == [f"00Q00000000000{n}AAA" for n in range(1, 6)]  # the overlap re-reads lead 1
    assert [p.watermark for p in pages] == [
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=4),
        NOW,
    ]
    assert all(p.watermark is None or p.watermark <= window.end for p in pages)


def test_a_record_repeated_in_a_window_is_passed_on_once_per_version(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    org.records["Lead"].append(dict(org.records["Lead"][0]))  # same Id, same SystemModstamp
    newer = dict(org.records["Lead"][1], SystemModstamp=sf_time(T0 + timedelta(minutes=30)))
    org.records["Lead"].append(newer)

    pages = list(sf.changes("Lead", Window(T0, NOW)))

    ids = [r.id for page in pages for r in page.records]
    assert ids.count("00Q000000000001AAA") == 1
    assert ids.count("00Q000000000002AAA") == 2  # changed again: a new version


def test_a_quiet_poll_costs_one_call_per_object(org: FakeOrg, sf: SalesforceConnector) -> None:
    objects = ["Lead", "Contact", "Account", "Opportunity", "User"]
    pages = [p for o in objects for p in sf.changes(o, Window(NOW - timedelta(minutes=5), NOW))]

    assert [p.records for p in pages] == [()] * 5
    assert all(p.watermark == NOW for p in pages)
    assert sf.api_calls == 5


def test_an_initial_load_goes_through_bulk_api_2(org: FakeOrg, sleeps: list[float]) -> None:
    sf = session_connector(SalesforceSettings(bulk=_bulk_settings(page_size=2)), sleeps)

    pages = list(sf.changes("Lead", Window(None, NOW)))

    assert [len(p.records) for p in pages] == [2, 2, 1, 0]
    assert [p.watermark for p in pages] == [None, None, None, NOW]
    first = pages[0].records[0]
    assert isinstance(first, Lead) and first.employees == 50 and first.is_converted is False
    assert sleeps == [2.0]  # one poll found the job still running; the sleep was injected
    paths = [c.url.split("/v59.0/")[1].split("?")[0] for c in org.calls if c.url]
    assert paths[0] == "jobs/query/" and "results" in paths[-1]


def test_first_touches_come_from_the_first_task(org: FakeOrg, sf: SalesforceConnector) -> None:
    lead = org.get("Lead", "00Q000000000001AAA")
    lead["Tasks"] = {
        "totalSize": 1,
        "done": True,
        "records": [
            {"attributes": {"type": "Task"}, "CreatedDate": sf_time(T0 + timedelta(minutes=9))}
        ],
    }
    org.get("Lead", "00Q000000000002AAA")["Tasks"] = None

    touches = sf.first_touches("Lead", ["00Q000000000001AAA", "00Q000000000002AAA", "bad'id"])

    assert {t.record_id: t.touched_at for t in touches} == {
        "00Q000000000001AAA": T0 + timedelta(minutes=9),
        "00Q000000000002AAA": None,
    }
    assert "bad'id" not in soql_of(org.calls[0])


# -- writing ---------------------------------------------------------------------------------


def lead_changes(count: int, owner: str = "005000000000001AAA") -> list[OwnerChange]:
    return [OwnerChange(f"00Q{n:015d}", "Lead", owner) for n in range(count)]


def add_leads(org: FakeOrg, count: int) -> None:
    for n in range(count):
        org.add("Lead", f"00Q{n:015d}", OwnerId="00G000000000001AAA", SystemModstamp=sf_time(T0))


def test_owners_are_written_through_collections_without_assignment_rules(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    add_leads(org, 450)

    results = sf.write_owners(lead_changes(450))

    assert all(r.ok for r in results) and len(results) == 450
    patches = [c for c in org.calls if c.method == "PATCH"]
    assert [len(json.loads(c.body or b"")["records"]) for c in patches] == [200, 200, 50]
    assert all(c.headers["Sforce-Auto-Assign"] == "FALSE" for c in patches)
    assert org.get("Lead", "00Q000000000000449")["OwnerId"] == "005000000000001AAA"


def test_partial_failures_are_reported_per_record_and_locks_are_retried(
    org: FakeOrg, sf: SalesforceConnector, sleeps: list[float]
) -> None:
    add_leads(org, 4)
    changes = lead_changes(4) + [OwnerChange("00Q999999999999AAA", "Lead", "005000000000001AAA")]
    org.fail_record("00Q000000000000001", "INACTIVE_OWNER_OR_USER")
    org.fail_record("00Q000000000000002", "UNABLE_TO_LOCK_ROW")
    org.fail_record("00Q000000000000003", "FIELD_CUSTOM_VALIDATION_EXCEPTION")

    results = sf.write_owners(changes)

    assert [r.record_id for r in results] == [c.record_id for c in changes]
    assert [r.ok for r in results] == [True, False, True, False, False]
    assert results[1].error and results[1].error.startswith("INACTIVE_OWNER_OR_USER")
    assert not results[1].retryable
    assert results[3].error and "FIELD_CUSTOM_VALIDATION_EXCEPTION" in results[3].error
    assert results[4].error and results[4].error.startswith("ENTITY_IS_DELETED")
    assert org.get("Lead", "00Q000000000000002")["OwnerId"] == "005000000000001AAA"
    assert len(sleeps) == 1  # one pause before the second round, injected


def test_a_lock_that_never_clears_is_returned_as_retryable(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    add_leads(org, 1)
    org.fail_record("00Q000000000000000", *["UNABLE_TO_LOCK_ROW"] * 5)

    (result,) = sf.write_owners(lead_changes(1))

    assert not result.ok and result.retryable and "UNABLE_TO_LOCK_ROW" in (result.error or "")


def test_a_dry_run_makes_no_call(org: FakeOrg, sf: SalesforceConnector) -> None:
    assert all(r.ok for r in sf.write_owners(lead_changes(3), dry_run=True))
    assert org.calls == []


def test_large_writes_go_through_bulk_api_2(org: FakeOrg, sleeps: list[float]) -> None:
    add_leads(org, 30)
    org.fail_record("00Q000000000000007", "INACTIVE_OWNER_OR_USER")
    settings = SalesforceSettings(write=WriteSettings(bulk_threshold=10), bulk=_bulk_settings())
    sf = session_connector(settings, sleeps)

    results = sf.write_owners(lead_changes(30))

    assert [r.ok for r in results].count(False) == 1
    assert results[7].error and results[7].error.startswith("INACTIVE_OWNER_OR_USER")
    assert org.calls[0].method == "POST" and "jobs/ingest" in (org.calls[0].url or "")
    assert json.loads(org.calls[0].body or b"")["operation"] == "update"
    upload = next(c for c in org.calls if c.method == "PUT")
    assert str(upload.body).startswith("Id,OwnerId\n00Q000000000000000,005000000000001AAA")
    assert sf.api_calls == 7  # create, upload, close, two polls, two result files


# -- faults ----------------------------------------------------------------------------------


def test_server_errors_and_resets_are_retried_with_injected_backoff(
    org: FakeOrg, sf: SalesforceConnector, sleeps: list[float]
) -> None:
    org.fail_next(
        (503, JSON, json.dumps([{"errorCode": "SERVER_UNAVAILABLE", "message": "down"}])),
        requests.ConnectionError("Connection reset by peer"),
        (500, JSON, "[]"),
    )

    assert len(sf.snapshot().users) == 2
    assert len(sleeps) == 3 and all(0 <= s <= 30 for s in sleeps)


def test_retries_stop_after_the_cap(org: FakeOrg, sf: SalesforceConnector) -> None:
    org.fail_next(*[(502, JSON, "[]")] * 5)

    with pytest.raises(RetryableError, match="HTTP 502"):
        sf.snapshot()
    assert len(org.calls) == 5


def test_throttling_honours_retry_after_and_reschedules_a_long_one(
    org: FakeOrg, sf: SalesforceConnector, sleeps: list[float]
) -> None:
    org.fail_next((429, {"Retry-After": "7"}, ""))
    sf.snapshot()
    assert sleeps == [7.0]

    org.fail_next((429, {"Retry-After": "3600"}, ""))
    with pytest.raises(QuotaExhausted) as stopped:
        sf.snapshot()
    assert stopped.value.resume_at == NOW + timedelta(hours=1)


def test_request_limit_exceeded_stops_at_once(org: FakeOrg, sf: SalesforceConnector) -> None:
    body = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}]
    org.fail_next((403, JSON, json.dumps(body)))

    with pytest.raises(QuotaExhausted) as stopped:
        sf.snapshot()
    assert len(org.calls) == 1  # no retry storm
    assert stopped.value.resume_at == NOW + timedelta(hours=1)


def test_a_daily_budget_at_the_configured_share_stops_the_next_call(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    org.api_used = 7_499  # the first reply reports 7500/15000: half the org's allowance

    with pytest.raises(QuotaExhausted, match="7500/15000"):
        sf.snapshot()
    assert len(org.calls) == 1
    budget = sf.api_budget()
    assert budget is not None and budget.share_used == 0.5


def test_a_quota_running_out_mid_write_keeps_the_results_so_far(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    add_leads(org, 300)
    org.api_used = 7_498  # the first PATCH reports 7499, the second 7500: stop before a third

    with pytest.raises(QuotaExhaustedDuringWrite) as stopped:
        sf.write_owners(lead_changes(500))

    assert [r.ok for r in stopped.value.results] == [True] * 300 + [False] * 100
    assert (
        stopped.value.results[-1].error and "ENTITY_IS_DELETED" in stopped.value.results[-1].error
    )
    assert len(org.calls) == 2


def test_malformed_json_is_a_clear_fatal_error(org: FakeOrg, sf: SalesforceConnector) -> None:
    org.fail_next((200, JSON, '{"totalSize": 2, "done": tr'))

    with pytest.raises(FatalError, match="not the JSON we expect"):
        sf.snapshot()


def test_an_expired_session_without_credentials_says_how_to_fix_it(
    org: FakeOrg, sf: SalesforceConnector
) -> None:
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    org.fail_next((401, JSON, json.dumps(expired)))

    with pytest.raises(AuthError) as failed:
        sf.snapshot()
    assert "SALESFORCE_SESSION_ID" in str(failed.value)
    assert SESSION_ID not in str(failed.value) and SESSION_ID not in repr(failed.value)


def test_an_expired_session_logs_in_again_with_a_password(
    org: FakeOrg, sleeps: list[float]
) -> None:
    credentials = SalesforceCredentials(
        username="integration@acme.example", password="hunter2", security_token="TOKEN123"
    )
    sf = SalesforceConnector(credentials, policy=sleeps_policy(sleeps))
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    org.fail_next(
        _soap_login("00D!FIRST"), (401, JSON, json.dumps(expired)), _soap_login("00D!SECOND")
    )

    users = sf.snapshot().users

    assert len(users) == 2
    logins = [c for c in org.calls if "login.salesforce.com" in (c.url or "")]
    assert len(logins) == 2
    assert [c.headers["Authorization"] for c in org.calls[1:4:2]] == [
        "Bearer 00D!FIRST",
        "Bearer 00D!SECOND",
    ]


def test_an_owner_write_retried_after_a_new_login_still_skips_assignment_rules(
    org: FakeOrg, sleeps: list[float]
) -> None:
    """simple-salesforce re-sends a call after logging in again without the headers it was
    given, so the retried PATCH would run the org's assignment rules."""
    org.add("Lead", "00Q000000000001AAA", OwnerId="00G000000000001AAA", IsConverted=False)
    credentials = SalesforceCredentials(
        username="integration@acme.example", password="hunter2", security_token="TOKEN123"
    )
    sf = SalesforceConnector(credentials, policy=sleeps_policy(sleeps))
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    org.fail_next(
        _soap_login("00D!FIRST"), (401, JSON, json.dumps(expired)), _soap_login("00D!SECOND")
    )

    [result] = sf.write_owners([OwnerChange("00Q000000000001AAA", "Lead", "005000000000001AAA")])

    assert result.ok
    patches = [c for c in org.calls if c.method == "PATCH"]
    assert len(patches) == 2  # refused with the old session, then sent again
    assert [c.headers.get("Sforce-Auto-Assign") for c in patches] == ["FALSE", "FALSE"]
    assert [(w.record_id, w.auto_assign) for w in org.owner_writes] == [
        ("00Q000000000001AAA", "FALSE")
    ]


def test_a_wrong_password_is_not_retried_and_not_echoed(org: FakeOrg, sleeps: list[float]) -> None:
    credentials = SalesforceCredentials(
        username="integration@acme.example", password="hunter2", security_token="TOKEN123"
    )
    sf = SalesforceConnector(credentials, policy=sleeps_policy(sleeps))
    fault = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.'
        'xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body>'
        "<soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: "
        "Invalid username, password, security token; or user locked out.</faultstring><detail>"
        "<sf:LoginFault><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>"
        "Invalid username, password, security token; or user locked out.</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    org.fail_next((500, {"Content-Type": "text/xml"}, fault))

    with pytest.raises(AuthError, match="locked out") as failed:
        sf.snapshot()
    assert sleeps == [] and len(org.calls) == 1
    assert "hunter2" not in str(failed.value) and "TOKEN123" not in str(failed.value)


# -- configuration ---------------------------------------------------------------------------


def test_from_env_reads_every_way_in_and_keeps_secrets_out_of_errors() -> None:
    session = {"SALESFORCE_INSTANCE_URL": INSTANCE, "SALESFORCE_SESSION_ID": SESSION_ID}
    assert SalesforceConnector.from_env(session).credentials.method() == "session"
    jwt = {
        "SALESFORCE_USERNAME": "u@x",
        "SALESFORCE_CONSUMER_KEY": "3MVG9",
        "SALESFORCE_PRIVATE_KEY_FILE": "/keys/server.key",
        "SALESFORCE_DOMAIN": "test",
    }
    assert SalesforceConnector.from_env(jwt).credentials.method() == "jwt"
    password = {
        "SALESFORCE_USERNAME": "u@x",
        "SALESFORCE_PASSWORD": "pw",
        "SALESFORCE_SECURITY_TOKEN": "tok",
    }
    sf = SalesforceConnector.from_env(password)
    assert sf.credentials.method() == "password" and "pw" not in repr(sf.credentials)

    with pytest.raises(ConfigError, match="SALESFORCE_SESSION_ID") as missing:
        SalesforceConnector.from_env({"SALESFORCE_SESSION_ID": SESSION_ID})
    assert SESSION_ID not in str(missing.value)
    with pytest.raises(ConfigError, match="SALESFORCE_MAX_DAILY_API_SHARE"):
        SalesforceConnector.from_env({**session, "SALESFORCE_MAX_DAILY_API_SHARE": "80%"})


def test_from_env_reads_the_field_mapping() -> None:
    env = {
        "SALESFORCE_INSTANCE_URL": INSTANCE,
        "SALESFORCE_SESSION_ID": SESSION_ID,
        "SALESFORCE_AVAILABILITY_FIELD": "On_Leave__c",
        "SALESFORCE_EXTRA_FIELDS": "Lead.Tech_Stack__c, User.Languages__c, Lead.Region__c",
        "SALESFORCE_BULK_WRITE_THRESHOLD": "5000",
    }
    settings = SalesforceConnector.from_env(env).settings

    assert settings.fields_of("User")[-2:] == ["On_Leave__c", "Languages__c"]
    assert settings.fields_of("Lead")[-2:] == ["Tech_Stack__c", "Region__c"]
    assert settings.write.bulk_threshold == 5000


# -- helpers ---------------------------------------------------------------------------------


def _bulk_settings(page_size: int = 50_000) -> object:
    from connectors.salesforce._bulk import BulkSettings

    return BulkSettings(poll_interval=2.0, max_polls=5, page_size=page_size)


def _soap_login(session_id: str) -> tuple[int, dict[str, str], str]:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.'
        'xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com"><soapenv:Body>'
        "<loginResponse><result><metadataServerUrl>https://acme.my.salesforce.com/services/Soap/"
        f"m/59.0/00D</metadataServerUrl><passwordExpired>false</passwordExpired><sandbox>false"
        f"</sandbox><serverUrl>{INSTANCE}/services/Soap/u/59.0/00D</serverUrl><sessionId>"
        f"{session_id}</sessionId><userId>005000000000099AAA</userId></result></loginResponse>"
        "</soapenv:Body></soapenv:Envelope>"
    )
    return 200, {"Content-Type": "text/xml"}, body


_ = API
