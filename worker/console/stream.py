"""The live feed: server-sent events. Each connection looks for decisions newer than the
last it sent every LEADRELAY_CONSOLE_FEED_SECONDS and sends them as rendered rows; after
LEADRELAY_CONSOLE_STREAM_SECONDS it ends and the browser reconnects with the last event id,
so a server restart or a proxy's idle timeout loses nothing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from worker.console import queries
from worker.console.auth import person
from worker.console.backend import Backend
from worker.console.live import LiveCrm
from worker.console.render import Renderer, names_of


class Stream:
    def __init__(
        self,
        backend: Backend,
        renderer: Renderer,
        *,
        every_s: float,
        for_s: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.render = renderer
        self.every_s = every_s
        self.for_s = for_s
        self.monotonic = monotonic

    async def decisions(self, request: Request) -> Response:
        if person(request) is None:
            return PlainTextResponse("sign in first", status_code=401)
        crm = self.backend.live(request.query_params.get("crm"))
        if crm is None:
            return PlainTextResponse("no CRM configured", status_code=503)
        wanted = queries.FeedFilter.of(request.query_params)
        after = _int(request.headers.get("last-event-id")) or _int(
            request.query_params.get("after")
        )
        events = self.events(request, crm, wanted, after or 0)
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    async def events(
        self, request: Request, crm: LiveCrm, wanted: queries.FeedFilter, after: int
    ) -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        names = await run_in_threadpool(names_of, self.backend, crm)
        base = request.scope.get("root_path", "")
        ends = self.monotonic() + self.for_s
        while self.monotonic() < ends:
            rows = await run_in_threadpool(
                queries.feed,
                self.backend.engine,
                crm.key,
                wanted,
                now=self.backend.clock(),
                after=after,
                limit=200,
            )
            if rows:
                after = rows[0]["id"]
                html = self.render.fragment("macros.html", "feed_rows", rows, base, names)
                data = json.dumps({"html": html, "ids": [r["id"] for r in rows]})
                yield f"id: {after}\nevent: rows\ndata: {data}\n\n"
            else:
                yield ": idle\n\n"  # a comment: keeps proxies from closing the connection
            if await request.is_disconnected():
                return
            await asyncio.sleep(self.every_s)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
