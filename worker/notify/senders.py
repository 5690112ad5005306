"""Telling managers about a breach: a Slack incoming webhook and email over SMTP.

A notification never blocks a check and never fails it: messages go to a small thread pool,
each is retried a few times with capped backoff, and one that still fails is logged (without
the webhook URL, which is a secret) and counted. `drain` waits, bounded, for what is in flight.
"""

from __future__ import annotations

import json
import smtplib
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from email.message import EmailMessage

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from tenacity import retry, stop_after_attempt, wait_exponential_jitter

from worker.logging import get_logger

log = get_logger(__name__)


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # LEADRELAY_SLACK_WEBHOOK_URL: a Slack incoming webhook; unset: no Slack messages.
    slack_webhook_url: SecretStr | None = Field(default=None, alias="LEADRELAY_SLACK_WEBHOOK_URL")
    # LEADRELAY_SMTP_HOST / _PORT / _USER / _PASSWORD / _FROM / _STARTTLS: email to managers;
    # no host: no email.
    smtp_host: str | None = Field(default=None, alias="LEADRELAY_SMTP_HOST")
    smtp_port: int = Field(default=25, alias="LEADRELAY_SMTP_PORT")
    smtp_user: str | None = Field(default=None, alias="LEADRELAY_SMTP_USER")
    smtp_password: SecretStr | None = Field(default=None, alias="LEADRELAY_SMTP_PASSWORD")
    smtp_from: str = Field(default="leadrelay@localhost", alias="LEADRELAY_SMTP_FROM")
    smtp_starttls: bool = Field(default=False, alias="LEADRELAY_SMTP_STARTTLS")
    # LEADRELAY_NOTIFY_TIMEOUT: seconds per attempt; LEADRELAY_NOTIFY_ATTEMPTS: tries per message.
    timeout_s: float = Field(default=5.0, gt=0, alias="LEADRELAY_NOTIFY_TIMEOUT")
    attempts: int = Field(default=3, ge=1, alias="LEADRELAY_NOTIFY_ATTEMPTS")


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    text: str
    email_to: tuple[str, ...] = ()


@dataclass
class Notifier:
    settings: NotifySettings
    max_backoff_s: float = 4.0
    sent: int = 0
    failed: int = 0
    _pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(4, "notify"))
    _futures: list[Future[None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def enabled(self) -> bool:
        return bool(self._webhook() or self.settings.smtp_host)

    def _webhook(self) -> SecretStr | None:
        """None when unset or empty (an .env line with no value)."""
        webhook = self.settings.slack_webhook_url
        return webhook if webhook is not None and webhook.get_secret_value() else None

    def send(self, message: Message) -> None:
        """Queue the message on every configured channel; returns at once."""
        self._futures = [f for f in self._futures if not f.done()]  # a worker never drains
        for channel in self._channels(message):
            self._futures.append(self._pool.submit(self._deliver, channel))

    def drain(self, timeout_s: float = 30.0) -> None:
        wait(self._futures, timeout=timeout_s)
        self._futures = [f for f in self._futures if not f.done()]

    def close(self) -> None:
        self.drain()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _channels(self, message: Message) -> list[Callable[[], None]]:
        channels: list[Callable[[], None]] = []
        webhook = self._webhook()
        if webhook is not None:
            channels.append(lambda: post_to_slack(webhook, message, self.settings.timeout_s))
        if self.settings.smtp_host and message.email_to:
            channels.append(lambda: send_email(self.settings, message))
        return channels

    def _deliver(self, channel: Callable[[], None]) -> None:
        attempt = retry(
            stop=stop_after_attempt(self.settings.attempts),
            wait=wait_exponential_jitter(max=self.max_backoff_s, jitter=self.max_backoff_s / 4),
            reraise=True,
        )(channel)
        try:
            attempt()
        except (OSError, ValueError, smtplib.SMTPException, urllib.error.URLError) as error:
            with self._lock:
                self.failed += 1
            log.warning("notification failed", error=without_secrets(error))
            return
        with self._lock:
            self.sent += 1


def post_to_slack(webhook: SecretStr, message: Message, timeout_s: float) -> None:
    body = json.dumps({"text": f"*{message.subject}*\n{message.text}"}).encode()
    request = urllib.request.Request(
        webhook.get_secret_value(),
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
        response.read()


def send_email(settings: NotifySettings, message: Message) -> None:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = settings.smtp_from
    email["To"] = ", ".join(message.email_to)
    email.set_content(message.text)
    host = settings.smtp_host or "localhost"
    with smtplib.SMTP(host, settings.smtp_port, timeout=settings.timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(email)


def recipients(emails: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(e for e in emails if e)


def without_secrets(error: BaseException) -> str:
    """The error without a URL in it: a webhook URL is a credential."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    if isinstance(error, urllib.error.URLError):
        return f"unreachable ({type(error.reason).__name__})"
    return f"{type(error).__name__}: {error}"
