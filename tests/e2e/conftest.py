"""End-to-end fixtures: a home per test with its own Redis (the embedded default, or a
redis-server of its own when CI sets LEADRELAY_TEST_REDIS_URL) and its own database (SQLite
under the home, or a fresh PostgreSQL schema when CI provides one), and the processes started
in it, stopped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import Cluster, RedisServer
from tests.integration.conftest import _postgres_schema
from worker.state.embedded import EmbeddedRedis
from worker.store.records import Store

TEST_REDIS_URL = os.environ.get("LEADRELAY_TEST_REDIS_URL")
TEST_DATABASE_URL = os.environ.get("LEADRELAY_TEST_DATABASE_URL")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def e2e_redis(home: Path, tmp_path: Path) -> Iterator[str]:
    """The URL the test itself uses; processes get REDIS_URL only when CI asks for a server.

    With LEADRELAY_TEST_REDIS_URL set, each test still gets a redis-server of its own (the same
    binary, on a free port) rather than that shared database: Celery's queue and beat's keys
    are global, so two test runs on one database consume each other's tasks."""
    if TEST_REDIS_URL:
        server = RedisServer(tmp_path)
        server.start()
        yield server.url
        server.kill()
        return
    server = EmbeddedRedis((home / "redis").resolve())
    started = server.ensure()
    yield started.url
    server.stop()


@pytest.fixture
def e2e_database(home: Path) -> Iterator[str]:
    if TEST_DATABASE_URL:
        with _postgres_schema(TEST_DATABASE_URL) as url:
            yield url
        return
    yield f"sqlite:///{home.resolve() / 'leadrelay.db'}"


@pytest.fixture
def cluster(home: Path, e2e_redis: str, e2e_database: str) -> Iterator[Cluster]:
    made = Cluster.create(
        home.resolve(),
        e2e_redis if TEST_REDIS_URL else None,
        e2e_database,
        LEADRELAY_POLL_SECONDS="1",
        LEADRELAY_SWEEP_SECONDS="5",
        LEADRELAY_TASK_SOFT_TIME_LIMIT="20",
        LEADRELAY_TASK_TIME_LIMIT="25",
        LEADRELAY_LONG_TASK_TIME_LIMIT="25",
    )
    Store(e2e_database).migrate()
    yield made
    made.stop_all()


@pytest.fixture
def store(cluster: Cluster, e2e_database: str) -> Iterator[Store]:
    opened = Store(e2e_database)
    yield opened
    opened.close()
