"""The pages a person reads: decisions, the policy, records, try a lead, before go-live,
operations, the audit. Every handler runs the store and CRM work in a thread."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from worker.console import diagram as pictures
from worker.console import queries
from worker.console.auth import page
from worker.console.backend import Backend
from worker.console.live import LiveCrm
from worker.console.render import Renderer, names_of

TRY_FIELDS = (
    "FirstName",
    "LastName",
    "Email",
    "Company",
    "Title",
    "Country",
    "State",
    "NumberOfEmployees",
    "AnnualRevenue",
    "Industry",
    "LeadSource",
    "Website",
)
FEED_LIMIT = 100


class Pages:
    def __init__(self, backend: Backend, renderer: Renderer) -> None:
        self.backend = backend
        self.render = renderer

    def crm(self, request: Request) -> LiveCrm | None:
        return self.backend.live(request.query_params.get("crm"))

    def no_crm(self, request: Request) -> Response:
        return self.render.page(request, "no_crm.html", status_code=503)

    @page
    async def feed(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        wanted = queries.FeedFilter.of(request.query_params)
        now = self.backend.clock()
        try:
            rows = await run_in_threadpool(
                queries.feed, self.backend.engine, crm.key, wanted, now=now, limit=FEED_LIMIT
            )
        except ValueError as bad:  # a `since` that is not a time
            return self.render.page(
                request, "no_crm.html", crm=crm, notice=str(bad), notice_kind="bad", status_code=400
            )
        today = await run_in_threadpool(queries.today, self.backend.engine, crm.key, now)
        last_id = (
            rows[0]["id"]
            if rows
            else await run_in_threadpool(queries.latest_id, self.backend.engine, crm.key)
        )
        names = await run_in_threadpool(names_of, self.backend, crm)
        stream = request.url_for("stream").include_query_params(crm=crm.key, **wanted.query())
        pools = sorted({p for p in (r["pool"] for r in rows) if p})
        return self.render.page(
            request,
            "feed.html",
            crm=crm,
            rows=rows,
            today=today,
            wanted=wanted,
            names=names,
            last_id=last_id,
            stream_url=stream.path + "?" + stream.query,
            pools=pools,
            rule_names=[r for r, _ in today.by_rule],
        )

    @page
    async def policy(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        picture, label = await run_in_threadpool(self.backend.diagram, crm)
        versions = await run_in_threadpool(self.backend.versions, crm)
        return self.render.page(
            request,
            "policy.html",
            crm=crm,
            svg=pictures.to_svg(picture),
            label=label,
            versions=versions,
        )

    @page
    async def policy_diagram(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        picture, _ = await run_in_threadpool(self.backend.diagram, crm)
        if request.path_params["format"] == "svg":
            return Response(pictures.to_svg(picture), media_type="image/svg+xml")
        return PlainTextResponse(pictures.to_mermaid(picture))

    @page
    async def records(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        q = request.query_params.get("q", "")
        matches = await run_in_threadpool(self.backend.search, crm, q) if q else []
        return self.render.page(request, "records.html", crm=crm, q=q, matches=matches)

    @page
    async def record(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        view = await run_in_threadpool(self.backend.record, crm, request.path_params["record_id"])
        names = (
            view.world.owner_name
            if view.world
            else await run_in_threadpool(names_of, self.backend, crm)
        )
        return self.render.page(request, "record.html", crm=crm, view=view, names=names)

    @page
    async def try_form(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        return self.render.page(request, "try.html", crm=crm, fields=TRY_FIELDS, given={}, extra="")

    @page
    async def golive(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        source = await run_in_threadpool(crm.source)
        return self.render.page(
            request, "golive.html", crm=crm, label=source.label, content=source.content or ""
        )

    @page
    async def draft(self, request: Request) -> Response:
        crm = self.crm(request)
        draft_id = request.path_params["draft_id"]
        if crm is None:
            return self.no_crm(request)
        if self.backend.draft_path(draft_id) is None:
            return PlainTextResponse("no such draft: upload it again", status_code=404)
        draft = await run_in_threadpool(self.backend.simulate, crm, draft_id)
        return self.render.page(
            request, "draft.html", crm=crm, draft=draft, **self._notice(request)
        )

    @page
    async def draft_report(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        if self.backend.draft_path(request.path_params["draft_id"]) is None:
            return PlainTextResponse("no such draft", status_code=404)
        html = await run_in_threadpool(
            self.backend.simulation_report, crm, request.path_params["draft_id"]
        )
        return HTMLResponse(html, headers=_REPORT_HEADERS)

    @page
    async def operations(self, request: Request) -> Response:
        crm = self.crm(request)
        if crm is None:
            return self.no_crm(request)
        ops = await run_in_threadpool(self.backend.operations, crm)
        names = await run_in_threadpool(names_of, self.backend, crm)
        return self.render.page(
            request,
            "ops.html",
            crm=crm,
            ops=ops,
            names=names,
            now=self.backend.clock(),
            **self._notice(request),
        )

    @page
    async def audit(self, request: Request) -> Response:
        entries = await run_in_threadpool(self.backend.audit.latest, 200)
        return self.render.page(request, "audit.html", crm=self.crm(request), entries=entries)

    def _notice(self, request: Request) -> dict[str, Any]:
        """The outcome of the action that redirected here (POST → redirect → GET)."""
        notice = request.session.pop("notice", None)
        if not notice:
            return {}
        return {"notice": notice.get("text"), "notice_kind": notice.get("kind")}


# the simulation report is its own document (inline styles, inline SVG charts), framed by the
# draft page: it may be framed by this site only, and runs nothing
_REPORT_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}
