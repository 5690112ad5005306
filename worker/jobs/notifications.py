"""Assignment notifications: a rep is told that a record is theirs, why, and by when to
touch it — on Slack (an incoming webhook, or a bot token messaging the user found by email)
and/or by email, through `worker.notify.senders`'s clients.

Routing never waits for a message and never fails because of one: an assignment is one
INSERT into the outbox, and a beat task sends what is due, batched per rep and window, with
failures retried later (capped backoff) until they are given up as `failed`.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from routing.model import Rep
from routing.policy import (
    EMAIL,
    SLACK,
    Assignment,
    Batch,
    NotificationPolicy,
    due_batches,
    prerender,
)
from worker.logging import get_logger
from worker.notify.senders import (
    Message,
    NotifySettings,
    post_to_slack,
    send_email,
    without_secrets,
)
from worker.store.insights import InsightsStore, Notice, Outgoing

log = get_logger(__name__)

SEND_ERRORS = (OSError, ValueError, RuntimeError)  # smtplib and urllib errors are OSErrors


class SlackBotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # LEADRELAY_SLACK_BOT_TOKEN: a bot token (xoxb-…) with users:read.email and chat:write;
    # set, reps get a direct message (found by their CRM email) instead of the webhook post.
    bot_token: SecretStr | None = Field(default=None, alias="LEADRELAY_SLACK_BOT_TOKEN")
    # LEADRELAY_SLACK_API_URL: Slack's Web API (tests point it at a local server).
    api_url: str = Field(default="https://slack.com/api", alias="LEADRELAY_SLACK_API_URL")


@dataclass
class Channels:
    """The configured ways out; a channel with nothing configured is not queued at all."""

    notify: NotifySettings
    bot: SlackBotSettings
    _slack_ids: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_env(cls) -> Channels:
        return cls(NotifySettings(), SlackBotSettings())

    def available(self, rep: Rep) -> tuple[str, ...]:
        ways = []
        if self.notify.slack_webhook_url or (self.bot.bot_token and rep.email):
            ways.append(SLACK)
        if self.notify.smtp_host and rep.email:
            ways.append(EMAIL)
        return tuple(ways)

    def send(self, channel: str, recipient: str | None, subject: str, text: str) -> None:
        """One attempt; raises on failure (the outbox retries)."""
        if channel == EMAIL:
            send_email(self.notify, Message(subject, text, (recipient,) if recipient else ()))
        elif self.bot.bot_token and recipient:
            self._direct_message(self.bot.bot_token, recipient, f"*{subject}*\n{text}")
        elif self.notify.slack_webhook_url is not None:
            message = Message(subject, text)
            post_to_slack(self.notify.slack_webhook_url, message, self.notify.timeout_s)
        else:
            raise RuntimeError(f"no {channel} channel is configured")

    def _direct_message(self, token: SecretStr, email: str, text: str) -> None:
        user = self._slack_user(token, email)
        self._slack_api(token, "chat.postMessage", {"channel": user, "text": text})

    def _slack_user(self, token: SecretStr, email: str) -> str:
        with self._lock:
            known = self._slack_ids.get(email)
        if known:
            return known
        query = urllib.parse.urlencode({"email": email})
        answer = self._slack_api(token, f"users.lookupByEmail?{query}", None)
        user_id = str(answer["user"]["id"])
        with self._lock:
            self._slack_ids[email] = user_id
        return user_id

    def _slack_api(
        self, token: SecretStr, method: str, body: Mapping[str, str] | None
    ) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.bot.api_url.rstrip('/')}/{method}",
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {token.get_secret_value()}",
                "Content-Type": "application/json; charset=utf-8",
            },
            method="POST" if body is not None else "GET",
        )
        with urllib.request.urlopen(request, timeout=self.notify.timeout_s) as response:  # noqa: S310
            answer = json.loads(response.read())
        if not answer.get("ok"):
            raise RuntimeError(f"Slack {method.split('?')[0]}: {answer.get('error', 'not ok')}")
        return dict(answer)


# --- queueing --------------------------------------------------------------------------------


def queue_assignments(
    store: InsightsStore,
    crm: str,
    policy: NotificationPolicy,
    users: Mapping[str, Rep],
    assignments: Sequence[Assignment],
    channels: Channels,
    *,
    key: str,
    at: datetime,
) -> int:
    """Queue a message per assignment and channel the rep wants and the worker has; `key` is
    what a redelivery of the same work shares (a task id, a backfill run)."""
    if not policy.enabled:
        return 0
    notices = [
        notice
        for assignment in assignments
        if assignment.kind in policy.kinds and assignment.owner_id in users
        for notice in _notices(policy, users[assignment.owner_id], assignment, channels, key)
    ]
    return store.queue(crm, notices, at)


def _notices(
    policy: NotificationPolicy, rep: Rep, assignment: Assignment, channels: Channels, key: str
) -> list[Notice]:
    wanted = policy.channels_for(rep)
    message = {
        **prerender(assignment.values, policy.templates),
        "window_s": str(policy.batch_window.total_seconds()),
        "max_lines": str(policy.digest_max_lines),
    }
    return [
        Notice(
            key=f"{key}/{assignment.kind}/{assignment.record_id}/{assignment.owner_id}",
            record_id=assignment.record_id,
            object=assignment.object,
            owner_id=assignment.owner_id,
            kind=assignment.kind,
            channel=channel,
            recipient=rep.email,
            values=message,
        )
        for channel in channels.available(rep)
        if channel in wanted
    ]


# --- sending ---------------------------------------------------------------------------------


@dataclass
class SendReport:
    batches: int = 0
    sent: int = 0  # messages (a digest carries several)
    failed_attempts: int = 0
    given_up: int = 0
    waiting: int = 0  # queued, but their rep heard something within the window

    def to_json(self) -> dict[str, int]:
        return {
            "batches": self.batches,
            "sent": self.sent,
            "failed_attempts": self.failed_attempts,
            "given_up": self.given_up,
            "waiting": self.waiting,
        }


Sender = Callable[[str, str | None, str, str], None]  # channel, recipient, subject, text


def send_due(
    store: InsightsStore,
    crm: str,
    send: Sender,
    now: datetime,
    *,
    threads: int = 8,
    deadline_s: float = 60.0,
) -> SendReport:
    """Send what is due, one message per rep and channel whose window is open. Batches go out
    on a few threads; a batch not started by `deadline_s` waits for the next tick."""
    due = store.due(crm, now)
    report = SendReport()
    if not due:
        return report
    window = max(_window(item) for item in due)
    last = store.last_sent(crm, now - window)
    by_id = {item.queued.id: item for item in due}
    batches = due_batches(
        (item.queued for item in due), last, now, window, max(_max_lines(i) for i in due)
    )
    report.waiting = len(due) - sum(len(b.ids) for b in batches)
    started = time.monotonic()

    def deliver(batch: Batch) -> tuple[Batch, str | None]:
        if time.monotonic() - started > deadline_s:
            return batch, ""  # not tried: stays queued as it is
        items = [by_id[i] for i in batch.ids]
        try:
            send(batch.channel, items[0].recipient, batch.subject, batch.text)
        except SEND_ERRORS as error:
            return batch, without_secrets(error)
        return batch, None

    with ThreadPoolExecutor(max(1, min(threads, len(batches) or 1)), "assign-notify") as pool:
        for batch, error in pool.map(deliver, batches):
            _settle(store, batch, error, [by_id[i] for i in batch.ids], now, report)
    return report


def _settle(
    store: InsightsStore,
    batch: Batch,
    error: str | None,
    items: Sequence[Outgoing],
    now: datetime,
    report: SendReport,
) -> None:
    if error == "":
        return
    if error is None:
        store.mark_sent(batch.ids, now)
        report.batches += 1
        report.sent += len(batch.ids)
        return
    report.failed_attempts += len(items)
    report.given_up += store.mark_failed(items, error, now)
    log.warning(
        "assignment notification failed; will retry",
        channel=batch.channel,
        owner_id=batch.owner_id,
        messages=len(items),
        error=error,
    )


def _window(item: Outgoing) -> timedelta:
    return timedelta(seconds=float(item.queued.message.get("window_s", "300")))


def _max_lines(item: Outgoing) -> int:
    return int(item.queued.message.get("max_lines", "20"))
