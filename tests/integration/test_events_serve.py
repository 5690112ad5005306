"""`leadrelay serve` as a process: production wiring with the embedded Redis, a signed event
published as the worker's `leadrelay.route_records` Celery message, ready only once a worker
has registered the CRM, and the embedded Redis it started stopped when it exits."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from events_support import hubspot_event, post_hubspot

from worker.state.board import ConfiguredCrm, CrmBoard
from worker.state.embedded import EmbeddedRedis

SECRET = "serve-test-client-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served_process(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    home, port = tmp_path / "home", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADRELAY_", "HUBSPOT_"))}
    env.pop("REDIS_URL", None)
    env.update(LEADRELAY_HOME=str(home), HUBSPOT_CLIENT_SECRET=SECRET,
               LEADRELAY_LOG_FORMAT="json")  # fmt: skip
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from worker.cli import app; app()", "serve", "--port",
             str(port)],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, log)
        yield base, home, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        EmbeddedRedis(home.resolve() / "redis").stop()  # if the test failed before it did
        assert SECRET not in log.read_text(errors="replace")


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("leadrelay serve did not answer /healthz")


def test_serve_publishes_route_records_for_the_registered_crm(
    served_process: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    base, home, proc = served_process
    client = redis.Redis.from_url(EmbeddedRedis(home.resolve() / "redis").url)
    with httpx.Client(timeout=10) as http:
        assert http.get(f"{base}/readyz").status_code == 503  # no worker registered the CRM
        refused = post_hubspot(http, base, [hubspot_event(1, "contact.creation", 7)], secret=SECRET)
        CrmBoard(client).register(ConfiguredCrm("hubspot:", "/srv/policy.yaml"))
        time.sleep(5.2)  # the board is cached for 5 s
        assert http.get(f"{base}/readyz").status_code == 200
        accepted = post_hubspot(
            http, base, [hubspot_event(1, "contact.creation", 7)], secret=SECRET
        )
    assert refused.status_code == 503  # retried by HubSpot, not lost
    assert accepted.status_code == 204
    (raw,) = client.lrange("leadrelay", 0, -1)
    message = json.loads(raw)
    assert message["headers"]["task"] == "leadrelay.route_records"
    args, _, _ = json.loads(base64.b64decode(message["body"]))
    assert args == ["hubspot:", "/srv/policy.yaml", ["7"]]
    client.close()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(20)
    assert not EmbeddedRedis(home.resolve() / "redis").is_running()
