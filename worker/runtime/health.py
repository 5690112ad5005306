"""Container healthchecks: `python -m worker.runtime.health worker|beat|serve [PORT]`, exit 0 when
healthy. docker-compose.yml runs them; they open no server and start no Redis of their own.

- worker: this container's Celery worker (node `leadrelay@<hostname>`) answers a ping over
  the broker, so it is consuming, not merely alive.
- beat: some beat holds the schedule lock in Redis (a standby beat waiting for it is healthy:
  one beat at a time is the design).
- serve: GET /healthz answers 200.
"""

from __future__ import annotations

import socket
import sys
import urllib.request
from collections.abc import Callable

import redis

from worker.runtime.app import BEAT_KEY_PREFIX
from worker.settings import Settings

TIMEOUT_S = 5.0


def worker_answers() -> bool:
    from worker.runtime.app import app

    replies = app.control.ping(destination=[f"leadrelay@{socket.gethostname()}"], timeout=TIMEOUT_S)
    return bool(replies)


def beat_holds_its_lock(settings: Settings | None = None) -> bool:
    settings = settings or Settings()
    if settings.redis_url is None:
        return False  # the embedded Redis is a laptop's; containers are given REDIS_URL
    client = redis.Redis.from_url(settings.redis_url.get_secret_value(), socket_timeout=TIMEOUT_S)
    try:
        return bool(client.exists(BEAT_KEY_PREFIX + "lock"))
    except redis.RedisError:
        return False
    finally:
        client.close()


def serve_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=TIMEOUT_S) as reply:  # noqa: S310 — a fixed local URL
            return bool(reply.status == 200)
    except OSError:
        return False


def main(argv: list[str]) -> int:
    what = argv[0] if argv else ""
    port = int(argv[1]) if len(argv) > 1 else 8000
    checks: dict[str, Callable[[], bool]] = {
        "worker": worker_answers,
        "beat": beat_holds_its_lock,
        "serve": lambda: serve_answers(port),
    }
    if what not in checks:
        print("usage: python -m worker.runtime.health worker|beat|serve [PORT]", file=sys.stderr)
        return 2
    healthy = checks[what]()
    print(f"{what}: {'healthy' if healthy else 'unhealthy'}")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
