"""The deployment files: `.env.example` names every setting the code reads and is a shell file;
docker-compose.yml runs worker, beat and serve with the user's policy, one shared /data,
healthchecks and the JWT key as a secret (checked by `docker compose config` where Docker
has compose); PostgreSQL by its parts takes any password."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from dotenv import dotenv_values
from pydantic_settings import BaseSettings

from tests.unit.import_graph import module_files
from worker.runtime.health import serve_answers
from worker.settings import Settings

REPO = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = REPO / ".env.example"
LEADRELAY_SERVICES = ("worker", "beat", "serve")
# set by `leadrelay serve` for its own server processes from --header-timeout, not by people
INTERNAL = {"LEADRELAY_HEADER_TIMEOUT_S"}
_READ_BY_HAND = re.compile(
    r"""(?:_env\.)?(?:text|integer|number|share|flag|pairs)\(\s*\w+,\s*"([A-Z][A-Z0-9_]+)"|"""
    r"""environ(?:\.get)?[(\[]\s*"([A-Z][A-Z0-9_]+)"|envvar="([A-Z][A-Z0-9_]+)\""""
)


def _settings_classes() -> Iterator[type[BaseSettings]]:
    """Every settings class of ours: each module imported, so none is missed because no other
    test happened to import it first."""
    for module in module_files():
        if not module.endswith("__main__"):
            importlib.import_module(module)
    pending = list(BaseSettings.__subclasses__())
    while pending:
        found = pending.pop()
        pending += found.__subclasses__()
        yield found


def settings_the_code_reads() -> set[str]:
    names = {
        field.alias
        for cls in _settings_classes()
        for field in cls.model_fields.values()
        if field.alias
    }
    for package in ("connectors", "worker", "config"):
        for path in (REPO / package).rglob("*.py"):
            for match in _READ_BY_HAND.finditer(path.read_text(encoding="utf-8")):
                names.add(next(group for group in match.groups() if group))
    return names - INTERNAL


def test_env_example_names_every_setting_the_code_reads() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    read = settings_the_code_reads()
    assert {"LEADRELAY_METRICS_PORT", "LEADRELAY_SLACK_BOT_TOKEN", "SALESFORCE_LEAD_FILTER"} <= read
    assert sorted(read - listed) == []


def test_env_example_is_a_shell_file_that_means_what_dotenv_reads() -> None:
    sourced = subprocess.run(
        ["bash", "-c", f"set -euo pipefail; set -a; . {ENV_EXAMPLE}; set +a; env -0"],
        capture_output=True,
        check=False,
        env={"PATH": os.environ["PATH"]},
    )
    assert sourced.returncode == 0 and sourced.stderr == b"", sourced.stderr.decode()
    shell = dict(item.split("=", 1) for item in sourced.stdout.decode().split("\0") if "=" in item)
    for name, value in dotenv_values(ENV_EXAMPLE).items():
        assert shell.get(name) == (value or ""), name
    assert shell["SALESFORCE_LEAD_FILTER"] == "IsConverted = false"


def test_env_example_says_what_the_salesforce_integration_user_needs() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    for needed in ("API Enabled", "Edit on OwnerId", "Transfer Leads", "field-level security"):
        assert needed in text


def _check_compose(config: dict[str, Any]) -> None:
    services = config["services"]
    for name in LEADRELAY_SERVICES:
        service = services[name]
        mounts = {_target(m): _source(m) for m in service["volumes"]}
        assert _source_name(mounts["/data"]) == "leadrelay-data", name  # one shared /data
        assert "/config/policy.yaml" in mounts, name
        assert service["environment"]["LEADRELAY_POLICY"] == "/config/policy.yaml"
        assert service["environment"]["POSTGRES_HOST"] == "postgres"
        assert "DATABASE_URL" not in service["environment"]  # built in Python, password quoted
        assert [_secret(s) for s in service["secrets"]] == ["salesforce_jwt_key"]
        assert "python" in service["healthcheck"]["test"] and name in service["healthcheck"]["test"]
    assert any("8000" in str(port) for port in services["serve"]["ports"])
    assert "leadrelay-data" in config["volumes"] and "salesforce_jwt_key" in config["secrets"]


def _target(mount: Any) -> str:
    return mount["target"] if isinstance(mount, dict) else mount.split(":")[1]


def _source(mount: Any) -> str:
    return mount.get("source", "") if isinstance(mount, dict) else mount.split(":")[0]


def _source_name(source: str) -> str:
    return source.removeprefix("leadrelay_").removeprefix("polish_")  # a project prefix


def _secret(secret: Any) -> str:
    return secret["source"] if isinstance(secret, dict) else secret


def test_compose_file_as_written() -> None:
    config = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    _check_compose(config)


def test_docker_compose_config_resolves_the_file(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker is not installed: `docker compose config` cannot run here")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("docker has no compose plugin here: `docker compose config` cannot run")
    env = {**os.environ, "POSTGRES_PASSWORD": "p@ss/w:rd"}
    resolved = subprocess.run(
        [docker, "compose", "--project-name", "leadrelay", "config", "--format", "json"],
        capture_output=True, text=True, check=False, cwd=REPO, env=env,
    )  # fmt: skip
    assert resolved.returncode == 0, resolved.stderr
    config = json.loads(resolved.stdout)
    _check_compose(config)
    worker = config["services"]["worker"]["environment"]
    assert worker["POSTGRES_PASSWORD"] == "p@ss/w:rd"


def test_postgres_by_its_parts_takes_a_password_a_url_cannot_hold() -> None:
    password = "p@ss/w:rd#%?"
    settings = Settings(POSTGRES_HOST="db.internal", POSTGRES_PASSWORD=password)
    url = sa.engine.make_url(settings.database_url.get_secret_value())
    assert (url.host, url.password, url.database) == ("db.internal", password, "leadrelay")
    explicit = Settings(POSTGRES_HOST="db", DATABASE_URL="sqlite:///x.db")
    assert explicit.database_url.get_secret_value() == "sqlite:///x.db"  # DATABASE_URL wins


def test_postgres_by_its_parts_connects() -> None:
    given = os.environ.get("LEADRELAY_TEST_DATABASE_URL")
    if not given:
        pytest.skip("no PostgreSQL: set LEADRELAY_TEST_DATABASE_URL")
    parts = sa.engine.make_url(given)
    settings = Settings(
        POSTGRES_HOST=parts.host, POSTGRES_PORT=parts.port or 5432,
        POSTGRES_USER=parts.username, POSTGRES_PASSWORD=parts.password or "p@ss/w:rd",
        POSTGRES_DB=parts.database,
    )  # fmt: skip
    engine = sa.create_engine(settings.database_url.get_secret_value())
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


class _Healthz(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 — http.server's name
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def test_serve_healthcheck_asks_healthz() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert serve_answers(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
    assert not serve_answers(server.server_address[1])  # closed: unhealthy
