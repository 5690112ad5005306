"""`leadrelay worker` keeps its Celery worker, and the embedded Redis, running.

The Celery worker runs in a child process (forked, so it shares this process's wiring). When it
exits by itself — an error Celery calls unrecoverable, an out-of-memory kill — it is started
again after a short backoff; when this process is asked to stop (SIGTERM, SIGINT), it passes the
signal on (as SIGTERM), waits for the running tasks to finish (Celery's warm shutdown) and
returns the child's exit code. With the embedded Redis, a server that died is started again from its
append-only file, so the worker's broker comes back without anyone's help.

A child that dies leaves orphans behind (the embedded beat process outlives a SIGKILLed Celery
worker and would keep beat's lock): this process is made their subreaper (Linux), so they are
ended before the next child starts.

A SIGKILL of the whole process group (a crash of the machine's session, `docker kill`) ends
everything here; the next `leadrelay worker` picks up the work: its locks are leases that the
dead one's heartbeat no longer renews (`worker.state.lease`).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from worker.logging import get_logger
from worker.state.embedded import EmbeddedRedis, EmbeddedRedisError, EmbeddedServer

__all__ = ["Supervisor"]

log = get_logger(__name__)

CHECK_EVERY_S = 0.5
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
STEADY_S = 60.0  # a child that ran this long had a fresh start: its backoff starts again


@dataclass
class Supervisor:
    run_child: Callable[[], None]
    embedded: EmbeddedRedis | None = None
    servers: list[EmbeddedServer] = field(default_factory=list)  # the ones this process started
    _stopping: int | None = None
    _child: BaseProcess | None = None

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _STOP_SIGNALS}
        _become_subreaper()
        try:
            return self._loop()
        finally:
            _end_leftovers()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _loop(self) -> int:
        backoff = FIRST_BACKOFF_S
        while True:
            started = time.monotonic()
            child = self._start()
            while child.exitcode is None:
                child.join(CHECK_EVERY_S)
                if self._stopping is None:
                    self._keep_redis_up()
            _end_leftovers()
            if self._stopping is not None or child.exitcode == 0:
                return child.exitcode or 0
            if time.monotonic() - started > STEADY_S:
                backoff = FIRST_BACKOFF_S
            log.error("worker exited; starting it again", exit_code=child.exitcode, in_s=backoff)
            if self._sleep(backoff):
                return 0
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _start(self) -> BaseProcess:
        child = multiprocessing.get_context("fork").Process(target=self._child_main, daemon=False)
        child.start()
        self._child = child
        return child

    def _child_main(self) -> None:
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)  # Celery installs its own
        self.run_child()

    def _keep_redis_up(self) -> None:
        if self.embedded is None or self.embedded.is_running():
            return
        try:
            server = self.embedded.ensure()
        except EmbeddedRedisError as error:
            log.error("embedded Redis could not be started again; retrying", error=str(error))
            return
        if server.owned:
            self.servers.append(server)
            log.warning("embedded Redis had stopped; started it again", url=server.url)

    def _sleep(self, seconds: float) -> bool:
        """True if asked to stop while waiting."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._stopping is not None:
                return True
            self._keep_redis_up()
            time.sleep(min(CHECK_EVERY_S, max(0.0, deadline - time.monotonic())))
        return self._stopping is not None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM or SIGINT: ask the child for Celery's warm shutdown, always with SIGTERM. A
        Ctrl-C in a terminal reaches the child too (one process group), and a second SIGINT
        would make Celery's shutdown a cold one; a second Ctrl-C still does, as in Celery."""
        self._stopping = signum
        child = self._child
        if child is not None and child.pid is not None and child.exitcode is None:
            with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
                os.kill(child.pid, signal.SIGTERM)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_PR_SET_CHILD_SUBREAPER = 36
_LEFTOVER_GRACE_S = 5.0


def _become_subreaper() -> None:
    """Orphans of our children are re-parented to us, not to init (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _children() -> list[int]:
    try:
        text = Path(f"/proc/self/task/{os.getpid()}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def _end_leftovers() -> None:
    """End (SIGTERM, then SIGKILL) and reap the processes left by a child that exited: only
    run when no child of ours is meant to be running."""
    leftovers = _children()
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + _LEFTOVER_GRACE_S
    for pid in leftovers:
        while not _reaped(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _reaped(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _reaped(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not ours to wait for, or already reaped
    return done == pid
