"""Shared fixtures for tests against real services.

Redis: LEADRELAY_TEST_REDIS_URL when set (CI), else one embedded redis-server for the session,
started through `worker.state.embedded` so the fallback itself is exercised.
SQL: SQLite in tmp_path always; PostgreSQL too when LEADRELAY_TEST_DATABASE_URL is set, each
test in a schema of its own that is dropped afterwards.
Tests share servers, never data: every test gets its own Redis namespace or SQL schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import redis
import sqlalchemy as sa

from worker.events.dedupe import RedisDedupe
from worker.state.distribution import RedisState
from worker.state.embedded import EmbeddedRedis

if TYPE_CHECKING:
    from events_support import RecordingEnqueue

TEST_REDIS_URL = os.environ.get("LEADRELAY_TEST_REDIS_URL")
TEST_DATABASE_URL = os.environ.get("LEADRELAY_TEST_DATABASE_URL")


# --- Redis ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if TEST_REDIS_URL:
        yield TEST_REDIS_URL
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    started = server.ensure()
    yield started.url
    if started.owned:
        server.stop()


@pytest.fixture
def redis_namespace() -> str:
    """A namespace no other test (or test run on the same server) uses."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def redis_state(redis_url: str, redis_namespace: str) -> Iterator[RedisState]:
    state = RedisState.from_url(redis_url, redis_namespace)
    yield state
    state.clear()


# --- SQL ------------------------------------------------------------------------------------


def _database_backends() -> list[str]:
    return ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]


@pytest.fixture(params=_database_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema (search_path set in the
    URL, so the code under test needs no schema of its own)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'leadrelay.db'}"
        return
    assert TEST_DATABASE_URL
    with _postgres_schema(TEST_DATABASE_URL) as url:
        yield url


@contextmanager
def _postgres_schema(server_url: str) -> Iterator[str]:
    schema = f"lr_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# --- the change-event receiver ------------------------------------------------------------------


@pytest.fixture
def dedupe(redis_url: str) -> Iterator[RedisDedupe]:
    """De-duplication in the test Redis, in a namespace of its own."""
    client = redis.Redis.from_url(redis_url)
    yield RedisDedupe(client, ttl_s=24 * 3600, namespace=uuid.uuid4().hex)
    client.close()


@pytest.fixture
def enqueue() -> RecordingEnqueue:
    from events_support import RecordingEnqueue  # beside the tests, on their path once collected

    return RecordingEnqueue()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http
