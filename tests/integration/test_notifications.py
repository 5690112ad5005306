"""Assignment notifications against a local Slack server (incoming webhook, and the Web API for
a bot token) and a local SMTP server: batching, failures, retries, giving up; and through the
worker's path on the Acme copy. Time is injected; nothing sleeps."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import SecretStr

from routing.model import Rep
from routing.policy.notifications import (
    EMAIL,
    RETRY_LIMIT,
    ROUTED,
    SLACK,
    Assignment,
    NotificationPolicy,
    assignment_values,
)
from tests.integration.insights_support import clear_redis, policy_with, worker_context
from tests.integration.sla_support import SlackServer, SmtpServer, slack_server, smtp_server
from worker.jobs import loop
from worker.jobs.insight_ticks import send_crm_notifications
from worker.jobs.notifications import Channels, SlackBotSettings, queue_assignments, send_due
from worker.notify.senders import NotifySettings
from worker.store.insights import FAILED, QUEUED, SENT, InsightsStore
from worker.store.records import Store

CRM = "csv-notify"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADA = Rep("005A", "Ada Lovelace", "ada@acme.example")
BOB = Rep("005B", "Bob Byte", "bob@acme.example")
USERS = {r.id: r for r in (ADA, BOB)}
POLICY = NotificationPolicy(channels=(SLACK, EMAIL), batch_window=timedelta(minutes=5))


@pytest.fixture
def insights(database_url: str) -> Iterator[InsightsStore]:
    with Store(database_url) as store:
        store.migrate()
        yield InsightsStore(store.engine)


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with slack_server() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def _channels(slack: SlackServer | None, smtp_port: int | None) -> Channels:
    settings: dict[str, Any] = {"LEADRELAY_NOTIFY_TIMEOUT": 2}
    if slack is not None:
        settings["LEADRELAY_SLACK_WEBHOOK_URL"] = SecretStr(slack.url)
    if smtp_port is not None:
        settings |= {"LEADRELAY_SMTP_HOST": "127.0.0.1", "LEADRELAY_SMTP_PORT": smtp_port}
    return Channels(NotifySettings(**settings), SlackBotSettings())


def _assignment(record_id: str, rep: Rep, company: str = "Navy") -> Assignment:
    values = assignment_values(
        kind=ROUTED,
        record_id=record_id,
        object="Lead",
        owner=rep,
        reason=f"Rule emea: to {rep.name}, next in rotation of pool 'emea'.",
        deadline=NOW + timedelta(hours=1),
        record={"FirstName": "Grace", "LastName": record_id, "Company": company},
    )
    return Assignment(record_id, "Lead", rep.id, ROUTED, values)


def _queue(insights: InsightsStore, channels: Channels, *items: Assignment, key: str = "t") -> int:
    return queue_assignments(insights, CRM, POLICY, USERS, items, channels, key=key, at=NOW)


def _states(insights: InsightsStore) -> dict[str, int]:
    return insights.outbox_counts(CRM)


def test_one_assignment_goes_out_at_once_on_slack_and_email(
    insights: InsightsStore, slack: SlackServer, smtp: SmtpServer
) -> None:
    channels = _channels(slack, smtp.port)
    assert _queue(insights, channels, _assignment("00Q1", ADA)) == 2
    report = send_due(insights, CRM, channels.send, NOW)
    assert (report.batches, report.sent) == (2, 2)
    [post] = slack.posts
    assert post["text"].startswith("*New Lead assigned to you: Grace 00Q1 (Navy)*")
    assert "First touch due: 2026-03-02 10:00 UTC" in post["text"]
    [mail] = smtp.messages
    assert smtp.recipients == [["ada@acme.example"]]
    assert mail["Subject"] == "New Lead assigned to you: Grace 00Q1 (Navy)"
    assert "Why: Rule emea: to Ada Lovelace" in mail.get_payload()
    assert _states(insights) == {SENT: 2}


def test_a_backfill_burst_becomes_one_digest_per_rep(
    insights: InsightsStore, slack: SlackServer
) -> None:
    channels = _channels(slack, None)
    burst = [_assignment(f"00Q{i}", ADA if i % 3 else BOB) for i in range(30)]
    assert _queue(insights, channels, *burst) == 30
    report = send_due(insights, CRM, channels.send, NOW)
    assert (report.batches, report.sent) == (2, 30)
    subjects = sorted(p["text"].splitlines()[0] for p in slack.posts)
    assert subjects == ["*10 records for you*", "*20 records for you*"]
    ada = next(p["text"] for p in slack.posts if p["text"].startswith("*20"))
    assert len(ada.splitlines()) == 21  # the subject, then a line per record


def test_within_the_window_a_rep_waits_for_a_digest(
    insights: InsightsStore, slack: SlackServer
) -> None:
    channels = _channels(slack, None)
    _queue(insights, channels, _assignment("00Q1", ADA), key="a")
    send_due(insights, CRM, channels.send, NOW)
    _queue(insights, channels, _assignment("00Q2", ADA), _assignment("00Q3", ADA), key="b")
    waiting = send_due(insights, CRM, channels.send, NOW + timedelta(minutes=2))
    assert (waiting.batches, waiting.waiting, len(slack.posts)) == (0, 2, 1)
    later = send_due(insights, CRM, channels.send, NOW + timedelta(minutes=5))
    assert (later.batches, later.sent, len(slack.posts)) == (1, 2, 2)
    assert slack.posts[1]["text"].splitlines()[0] == "*2 records for you*"


def test_a_failed_post_is_retried_later_and_email_is_not_held_back(
    insights: InsightsStore, slack: SlackServer, smtp: SmtpServer
) -> None:
    channels = _channels(slack, smtp.port)
    slack.fail_next = 1
    _queue(insights, channels, _assignment("00Q1", ADA))
    first = send_due(insights, CRM, channels.send, NOW)
    assert (first.sent, first.failed_attempts) == (1, 1)
    assert len(smtp.messages) == 1 and slack.posts == []
    [row] = [r for r in insights.outbox(CRM) if r["channel"] == SLACK]
    assert (row["state"], row["attempts"], row["last_error"]) == (QUEUED, 1, "HTTP 500")
    assert row["next_attempt_at"] == NOW + timedelta(minutes=1)
    assert send_due(insights, CRM, channels.send, NOW + timedelta(seconds=30)).batches == 0
    retried = send_due(insights, CRM, channels.send, NOW + timedelta(minutes=1))
    assert retried.sent == 1 and len(slack.posts) == 1
    assert _states(insights) == {SENT: 2}


def test_a_message_that_keeps_failing_is_given_up(insights: InsightsStore) -> None:
    with closed_port() as port:
        channels = _channels(None, port)
        _queue(insights, channels, _assignment("00Q1", ADA))
        at = NOW
        for _ in range(RETRY_LIMIT):
            report = send_due(insights, CRM, channels.send, at)
            assert report.failed_attempts == 1
            at += timedelta(hours=1)
    [row] = insights.outbox(CRM)
    assert (row["state"], row["attempts"]) == (FAILED, RETRY_LIMIT)
    assert row["last_error"].startswith("ConnectionRefusedError")
    assert send_due(insights, CRM, channels.send, at).batches == 0


def test_queueing_the_same_assignment_twice_keeps_one(
    insights: InsightsStore, slack: SlackServer
) -> None:
    channels = _channels(slack, None)
    assert _queue(insights, channels, _assignment("00Q1", ADA)) == 1
    assert _queue(insights, channels, _assignment("00Q1", ADA)) == 0


def test_reps_choose_their_channels_and_unconfigured_channels_are_not_queued(
    insights: InsightsStore, slack: SlackServer
) -> None:
    channels = _channels(slack, None)  # no SMTP: email is not queued at all
    policy = NotificationPolicy(channels=(SLACK, EMAIL), preferences={"005B": ()})
    items = [_assignment("00Q1", ADA), _assignment("00Q2", BOB)]
    queued = queue_assignments(insights, CRM, policy, USERS, items, channels, key="k", at=NOW)
    assert queued == 1
    assert [(r["owner_id"], r["channel"]) for r in insights.outbox(CRM)] == [("005A", SLACK)]


# --- a bot token: a direct message to the user found by email --------------------------------


@contextmanager
def slack_api(known: dict[str, str]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    sent: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            assert self.headers["Authorization"] == "Bearer xoxb-test"
            email = parse_qs(urlparse(self.path).query)["email"][0]
            if email in known:
                self._answer({"ok": True, "user": {"id": known[email]}})
            else:
                self._answer({"ok": False, "error": "users_not_found"})

        def do_POST(self) -> None:  # noqa: N802
            sent.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self._answer({"ok": True})

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api", sent
    finally:
        server.shutdown()
        server.server_close()


def test_a_bot_token_messages_the_rep_found_by_email(insights: InsightsStore) -> None:
    with slack_api({"ada@acme.example": "U0ADA"}) as (api, sent):
        bot = SlackBotSettings(
            LEADRELAY_SLACK_BOT_TOKEN=SecretStr("xoxb-test"), LEADRELAY_SLACK_API_URL=api
        )
        channels = Channels(NotifySettings(LEADRELAY_NOTIFY_TIMEOUT=2), bot)
        _queue(insights, channels, _assignment("00Q1", ADA), _assignment("00Q2", BOB))
        report = send_due(insights, CRM, channels.send, NOW)
    assert (report.sent, report.failed_attempts) == (1, 1)
    assert [m["channel"] for m in sent] == ["U0ADA"]
    bob = next(r for r in insights.outbox(CRM) if r["owner_id"] == "005B")
    assert bob["last_error"] == "RuntimeError: Slack users.lookupByEmail: users_not_found"


@contextmanager
def closed_port() -> Iterator[int]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


# --- through the worker --------------------------------------------------------------------


def test_routed_records_are_told_to_their_new_owners_in_one_digest_each(
    acme_crm: Path,
    database_url: str,
    redis_url: str,
    tmp_path: Path,
    slack: SlackServer,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADRELAY_SLACK_WEBHOOK_URL", slack.url)
    monkeypatch.setenv("LEADRELAY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LEADRELAY_SMTP_PORT", str(smtp.port))
    policy = policy_with(tmp_path, "notifications:\n  channels: [slack, email]\n")
    with worker_context(acme_crm, policy, database_url, redis_url, tmp_path / "home") as ctx:
        try:
            outcome = loop.sweep_crm(ctx, "task-1")
            users = {o for o in outcome.owners.values() if o.startswith("005")}
            rows = InsightsStore(ctx.store.engine).outbox(ctx.key)
            assert {r["owner_id"] for r in rows} == users
            assert all(r["state"] == QUEUED for r in rows)
            report = send_crm_notifications(ctx, now=datetime.now(UTC))
            assert report["batches"] == 2 * len(users) and report["sent"] == len(rows)
            assert len(slack.posts) == len(smtp.messages) == len(users)
            again = loop.sweep_crm(ctx, "task-2")  # nothing routable left: nothing told twice
            assert again.routed == 0
            assert len(InsightsStore(ctx.store.engine).outbox(ctx.key)) == len(rows)
        finally:
            clear_redis(ctx)


def test_a_notification_that_cannot_be_queued_never_blocks_routing(
    acme_crm: Path,
    database_url: str,
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import worker.jobs.insights as hooks

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the outbox is unreachable")

    monkeypatch.setattr(hooks, "queue_assignments", broken)
    monkeypatch.setenv("LEADRELAY_SLACK_WEBHOOK_URL", "http://127.0.0.1:9/none")
    policy = policy_with(tmp_path, "notifications:\n  channels: [slack]\n")
    with worker_context(acme_crm, policy, database_url, redis_url, tmp_path / "home") as ctx:
        try:
            outcome = loop.sweep_crm(ctx, "task-1")
            assert outcome.routed > 100 and outcome.dead_lettered == 0
            assert outcome.written > 100
        finally:
            clear_redis(ctx)
