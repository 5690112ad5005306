"""The web console's routes on the Acme sample, against real Redis and a real store: who may
see and do what, and that each page says what the CLI would (issue 19)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import ACME_POLICY
from tests.integration.console_support import (
    ADMIN_PASSWORD,
    NOW,
    SECRET_KEY,
    VIEWER_PASSWORD,
    Rig,
    acme_console,
    console_settings,
    csrf_of,
    dead_letter,
    pending_approval,
    signed_in,
    sla_clock,
)
from worker.console.settings import ConsoleSettings
from worker.store.approvals import ApprovalsStore
from worker.store.audit import AuditLog
from worker.store.policies import PolicyVersions

IBM_LEAD, DIANA = "00Q000001700000DEV", "005000000000009AAA"  # named-account → Diana Brooks
RIVAL_LEAD, JUNK_QUEUE = "00Q000001700022DEV", "00G000000000003AAA"
ALICE, BEN = "005000000000002AAA", "005000000000003AAA"
PAGES = ["/console/", "/console/policy", "/console/records?q=IBM", f"/console/records/{IBM_LEAD}",
         "/console/try", "/console/golive", "/console/ops", "/console/audit",
         "/console/policy/diagram.svg", "/console/policy/diagram.mmd"]  # fmt: skip


@pytest.fixture
def rig(tmp_path: Path, redis_url: str, database_url: str) -> Iterator[Rig]:
    with acme_console(tmp_path, redis_url, database_url) as made:
        made.record(made.decisions)
        yield made


@pytest.fixture
def admin(rig: Rig) -> Iterator[TestClient]:
    with signed_in(rig.app, ADMIN_PASSWORD) as client:
        yield client


@pytest.fixture
def viewer(rig: Rig) -> Iterator[TestClient]:
    with signed_in(rig.app, VIEWER_PASSWORD, name="Vic Viewer") as client:
        yield client


def audit(rig: Rig) -> list[tuple[str, str, str, str]]:
    return [(e.who, e.role, e.action, e.outcome) for e in AuditLog(rig.store.engine).latest()]


# --- access ---------------------------------------------------------------------------------------


def test_every_page_asks_a_stranger_to_sign_in(rig: Rig) -> None:
    with TestClient(rig.app) as stranger:
        for path in PAGES:
            answer = stranger.get(path, follow_redirects=False)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("http://testserver/console/login?next=")
        assert stranger.get("/console/decisions/stream").status_code == 401
        assert stranger.post("/console/ops/dead-letters/1/retry").status_code == 401


def test_a_wrong_password_signs_nobody_in(rig: Rig) -> None:
    with TestClient(rig.app) as client:
        answer = client.post("/console/login", data={"name": "Eve", "password": "guess"})
        assert answer.status_code == 401
        assert "not right" in answer.text
        assert client.get("/console/", follow_redirects=False).status_code == 303


def test_ten_wrong_passwords_stop_sign_in_for_a_while(rig: Rig) -> None:
    with TestClient(rig.app) as client:
        for _ in range(10):
            assert (
                client.post("/console/login", data={"name": "E", "password": "x"}).status_code
                == 401
            )
        right = {"name": "Ana", "password": ADMIN_PASSWORD}
        assert client.post("/console/login", data=right).status_code == 429


def test_sign_in_goes_back_where_the_person_was_going_never_elsewhere(rig: Rig) -> None:
    with TestClient(rig.app) as client:
        data = {"name": "Ana", "password": ADMIN_PASSWORD, "next": "/console/ops"}
        assert client.post("/console/login", data=data).url.path == "/console/ops"
    with TestClient(rig.app) as client:
        data = {"name": "Ana", "password": ADMIN_PASSWORD, "next": "https://evil.example/"}
        assert client.post("/console/login", data=data).url.path == "/console/"


def test_without_a_password_in_the_environment_the_console_is_not_served(
    tmp_path: Path, redis_url: str, database_url: str
) -> None:
    with acme_console(tmp_path, redis_url, database_url, ConsoleSettings()) as rig:
        answer = TestClient(rig.app).get("/console/login")
    assert answer.status_code == 404
    assert "LEADRELAY_CONSOLE_ADMIN_PASSWORD" in answer.text


def test_secrets_are_never_rendered(rig: Rig, admin: TestClient) -> None:
    secrets = [ADMIN_PASSWORD, VIEWER_PASSWORD, SECRET_KEY,
               rig.backend.settings.database_url.get_secret_value()]  # fmt: skip
    for path in PAGES:
        answer = admin.get(path)
        assert answer.status_code == 200, path
        assert not [s for s in secrets if s in answer.text], path
    cookie = admin.cookies.get("leadrelay_console") or ""
    assert ADMIN_PASSWORD not in cookie


def test_a_post_without_the_csrf_token_or_from_another_site_is_refused(
    rig: Rig, admin: TestClient
) -> None:
    letter = dead_letter(rig, IBM_LEAD, DIANA)
    path = f"/console/ops/dead-letters/{letter}/retry"
    assert admin.post(path).status_code == 403
    assert admin.post(path, data={"csrf": "forged"}).status_code == 403
    token = csrf_of(admin)
    other_site = {"Origin": "https://evil.example"}
    assert admin.post(path, data={"csrf": token}, headers=other_site).status_code == 403
    assert [d.id for d in rig.store.open_dead_letters(rig.key)] == [letter]
    assert audit(rig) == []


def test_a_viewer_sees_no_action_and_cannot_post_one(rig: Rig, viewer: TestClient) -> None:
    letter = dead_letter(rig, IBM_LEAD, DIANA)
    approval = pending_approval(rig, IBM_LEAD, ALICE, BEN)
    ops = viewer.get("/console/ops").text
    assert "Retry" not in ops and "Approve" not in ops and "Reject" not in ops
    token = csrf_of(viewer)
    for path in [f"/console/ops/dead-letters/{letter}/retry",
                 f"/console/ops/approvals/{approval}/approve",
                 f"/console/ops/approvals/{approval}/reject",
                 "/console/golive/0123456789abcdef/publish"]:  # fmt: skip
        answer = viewer.post(path, data={"csrf": token, "message": "x"})
        assert answer.status_code == 403, path
    assert [d.id for d in rig.store.open_dead_letters(rig.key)] == [letter]
    assert [a.id for a in ApprovalsStore(rig.store.engine).pending(rig.key)] == [approval]
    assert rig.owners()[IBM_LEAD] != DIANA
    assert audit(rig) == []


# --- the policy -----------------------------------------------------------------------------------


def test_the_policy_page_draws_every_rule_in_order_with_todays_members(
    rig: Rig, admin: TestClient
) -> None:
    page = admin.get("/console/policy").text
    rules = ["1. junk", "2. open-opportunity", "6. nurture", "9. tier1-enterprise", "13. tier3"]
    positions = [page.index(rule) for rule in rules]
    assert positions == sorted(positions)
    assert "when score &lt; 40" in page  # conditions in words, escaped as text
    assert "pool enterprise NA West" in page and "Alice Nguyen" in page  # names from the CRM
    assert "/20 open" in page  # load against the cap
    assert "Never published" in page
    mermaid = admin.get("/console/policy/diagram.mmd").text
    assert mermaid.startswith("flowchart LR")
    assert 'nomatch -->|"fallback"|' in mermaid and "r13 ==>" in mermaid  # fallback; step


# --- live decisions -------------------------------------------------------------------------------


def test_the_feed_lists_decisions_filters_them_and_counts_today(
    rig: Rig, admin: TestClient
) -> None:
    page = admin.get("/console/").text
    assert len(rig.decisions) > 100  # the feed shows the newest 100
    assert page.count('<tr data-id="') == 100 and rig.decisions[-1].record_id in page
    by_rule: dict[str, int] = {}
    for decision in rig.decisions:
        by_rule[decision.rule] = by_rule.get(decision.rule, 0) + 1
    assert f'<b id="today-total">{len(rig.decisions)}</b>' in page
    junk = admin.get("/console/", params={"rule": "junk"}).text
    assert RIVAL_LEAD in junk and IBM_LEAD not in junk
    assert junk.count('<tr data-id="') == by_rule["junk"]
    by_owner = admin.get("/console/", params={"owner_id": DIANA}).text
    assert IBM_LEAD in by_owner and RIVAL_LEAD not in by_owner
    assert admin.get("/console/", params={"since": "not a time"}).status_code == 400


def test_the_live_feed_sends_what_is_recorded_after_the_page_was_loaded(
    rig: Rig, admin: TestClient
) -> None:
    last = max(d.id for d in rig.store.decisions_for(IBM_LEAD, rig.key))
    newest = [d for d in rig.decisions if d.record_id == IBM_LEAD]
    rig.record(newest, at=NOW + timedelta(minutes=1))  # routed again, a minute later
    events = admin.get("/console/decisions/stream", params={"after": last, "rule": "named-account"})
    assert events.headers["content-type"].startswith("text/event-stream")
    sent = [json.loads(line[6:]) for line in events.text.splitlines() if line.startswith("data: ")]
    assert len(sent) == 1
    assert IBM_LEAD in sent[0]["html"] and "Diana Brooks" in sent[0]["html"]
    resumed = admin.get(
        "/console/decisions/stream", headers={"Last-Event-ID": str(max(sent[0]["ids"]))}
    )
    assert "event: rows" not in resumed.text  # nothing newer: a reconnect repeats nothing


# --- a record -------------------------------------------------------------------------------------


def test_a_record_page_shows_its_history_the_recorded_trace_and_a_fresh_explain(
    rig: Rig, admin: TestClient
) -> None:
    page = admin.get(f"/console/records/{IBM_LEAD}").text
    assert "routed by rule named-account" in page  # the history
    assert page.count("Rules, in order") == 2  # recorded trace, and today's
    assert "They agree" in page
    assert "Diana Brooks" in page


@pytest.mark.parametrize("query", [IBM_LEAD, "ADA.KING@ibm.com", "ibm"])
def test_records_are_found_by_id_email_or_company(rig: Rig, admin: TestClient, query: str) -> None:
    page = admin.get("/console/records", params={"q": query}).text
    assert f"/console/records/{IBM_LEAD}" in page


# --- try a lead -----------------------------------------------------------------------------------


def test_trying_a_lead_says_where_it_would_go_and_writes_nothing(
    rig: Rig, viewer: TestClient
) -> None:
    lead_csv = (rig.crm / "Lead.csv").read_bytes()
    decided = len(rig.store.decisions_for(RIVAL_LEAD, rig.key))
    form = {"csrf": csrf_of(viewer), "f_Email": "pat@rivalmetrics.com", "f_Company": "Rival",
            "f_Country": "US", "extra": "Tech_Stack__c=Snowflake"}  # fmt: skip
    page = viewer.post("/console/try", data=form).text
    assert "It would go to queue &#39;Junk Queue&#39;" in page
    assert "by rule <b>junk</b>" in page
    assert (rig.crm / "Lead.csv").read_bytes() == lead_csv
    assert len(rig.store.decisions_for(RIVAL_LEAD, rig.key)) == decided
    bad = viewer.post("/console/try", data={"csrf": form["csrf"], "extra": "no equals sign"})
    assert bad.status_code == 400 and "Field=value" in bad.text


# --- before go-live -------------------------------------------------------------------------------


def test_a_draft_is_simulated_and_an_admin_publishes_it_through_the_checks(
    rig: Rig, admin: TestClient
) -> None:
    draft = ACME_POLICY.read_text().replace("{fact: score, lt: 40}", "{fact: score, lt: 65}")
    token = csrf_of(admin)
    page = admin.post("/console/golive", data={"csrf": token, "content": draft})
    assert page.url.path.startswith("/console/golive/")
    assert "leads change owner" in page.text and "nurture" in page.text
    report = admin.get(page.url.path + "/report")
    assert report.status_code == 200 and "<svg" in report.text
    published = admin.post(page.url.path + "/publish", data={"csrf": token, "message": "stricter"})
    assert "Published acme@1" in published.text
    [version] = PolicyVersions(rig.store.engine).history("acme")
    assert (version.author, version.message, version.content) == ("Ana Admin", "stricter", draft)
    assert version.simulation is None  # nothing published before it to compare with
    assert audit(rig) == [("Ana Admin", "admin", "publish policy", "ok")]
    assert "acme@1" in admin.get("/console/policy").text


def test_a_draft_with_problems_is_listed_and_cannot_be_published(
    rig: Rig, admin: TestClient
) -> None:
    draft = ACME_POLICY.read_text().replace("assign: {pool: sdr}", "assign: {pool: sdrs}")
    token = csrf_of(admin)
    page = admin.post("/console/golive", data={"csrf": token, "content": draft})
    assert "problem(s)" in page.text and "sdrs" in page.text
    refused = admin.post(page.url.path + "/publish", data={"csrf": token, "message": "oops"})
    assert "Not published" in refused.text
    assert PolicyVersions(rig.store.engine).history("acme") == []
    assert audit(rig) == [("Ana Admin", "admin", "publish policy", "refused")]


# --- operations -----------------------------------------------------------------------------------


def test_retrying_a_dead_letter_writes_the_owner_and_is_audited(
    rig: Rig, admin: TestClient
) -> None:
    letter = dead_letter(rig, IBM_LEAD, DIANA)
    page = admin.post(f"/console/ops/dead-letters/{letter}/retry", data={"csrf": csrf_of(admin)})
    assert "owner 005000000000009AAA written" in page.text
    assert rig.owners()[IBM_LEAD] == DIANA
    assert rig.store.open_dead_letters(rig.key) == []
    assert audit(rig) == [("Ana Admin", "admin", "retry dead letter", "ok")]
    assert "retry dead letter" in admin.get("/console/audit").text


@pytest.mark.parametrize(("verb", "owner"), [("approve", ALICE), ("reject", BEN)])
def test_a_best_fit_recommendation_is_approved_or_rejected_and_audited(
    rig: Rig, admin: TestClient, verb: str, owner: str
) -> None:
    approval = pending_approval(rig, IBM_LEAD, ALICE, BEN)
    assert "Approve" in admin.get("/console/ops").text
    admin.post(f"/console/ops/approvals/{approval}/{verb}", data={"csrf": csrf_of(admin)})
    assert rig.owners()[IBM_LEAD] == owner
    assert ApprovalsStore(rig.store.engine).pending(rig.key) == []
    assert audit(rig) == [("Ana Admin", "admin", f"{verb} best fit", "ok")]


def test_operations_show_sla_clocks_reps_and_health(rig: Rig, admin: TestClient) -> None:
    sla_clock(rig, IBM_LEAD, DIANA, due_in=-timedelta(minutes=5))
    sla_clock(rig, RIVAL_LEAD, ALICE, due_in=timedelta(minutes=30))
    page = admin.get("/console/ops").text
    assert "1 breached, not yet handled" in page and "1 due within the hour" in page
    assert "Alice Nguyen" in page and "/ 20" in page  # a rep's load against the cap
    assert "the CRM has not reported its allowance" in page  # a CSV CRM has no API budget
    assert "No dead letters." in page


def test_console_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADRELAY_CONSOLE_VIEWER_PASSWORD", "from-env")
    settings = ConsoleSettings()
    assert settings.enabled and "from-env" not in repr(settings)
    assert console_settings().signing_key() == SECRET_KEY
