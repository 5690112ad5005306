"""What a person does: sign in and out, try a lead and simulate a draft (any role: they write
nothing), and the admin's actions — retry a dead letter, approve or reject a best-fit
recommendation, publish a draft — each recorded in the audit with who, when and how it ended.
Every POST passes `auth.form_post` (session, CSRF, same origin, role)."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from worker.console._services import APPROVED, REJECTED, PolicyError
from worker.console.auth import (
    ADMIN,
    VIEWER,
    SignInAttempts,
    form_post,
    person,
    role_for,
    sign_in,
)
from worker.console.backend import Backend
from worker.console.pages import TRY_FIELDS, Pages
from worker.console.render import Renderer
from worker.console.settings import ConsoleSettings

MAX_DRAFT_BYTES = 1_048_576


class Actions:
    def __init__(
        self, backend: Backend, renderer: Renderer, pages: Pages, settings: ConsoleSettings
    ) -> None:
        self.backend = backend
        self.render = renderer
        self.pages = pages
        self.settings = settings
        self.attempts = SignInAttempts()

    # --- signing in --------------------------------------------------------------------------

    async def login_form(self, request: Request) -> Response:
        return self.render.page(
            request,
            "login.html",
            next=_safe_next(request, request.query_params.get("next")),
            error=None,
            name="",
        )

    async def login(self, request: Request) -> Response:
        form = await request.form()
        name = str(form.get("name") or "").strip()[:80]
        target = _safe_next(request, str(form.get("next") or ""))
        client = request.client.host if request.client else "?"
        if self.attempts.refused(client):
            return self.render.page(request, "login.html", next=target, name=name,
                                    error="Too many wrong passwords: wait a few minutes.",
                                    status_code=429)  # fmt: skip
        role = role_for(self.settings, str(form.get("password") or ""))
        if role is None:
            self.attempts.failed(client)
        if role is None or not name:
            error = (
                "Give your name." if role and not name else "That password or token is not right."
            )
            return self.render.page(
                request, "login.html", next=target, error=error, name=name, status_code=401
            )
        sign_in(request, name, role)
        return RedirectResponse(target, status_code=303)

    @form_post(VIEWER)
    async def logout(self, request: Request) -> Response:
        request.session.clear()
        return RedirectResponse(str(request.url_for("login")), status_code=303)

    # --- writing nothing ---------------------------------------------------------------------

    @form_post(VIEWER)
    async def try_lead(self, request: Request) -> Response:
        crm = self.pages.crm(request)
        if crm is None:
            return self.pages.no_crm(request)
        form = await request.form()
        given = {name: str(form.get(f"f_{name}") or "").strip() for name in TRY_FIELDS}
        fields = {name: value for name, value in given.items() if value}
        extra = str(form.get("extra") or "")
        context: dict[str, Any] = {"fields": TRY_FIELDS, "given": given, "extra": extra}
        try:
            fields.update(_pairs(extra))
            decision, world, routable = await run_in_threadpool(self.backend.try_lead, crm, fields)
        except (ValueError, PolicyError) as bad:
            return self.render.page(
                request, "try.html", crm=crm, error=str(bad), status_code=400, **context
            )
        return self.render.page(
            request,
            "try.html",
            crm=crm,
            decision=decision,
            names=world.owner_name,
            routable=routable,
            **context,
        )

    @form_post(VIEWER)
    async def new_draft(self, request: Request) -> Response:
        crm = self.pages.crm(request)
        if crm is None:
            return self.pages.no_crm(request)
        form = await request.form()
        upload = form.get("file")
        content = str(form.get("content") or "")
        if isinstance(upload, UploadFile) and upload.filename:
            content = (await upload.read(MAX_DRAFT_BYTES + 1)).decode("utf-8", errors="replace")
        if not content.strip() or len(content.encode()) > MAX_DRAFT_BYTES:
            return self.render.page(
                request,
                "golive.html",
                crm=crm,
                label="",
                content=content,
                notice="Give a policy (at most 1 MB).",
                notice_kind="bad",
                status_code=400,
            )
        draft_id = await run_in_threadpool(self.backend.save_draft, content)
        url = request.url_for("draft", draft_id=draft_id).include_query_params(crm=crm.key)
        return RedirectResponse(str(url), status_code=303)

    # --- admin actions -----------------------------------------------------------------------

    @form_post(ADMIN)
    async def publish(self, request: Request) -> Response:
        crm = self.pages.crm(request)
        if crm is None:
            return self.pages.no_crm(request)
        draft_id = request.path_params["draft_id"]
        message = str((await request.form()).get("message") or "").strip()
        who = person(request)
        assert who is not None
        try:
            outcome = await run_in_threadpool(
                self.backend.publish, crm, draft_id, who.name, message
            )
        except (PolicyError, ValueError) as refused:
            await self._audit(
                request, "publish policy", crm.key, f"draft {draft_id}", "refused", str(refused)
            )
            return self._back(
                request, "draft", f"Not published: {refused}", "bad", draft_id=draft_id
            )
        if outcome.published is None:
            assert outcome.current is not None
            text = f"Nothing to publish: the draft is {outcome.current.label} already."
            return self._back(request, "draft", text, "warn", draft_id=draft_id)
        label = outcome.published.label
        await self._audit(request, "publish policy", crm.key, label, "ok", message)
        return self._back(
            request,
            "draft",
            f"Published {label}: workers route it from their next batch.",
            "good",
            draft_id=draft_id,
        )

    @form_post(ADMIN)
    async def retry(self, request: Request) -> Response:
        crm = self.pages.crm(request)
        if crm is None:
            return self.pages.no_crm(request)
        letter_id = int(request.path_params["letter_id"])
        report = await run_in_threadpool(self.backend.retry, crm, letter_id)
        target = f"dead letter {letter_id}"
        if report.resolved:
            letter = report.resolved[0]
            text = (
                f"{letter.record_id}: owner {letter.owner_id} written; the dead letter is resolved."
            )
            outcome, kind = "ok", "good"
        elif report.failed or report.skipped:
            _, why = (report.failed or report.skipped)[0]
            text, outcome, kind = f"Not written: {why}", "failed", "bad"
        else:
            text = report.stopped or "That dead letter is no longer open."
            outcome, kind = "nothing to do", "warn"
        await self._audit(request, "retry dead letter", crm.key, target, outcome, text)
        return self._back(request, "operations", text, kind)

    @form_post(ADMIN)
    async def approve(self, request: Request) -> Response:
        return await self._decide(request, APPROVED)

    @form_post(ADMIN)
    async def reject(self, request: Request) -> Response:
        return await self._decide(request, REJECTED)

    async def _decide(self, request: Request, state: str) -> Response:
        crm = self.pages.crm(request)
        if crm is None:
            return self.pages.no_crm(request)
        approval_id = int(request.path_params["approval_id"])
        verb = "approve" if state == APPROVED else "reject"
        try:
            row, chosen = await run_in_threadpool(self.backend.decide, crm, approval_id, state)
        except ValueError as refused:
            await self._audit(
                request,
                f"{verb} best fit",
                crm.key,
                f"approval {approval_id}",
                "refused",
                str(refused),
            )
            return self._back(request, "operations", str(refused), "bad")
        text = f"{row.record_id}: {state}, owner {chosen} written."
        await self._audit(
            request, f"{verb} best fit", crm.key, f"approval {approval_id}", "ok", text
        )
        return self._back(request, "operations", text, "good")

    async def _audit(
        self, request: Request, action: str, crm: str, target: str, outcome: str, detail: str
    ) -> None:
        who = person(request)
        assert who is not None
        await run_in_threadpool(
            partial(
                self.backend.audit.record,
                who=who.name,
                role=who.role,
                action=action,
                crm=crm,
                target=target,
                outcome=outcome,
                detail=detail,
            )
        )

    def _back(self, request: Request, route: str, text: str, kind: str, **params: str) -> Response:
        request.session["notice"] = {"text": text, "kind": kind}
        url = request.url_for(route, **params)
        crm = request.query_params.get("crm")
        return RedirectResponse(
            str(url.include_query_params(crm=crm) if crm else url), status_code=303
        )


def _pairs(text: str) -> dict[str, str]:
    pairs = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        if not equals or not name.strip():
            raise ValueError(
                f"other fields, line {number}: write Field=value, e.g. Industry=Retail"
            )
        pairs[name.strip()] = value.strip()
    return pairs


def _safe_next(request: Request, target: str | None) -> str:
    """Back where the person was going, only ever a path of this console (no open redirect)."""
    base = str(request.scope.get("root_path", ""))
    if (
        target
        and target.startswith(base + "/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return base + "/"
