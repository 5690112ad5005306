"""kombu's Redis transport, fixed so a Redis restart under a running task does not kill the worker.

The defect (kombu 5.7, Celery 5.7): when the broker connection drops, Celery's consumer calls
`Connection.collect()` and then `Connection.close()`. `collect()` closes the default channel,
but that close stops half-way (the channel's first Redis call raises ConnectionError, which is
ignored) and `collect()` then detaches the transport from the connection
(`transport.client = None`) while leaving the channel as the connection's default one. `close()`
closes that channel again; this time it gets as far as restoring the unacknowledged messages,
which needs a Redis client, whose parameters come from `transport.client.hostname`: an
AttributeError, which is neither a connection nor a channel error, so it escapes kombu's
`ignore_errors`, Celery logs "Unrecoverable error" and the worker exits.

The fix: a channel keeps the connection it was opened for, so it can still reach Redis after
its transport was detached. When Redis is back, the restore puts the cancelled task's message
back on its queue (it is redelivered at once instead of after the visibility timeout); when it
is not, the restore fails with a ConnectionError, which kombu ignores as it should, and the
message waits in Redis's unacked set for the visibility timeout as any unacknowledged one does.

`install()` points kombu's `redis` and `rediss` URL schemes at this transport; the URLs stay the
same. It runs when `worker.runtime.app` is imported, before any broker connection exists.

Reconnecting: Celery's consumer retries a lost broker with kombu's default backoff, 2 s more
per attempt up to 30 s, so after a minute-long outage the worker could come back half a minute
after Redis. `AMQP` (the Celery app's `amqp` class) gives its connections a backoff of 1 s, at
most 2 s: a connection attempt to a local Redis costs nothing.
"""

from __future__ import annotations

from typing import Any

from celery.app.amqp import AMQP as CeleryAMQP
from kombu import transport as kombu_transport
from kombu.connection import Connection as KombuConnection
from kombu.transport import redis as kombu_redis

__all__ = ["AMQP", "Channel", "Connection", "Transport", "install"]

RECONNECT_START_S = 1.0
RECONNECT_MAX_S = 2.0

_PATH = f"{__name__}:Transport"


class Channel(kombu_redis.Channel):
    def __init__(self, connection: Any, *args: Any, **kwargs: Any) -> None:
        self._opened_for = connection.client  # the kombu Connection; outlives a detach
        super().__init__(connection, *args, **kwargs)  # type: ignore[no-untyped-call]

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        transport = self.connection
        if transport is None or transport.client is not None or self._opened_for is None:
            return self._params(asynchronous)
        transport.client = self._opened_for  # detached by Connection.collect(): see above
        try:
            return self._params(asynchronous)
        finally:
            transport.client = None

    def _params(self, asynchronous: bool) -> dict[str, Any]:
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)  # type: ignore[no-untyped-call]
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel


def install() -> None:
    """Make `redis://`, `rediss://` and `redis+socket://` broker URLs use this transport."""
    for scheme in ("redis", "rediss"):
        kombu_transport.TRANSPORT_ALIASES[scheme] = _PATH
        # kombu caches a resolved alias; drop one resolved before this ran
        kombu_transport._transport_cache.pop(scheme, None)  # noqa: SLF001 — kombu keeps the transport class here


class Connection(KombuConnection):
    def ensure_connection(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("interval_start", RECONNECT_START_S)
        kwargs.setdefault("interval_step", RECONNECT_START_S)
        kwargs.setdefault("interval_max", RECONNECT_MAX_S)
        return super().ensure_connection(*args, **kwargs)  # type: ignore[no-untyped-call]


class AMQP(CeleryAMQP):  # type: ignore[misc]
    Connection = Connection
    BrokerConnection = Connection
