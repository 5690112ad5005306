"""The broker URLs a worker is given use `worker.broker`'s fixed Redis transport (the fix itself
is proven end to end, by tests/e2e/test_redis_restart.py: without it the worker exits)."""

from __future__ import annotations

from kombu import Connection

import worker.app  # noqa: F401 — installs the transport, as importing the Celery app does
from worker.broker import Transport
from worker.embedded_redis import broker_url


def test_the_redis_url_schemes_use_the_fixed_transport() -> None:
    for url in ("redis://127.0.0.1:6379/0", "rediss://127.0.0.1:6380/1"):
        assert isinstance(Connection(url).transport, Transport), url
    embedded = Connection(broker_url("unix:///tmp/leadrelay-test.sock"))
    assert isinstance(embedded.transport, Transport)
    assert embedded.as_uri().startswith("redis+socket:///tmp/")
