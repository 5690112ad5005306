"""The console's settings, from the environment (or `.env`), beside the receiver's.

The console answers 404 until a password is set: nothing is served to a stranger by default.
"""

from __future__ import annotations

import hashlib

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # LEADRELAY_CONSOLE_ADMIN_PASSWORD: signs a person in as an admin (may act: retry, approve,
    # reject, publish). LEADRELAY_CONSOLE_VIEWER_PASSWORD: as a viewer (reads, tries leads and
    # simulates; changes nothing). A long random token works as well as a password.
    admin_password: SecretStr = Field(
        default=SecretStr(""), alias="LEADRELAY_CONSOLE_ADMIN_PASSWORD"
    )
    viewer_password: SecretStr = Field(
        default=SecretStr(""), alias="LEADRELAY_CONSOLE_VIEWER_PASSWORD"
    )

    # LEADRELAY_CONSOLE_SECRET_KEY: signs the session cookie. Unset: derived from the passwords,
    # so every server process agrees and changing a password signs everyone out.
    secret_key: SecretStr = Field(default=SecretStr(""), alias="LEADRELAY_CONSOLE_SECRET_KEY")

    # LEADRELAY_CONSOLE_HTTPS_ONLY: send the session cookie over HTTPS only (set it in production
    # behind TLS).
    https_only: bool = Field(default=False, alias="LEADRELAY_CONSOLE_HTTPS_ONLY")

    # LEADRELAY_CONSOLE_SESSION_HOURS: how long a sign-in lasts.
    session_hours: float = Field(default=12.0, gt=0, alias="LEADRELAY_CONSOLE_SESSION_HOURS")

    # LEADRELAY_CONSOLE_SNAPSHOT_SECONDS: how long a CRM snapshot (for search, explain and try a
    # lead) is reused before the CRM is read again. A console action that writes reads afresh.
    snapshot_seconds: float = Field(default=60.0, ge=0, alias="LEADRELAY_CONSOLE_SNAPSHOT_SECONDS")

    # LEADRELAY_CONSOLE_FEED_SECONDS: how often the live feed looks for new decisions.
    feed_seconds: float = Field(default=0.5, gt=0, alias="LEADRELAY_CONSOLE_FEED_SECONDS")

    # LEADRELAY_CONSOLE_STREAM_SECONDS: how long one live-feed connection stays open; the
    # browser reconnects from the last decision it saw.
    stream_seconds: float = Field(default=30.0, gt=0, alias="LEADRELAY_CONSOLE_STREAM_SECONDS")

    @property
    def enabled(self) -> bool:
        return bool(
            self.admin_password.get_secret_value() or self.viewer_password.get_secret_value()
        )

    def signing_key(self) -> str:
        given = self.secret_key.get_secret_value()
        if given:
            return given
        both = "\0".join(
            [
                "leadrelay-console",
                self.admin_password.get_secret_value(),
                self.viewer_password.get_secret_value(),
            ]
        )
        return hashlib.sha256(both.encode()).hexdigest()
