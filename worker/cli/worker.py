"""`leadrelay worker`, `beat`, `status`, `retry`: the continuous loop and a look at it.

Celery, Redis and SQLAlchemy are imported inside the commands, so `leadrelay route` does not
pay for them at start-up.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from worker.bootstrap import open_crm
from worker.cli._common import err, friendly_errors
from worker.cli._options import LogLevelOption, PolicyOption, crm_option, flag, policy_option
from worker.jobs.session import check_writable, open_session
from worker.logging import configure_logging
from worker.reports.terminal import markup
from worker.runtime.supervise import Supervisor
from worker.settings import Settings
from worker.state.board import ConfiguredCrm, canonical_url
from worker.state.embedded import EmbeddedRedis, EmbeddedRedisError, EmbeddedServer

if TYPE_CHECKING:
    from worker.bootstrap import Runtime

__all__ = ["register"]


CrmsOption = Annotated[list[str], crm_option("csv:DIR, salesforce: or hubspot:; repeat")]
OptionalCrms = Annotated[list[str] | None, crm_option("CRMs to add to beat's schedule")]
OptionalPolicy = Annotated[Path | None, policy_option()]


@contextmanager
def _runtime(servers: list[EmbeddedServer] | None = None) -> Iterator[Runtime]:
    """Settings from the environment; children inherit the resolved home, so they agree on the
    embedded Redis and the SQLite file. An embedded Redis this process started, it stops (that
    one only: not a server someone else started after it died). `servers` collects the ones
    started while the block runs (the worker's supervisor restarts a server that died)."""
    from worker.bootstrap import Runtime

    settings = Settings()
    configure_logging(settings.log_format)
    os.environ["LEADRELAY_HOME"] = str(settings.home)
    embedded = EmbeddedRedis.for_settings(settings)
    started = servers if servers is not None else []
    if not settings.redis_url:
        started.append(embedded.ensure())
    built = Runtime.build(settings)
    try:
        built.store.migrate()
        yield built
    finally:
        built.close()
        for server in started:
            embedded.stop_started(server)


def _configure_crms(built: Runtime, urls: list[str], policy: Path) -> list[ConfiguredCrm]:
    """Check each CRM and the policy against it now (a clear error beats a failing task), then
    put it on beat's schedule and queue a start-up sweep."""
    from worker.runtime.app import app
    from worker.runtime.schedule import schedule_crm
    from worker.runtime.tasks import sweep

    configured = []
    for url in urls:
        crm = ConfiguredCrm(canonical_url(url), str(policy.expanduser().resolve()))
        _check_policy(built, crm)
        built.board.register(crm)
        schedule_crm(app, crm, built.settings)
        sweep.delay(crm.url, crm.policy)
        configured.append(crm)
    return configured


def _check_policy(built: Runtime, crm: ConfiguredCrm) -> None:
    """The version the worker will route (the latest published, else the file) must load; a
    file that does not is only a warning when a version loaded here before: that one routes."""
    from config.errors import PolicyError
    from connectors.base import RetryableError
    from worker.jobs.policy.source import as_origin, copy_of, current_source, last_loaded

    source = current_source(built.store.engine, Path(crm.policy))
    connector = open_crm(crm.url)
    if not built.settings.dry_run:
        check_writable(connector)
    try:
        with as_origin(source):
            open_session(connector, copy_of(source, built.settings.home))
    except RetryableError as error:  # the CRM is down now: the worker polls it with backoff
        err.print(
            markup(
                "[yellow]{}: the CRM does not answer ({}); the worker starts and polls it with "
                "backoff, checking the policy against it on the first poll that reads[/yellow]",
                crm.url,
                error,
            )
        )
    except PolicyError as error:
        earlier = last_loaded(built.settings.home, source.name)
        if earlier is None:
            raise
        err.print(markup("[red]{}[/red]", error))
        err.print(
            markup(
                "[yellow]refused; routing {}, the version that loaded last, until one that "
                "loads is saved or published[/yellow]",
                earlier.label,
            )
        )


def worker(
    crm: CrmsOption,
    policy: PolicyOption,
    beat: Annotated[bool, flag("--beat", "run beat in this process tree")] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, help="worker processes")
    ] = 2,
    name: Annotated[str | None, typer.Option("--name", help="the worker's node name")] = None,
    loglevel: LogLevelOption = "INFO",
) -> None:
    """Route CRM changes continuously: poll, route, write owners, record every decision."""
    from worker.runtime.app import app

    argv = ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}"]
    argv.append(f"--hostname={name or 'leadrelay@' + socket.gethostname()}")
    # gossip and mingle talk to the other workers over Redis pub/sub; LeadRelay needs neither
    argv += ["--without-gossip", "--without-mingle"]
    if beat:
        argv.append("--beat")
    servers: list[EmbeddedServer] = []
    with friendly_errors(EmbeddedRedisError, code=5, prefix="Redis: "), _runtime(servers) as built:
        for configured in _configure_crms(built, crm, policy):
            err.print(markup("routing {} with {}", configured.url, configured.policy))
        embedded = None if built.settings.redis_url else EmbeddedRedis.for_settings(built.settings)
        supervisor = Supervisor(lambda: app.worker_main(argv), embedded, servers)
        code = supervisor.run()
    if code:
        raise typer.Exit(code)


def beat_command(
    crm: OptionalCrms = None,
    policy: OptionalPolicy = None,
    loglevel: LogLevelOption = "INFO",
) -> None:
    """Run beat: polls each configured CRM on schedule; a second beat waits for the lock."""
    from worker.runtime.app import app

    with friendly_errors(EmbeddedRedisError, code=5, prefix="Redis: "), _runtime() as built:
        if crm:
            if policy is None:
                raise typer.BadParameter("--crm needs --policy")
            _configure_crms(built, crm, policy)
        app.start(["beat", f"--loglevel={loglevel}"])


def status(
    as_json: Annotated[bool, flag("--json", "print it as JSON")] = False,
) -> None:
    """Queues, watermarks, last poll per CRM, dead letters, API budget left."""
    from worker.reports import status as status_view

    with friendly_errors(EmbeddedRedisError, code=5, prefix="Redis: "), _runtime() as built:
        report = status_view.collect(built)
        if as_json:
            print(json.dumps(report, indent=2, default=str))
        else:
            status_view.render(Console(), report)


def retry(
    crm: CrmsOption,
    policy: PolicyOption,
    dry_run: Annotated[bool, flag("--dry-run", "show what would be sent")] = False,
) -> None:
    """Send the owner writes of open dead letters to the CRM again."""
    from worker.jobs.loop import redrive_report
    from worker.reports import status as status_view

    with friendly_errors(EmbeddedRedisError, code=5, prefix="Redis: "), _runtime() as built:
        failed = 0
        for url in crm:
            report = redrive_report(built.crm(url, str(policy)), dry_run=dry_run)
            status_view.render_redrive(Console(), url, report)
            failed += len(report.failed)
        if failed:
            raise typer.Exit(4)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("beat")(beat_command)
    app.command("status")(status)
    app.command("retry")(retry)
