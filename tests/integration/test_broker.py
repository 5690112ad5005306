"""The broker URLs a worker is given use `worker.runtime.broker`'s fixed Redis transport (the fix
itself is proven end to end, by tests/e2e/test_redis_restart.py: without it the worker exits)."""

from __future__ import annotations

from kombu import Connection

import worker.runtime.app  # noqa: F401 — installs the transport, as importing the Celery app does
from worker.runtime.broker import AMQP, Transport
from worker.state.embedded import broker_url


def test_the_redis_url_schemes_use_the_fixed_transport() -> None:
    for url in ("redis://127.0.0.1:6379/0", "rediss://127.0.0.1:6380/1"):
        assert isinstance(Connection(url).transport, Transport), url
    embedded = Connection(broker_url("unix:///tmp/leadrelay-test.sock"))
    assert isinstance(embedded.transport, Transport)
    assert embedded.as_uri().startswith("redis+socket:///tmp/")


def test_the_worker_reconnects_to_a_lost_broker_every_two_seconds_at_most() -> None:
    """kombu's default backoff grows by 2 s an attempt up to 30 s; the worker's connections
    (the consumer's among them: Celery makes them with the app's `amqp` class) retry every
    1–2 s."""
    from worker.runtime.app import app

    assert app.amqp_cls == "worker.runtime.broker:AMQP"  # read without configuring the app
    asked: list[dict[str, object]] = []
    connection = AMQP.Connection("redis://127.0.0.1:1/0")
    connection._ensure_connection = lambda *args, **kwargs: asked.append(kwargs)
    connection.ensure_connection(None, None)  # as Celery's consumer calls it
    (backoff,) = asked
    assert backoff["interval_start"] == 1.0 and backoff["interval_max"] == 2.0
