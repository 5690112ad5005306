"""The console's ASGI app, mounted by `leadrelay serve` at /console beside the hooks."""

from __future__ import annotations

from datetime import timedelta

import redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from worker.console._services import Settings, Store
from worker.console.actions import Actions
from worker.console.backend import Backend
from worker.console.pages import Pages
from worker.console.render import Renderer
from worker.console.settings import ConsoleSettings
from worker.console.stream import Stream

SESSION_COOKIE = "leadrelay_console"


def create_console(backend: Backend | None, settings: ConsoleSettings) -> Starlette:
    if backend is None or not settings.enabled:
        return Starlette(routes=[Route("/{path:path}", _not_configured)])
    renderer = Renderer(backend)
    pages = Pages(backend, renderer)
    actions = Actions(backend, renderer, pages, settings)
    stream = Stream(backend, renderer, every_s=settings.feed_seconds, for_s=settings.stream_seconds)
    routes = [
        Route("/", pages.feed, name="feed"),
        Route("/login", actions.login_form, methods=["GET"], name="login"),
        Route("/login", actions.login, methods=["POST"]),
        Route("/logout", actions.logout, methods=["POST"], name="logout"),
        Route("/decisions/stream", stream.decisions, name="stream"),
        Route("/policy", pages.policy, name="policy"),
        Route("/policy/diagram.{format:str}", pages.policy_diagram, name="policy_diagram"),
        Route("/records", pages.records, name="records"),
        Route("/records/{record_id:str}", pages.record, name="record"),
        Route("/try", pages.try_form, methods=["GET"], name="try"),
        Route("/try", actions.try_lead, methods=["POST"]),
        Route("/golive", pages.golive, methods=["GET"], name="golive"),
        Route("/golive", actions.new_draft, methods=["POST"]),
        Route("/golive/{draft_id:str}", pages.draft, name="draft"),
        Route("/golive/{draft_id:str}/report", pages.draft_report, name="draft_report"),
        Route("/golive/{draft_id:str}/publish", actions.publish, methods=["POST"], name="publish"),
        Route("/ops", pages.operations, name="operations"),
        Route("/ops/dead-letters/{letter_id:int}/retry", actions.retry, methods=["POST"]),
        Route("/ops/approvals/{approval_id:int}/approve", actions.approve, methods=["POST"]),
        Route("/ops/approvals/{approval_id:int}/reject", actions.reject, methods=["POST"]),
        Route("/audit", pages.audit, name="audit"),
        Mount("/static", StaticFiles(packages=[("worker.console", "static")]), name="static"),
    ]
    session = Middleware(
        SessionMiddleware,
        secret_key=settings.signing_key(),
        session_cookie=SESSION_COOKIE,
        max_age=int(timedelta(hours=settings.session_hours).total_seconds()),
        same_site="strict",
        https_only=settings.https_only,
    )
    return Starlette(routes=routes, middleware=[session])


async def _not_configured(request: Request) -> Response:
    return PlainTextResponse(
        "the console is not configured: set LEADRELAY_CONSOLE_ADMIN_PASSWORD (and/or "
        "LEADRELAY_CONSOLE_VIEWER_PASSWORD) in the environment",
        status_code=404,
    )


def build_console(settings: Settings, client: redis.Redis, redis_url: str) -> Starlette:
    """Production wiring: the store of DATABASE_URL (migrated, for the audit table) and the
    CRMs the workers registered in Redis. Disabled (404, no database opened) without a
    password."""
    console = ConsoleSettings()
    if not console.enabled:
        return create_console(None, console)
    store = Store(settings.database_url.get_secret_value())
    store.migrate()
    backend = Backend(settings, store, client, redis_url, snapshot_ttl_s=console.snapshot_seconds)
    return create_console(backend, console)
