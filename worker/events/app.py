"""The event receiver: an ASGI app that accepts, verifies, de-duplicates and enqueues.

Nothing is routed here. An event only names records; the worker re-reads each from the CRM
before routing it, so events, polling and the sweep agree, and a record already routed is no
longer routable. A request is answered 2xx once its records are enqueued (or all its events
were seen before); any refusal (401/400/413/429) enqueues nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from worker.events import hubspot, salesforce
from worker.events.config import EventSettings
from worker.events.dedupe import Dedupe
from worker.events.errors import BadRequest, RateLimited, Rejected
from worker.events.limits import RateLimits, read_body
from worker.events.metrics import EventMetrics, WorkerFigures

log = structlog.get_logger(__name__)

Enqueue = Callable[[str, str, list[str]], None]  # (crm, object, record ids)
Check = Callable[[], bool]
Handle = Callable[[bytes], Awaitable[Response]]
Plan = Callable[[set[str]], dict[str, list[str]]]  # new event ids → records per object
CRM = {"hubspot": "hubspot", "salesforce": "salesforce"}


@dataclass
class Receiver:
    settings: EventSettings
    enqueue: Enqueue
    dedupe: Dedupe
    metrics: EventMetrics
    limits: RateLimits
    clock: Callable[[], float]

    def accept(self, source: str, event_ids: Sequence[str], plan: Plan) -> set[str]:
        """Claims the event ids and enqueues the records of the new ones; returns those ids.
        If an enqueue fails the claims are released, so the CRM's retry is processed."""
        claimed = self.dedupe.claim(source, event_ids)
        new = {event_id for event_id, first in zip(event_ids, claimed, strict=True) if first}
        self.metrics.events.labels(source, "new").inc(len(new))
        self.metrics.events.labels(source, "duplicate").inc(len(event_ids) - len(new))
        try:
            for object, record_ids in plan(new).items():
                self.enqueue(CRM[source], object, record_ids)
                self.metrics.enqueued.labels(source, object).inc(len(record_ids))
        except Exception:
            self.dedupe.release(source, sorted(new))
            raise
        return new

    def lag(self, source: str, occurred_at_s: float | None) -> None:
        if occurred_at_s is not None:
            self.metrics.lag.labels(source).observe(max(0.0, self.clock() - occurred_at_s))


def create_app(
    settings: EventSettings,
    enqueue: Enqueue,
    dedupe: Dedupe,
    *,
    figures: WorkerFigures | None = None,
    checks: Mapping[str, Check] | None = None,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    console: ASGIApp | None = None,
) -> Starlette:
    """`console`: the web console (worker.console), mounted at /console."""
    receiver = Receiver(
        settings,
        enqueue,
        dedupe,
        EventMetrics(figures),
        RateLimits(settings.rate_per_s, settings.burst, monotonic),
        clock,
    )
    handlers = _Handlers(receiver, dict(checks or {}))
    return Starlette(
        routes=[
            Route("/hooks/hubspot", handlers.hubspot, methods=["POST"]),
            Route("/hooks/salesforce", handlers.salesforce, methods=["POST"]),
            Route("/healthz", handlers.healthz, methods=["GET"]),
            Route("/readyz", handlers.readyz, methods=["GET"]),
            Route("/metrics", handlers.metrics, methods=["GET"]),
            *([Mount("/console", console)] if console is not None else []),
        ]
    )


class _Handlers:
    def __init__(self, receiver: Receiver, checks: dict[str, Check]) -> None:
        self.receiver = receiver
        self.settings = receiver.settings
        self.checks = checks

    async def hubspot(self, request: Request) -> Response:
        secret = self.settings.hubspot_client_secret.get_secret_value()
        if not secret:
            return PlainTextResponse("HubSpot webhooks are not configured", status_code=404)
        return await self._guarded("hubspot", request, lambda body: self._hubspot(request, body))

    async def _hubspot(self, request: Request, body: bytes) -> Response:
        hubspot.verify_request(
            self.settings.hubspot_client_secret.get_secret_value(),
            request.method,
            self._public_uri(request),
            body,
            request.headers,
            now_s=self.receiver.clock(),
            max_skew_s=self.settings.max_skew_s,
        )
        events = hubspot.parse_events(body)
        by_id = {e.event_id: e for e in events}

        def plan(new: set[str]) -> dict[str, list[str]]:
            return hubspot.routing_requests(e for e in events if e.event_id in new)

        new = await run_in_threadpool(self.receiver.accept, "hubspot", list(by_id), plan)
        for event_id in new:
            occurred = by_id[event_id].occurred_at_ms
            self.receiver.lag("hubspot", occurred / 1000 if occurred is not None else None)
        log.info("events_accepted", source="hubspot", events=len(events), new=len(new))
        return Response(status_code=204)

    async def salesforce(self, request: Request) -> Response:
        if not self.settings.salesforce_org_id:
            return PlainTextResponse("Salesforce outbound messages are not configured", 404)
        return await self._guarded("salesforce", request, self._salesforce)

    async def _salesforce(self, body: bytes) -> Response:
        message = salesforce.parse_message(body, self.settings.salesforce_org_id)
        items = {n.id: n for n in message.notifications}

        def plan(new: set[str]) -> dict[str, list[str]]:
            return salesforce.routing_requests([n for n in message.notifications if n.id in new])

        new = await run_in_threadpool(self.receiver.accept, "salesforce", list(items), plan)
        for notification_id in new:
            modified = items[notification_id].modified_at
            self.receiver.lag("salesforce", modified.timestamp() if modified else None)
        log.info("events_accepted", source="salesforce", events=len(items), new=len(new))
        return Response(salesforce.ACK, media_type="text/xml; charset=utf-8")

    async def _guarded(self, source: str, request: Request, handle: Handle) -> Response:
        response = await self._respond(source, request, handle)
        self.receiver.metrics.requests.labels(source, str(response.status_code)).inc()
        return response

    async def _respond(self, source: str, request: Request, handle: Handle) -> Response:
        try:
            self.receiver.limits.check(source)
            body = await read_body(request, source, self.settings.max_body_bytes)
            return await handle(body)
        except Rejected as refused:
            return self._refused(refused)
        except RecursionError:  # JSON nested 100,000 deep: a poison body, retrying won't help
            return self._refused(BadRequest(source, "nested_too_deep"))
        except Exception as exc:  # the queue or Redis is down: the CRM will retry
            log.error("events_not_enqueued", source=source, error=type(exc).__name__)
            return PlainTextResponse("temporarily unavailable", status_code=503)

    def _refused(self, refused: Rejected) -> Response:
        self.receiver.metrics.rejected.labels(refused.source, refused.reason).inc()
        log.warning("event_request_refused", source=refused.source, reason=refused.reason)
        headers = {}
        if isinstance(refused, RateLimited):
            headers["Retry-After"] = str(max(1, round(refused.retry_after_s + 0.5)))
        return PlainTextResponse(refused.reason, status_code=refused.status, headers=headers)

    def _public_uri(self, request: Request) -> str:
        base = self.settings.public_base_url.rstrip("/")
        if not base:
            return str(request.url)
        query = request.url.query
        return base + request.url.path + (f"?{query}" if query else "")

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        results = await run_in_threadpool(_run_checks, self.checks)
        status = 200 if all(results.values()) else 503
        return JSONResponse({"ready": status == 200, "checks": results}, status_code=status)

    async def metrics(self, request: Request) -> Response:
        registry = self.receiver.metrics.registry
        payload = await run_in_threadpool(generate_latest, registry)
        return Response(payload, media_type=CONTENT_TYPE_LATEST)


def _run_checks(checks: Mapping[str, Check]) -> dict[str, bool]:
    results = {}
    for name, check in checks.items():
        try:
            results[name] = bool(check())
        except Exception:
            results[name] = False
    return results
