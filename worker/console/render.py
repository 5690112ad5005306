"""Pages from Jinja2 templates shipped in the package. Autoescape is on for every template:
CRM data (names, companies, reasons) is text, never markup. Nothing from the settings is ever
passed to a template, so no secret can be rendered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from worker.console.auth import person
from worker.console.backend import Backend
from worker.console.live import LiveCrm

Names = Callable[[str | None], str]

_ENV = Environment(
    loader=PackageLoader("worker.console", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pool_chain(pool: Any) -> list[Any]:
    """A pool's trace, then the pools it overflowed from, as render.explain walks them."""
    chain = []
    while pool:
        chain.append(pool)
        pool = pool.get("overflowed_from")
    return chain


_ENV.globals["pool_chain"] = _pool_chain


def template_source(name: str) -> Any:
    return _ENV.get_template(name)


class Renderer:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def page(
        self,
        request: Request,
        template: str,
        *,
        crm: LiveCrm | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        html = _ENV.get_template(template).render(**self.context(request, crm), **context)
        return HTMLResponse(html, status_code=status_code, headers=_NO_STORE)

    def fragment(self, template: str, macro: str, *args: Any) -> str:
        return str(getattr(_ENV.get_template(template).module, macro)(*args))

    def context(self, request: Request, crm: LiveCrm | None) -> dict[str, Any]:
        crms = self.backend.crms() if person(request) else []
        many = len(crms) > 1 and crm is not None
        return {
            "base": request.scope.get("root_path", ""),
            "who": person(request),
            "crms": crms,
            "crm": crm,
            "crm_key": crm.key if many and crm else "",
            "crm_query": f"?crm={crm.key}" if many and crm else "",
            "crm_amp": f"&crm={crm.key}" if many and crm else "",
            "active": "/"
            + request.url.path.removeprefix(request.scope.get("root_path", ""))
            .strip("/")
            .split("/")[0],
            "title": "LeadRelay",
        }


_NO_STORE = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; frame-src 'self'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def names_of(backend: Backend, crm: LiveCrm | None) -> Names:
    """Owner Id → the CRM's name for it, from the snapshot; Ids as they are when the CRM
    cannot be read."""
    if crm is None:
        return lambda owner_id: owner_id or "—"
    try:
        snapshot, _, _ = crm.snapshot()
    except Exception:
        return lambda owner_id: owner_id or "—"
    from worker.console._services import World

    return World(snapshot).owner_name
