"""`leadrelay serve`: receive HubSpot webhooks and Salesforce outbound messages.

The server only accepts, verifies and enqueues; `leadrelay worker` does the routing. Behind a
proxy, set LEADRELAY_PUBLIC_BASE_URL (HubSpot signs the URL it called) and FORWARDED_ALLOW_IPS
(uvicorn then trusts the proxy's X-Forwarded-* headers).
"""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from worker.cli._common import err, say_error
from worker.events.config import EventSettings
from worker.events.slow_headers import HEADER_TIMEOUT_ENV, HEADER_TIMEOUT_S, SlowHeaderGuard
from worker.logging import configure_logging
from worker.settings import Settings
from worker.state.embedded import EmbeddedRedis, EmbeddedRedisError

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option("--host", help="the address to listen on")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="the port to listen on")
    ] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="server processes")] = 1,
    limit_concurrency: Annotated[
        int, typer.Option("--limit-concurrency", min=1, help="open requests before 503")
    ] = 256,
    header_timeout: Annotated[
        float,
        typer.Option(
            "--header-timeout", min=0.1, help="seconds a client has to send a request's headers"
        ),
    ] = HEADER_TIMEOUT_S,
) -> None:
    """Receive CRM change events and enqueue them for the worker (POST /hooks/hubspot,
    /hooks/salesforce; GET /healthz, /readyz, /metrics), and serve the web console at
    /console/ once LEADRELAY_CONSOLE_ADMIN_PASSWORD or _VIEWER_PASSWORD is set."""
    settings = Settings()
    configure_logging(settings.log_format)
    _say_what_is_served(EventSettings())
    os.environ["LEADRELAY_HOME"] = str(settings.home)  # server processes share the same Redis
    os.environ[HEADER_TIMEOUT_ENV] = str(header_timeout)
    try:
        server = None if settings.redis_url else EmbeddedRedis.for_settings(settings).ensure()
    except EmbeddedRedisError as exc:
        say_error(exc, "Redis: ")
        raise typer.Exit(5) from None
    # uvicorn shuts down on SIGTERM, then raises it again for the previous handler: make that
    # an exit that unwinds, so the embedded Redis this process started is stopped
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        uvicorn.run(
            "worker.events.wiring:build_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            limit_concurrency=limit_concurrency,
            http=SlowHeaderGuard,  # half-open connections must not hold every slot
            log_config=None,  # the root logger is structlog's
            server_header=False,
        )
    finally:
        if server is not None:
            EmbeddedRedis.for_settings(settings).stop_started(server)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _say_what_is_served(events: EventSettings) -> None:
    if not events.hubspot_client_secret.get_secret_value() and not events.salesforce_org_id:
        err.print(
            "[yellow]neither HUBSPOT_CLIENT_SECRET nor SALESFORCE_ORG_ID is set: both hooks "
            "answer 404 — set them in the environment or .env[/yellow]"
        )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
