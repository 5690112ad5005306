"""Sign-in, roles and CSRF for the console.

A person signs in with their name and a password (or token) from the environment; the
password decides the role. The session is a signed cookie (Starlette's SessionMiddleware:
HttpOnly, SameSite=strict) holding the name, the role and a CSRF token. Every POST must carry
that token (form field `csrf` or header `X-CSRF-Token`) and, when the browser sends one, an
Origin of this host; an action also needs the admin role. A viewer is refused with 403 whether
the button is on the page or the POST is made by hand.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from worker.console.settings import ConsoleSettings

ADMIN, VIEWER = "admin", "viewer"
Handler = Callable[..., Awaitable[Response]]  # (request) or, on a class, (self, request)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"


def role_for(settings: ConsoleSettings, password: str) -> str | None:
    """The role a password signs in as, compared in constant time; None if neither matches."""
    given = password.encode()
    found = None
    for role, secret in ((ADMIN, settings.admin_password), (VIEWER, settings.viewer_password)):
        expected = secret.get_secret_value().encode()
        if expected and hmac.compare_digest(given, expected):
            found = found or role
    return found


class SignInAttempts:
    """Wrong passwords per client address, in this process: past `limit` within `window_s`,
    sign-in is refused (429) until the oldest falls out of the window."""

    def __init__(
        self, limit: int = 10, window_s: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._failures: dict[str, deque[float]] = {}

    def refused(self, client: str) -> bool:
        failures = self._failures.get(client)
        if not failures:
            return False
        while failures and failures[0] <= self.clock() - self.window_s:
            failures.popleft()
        return len(failures) >= self.limit

    def failed(self, client: str) -> None:
        if len(self._failures) > 10_000:  # a flood of addresses: forget, never grow unbounded
            self._failures.clear()
        self._failures.setdefault(client, deque()).append(self.clock())


def sign_in(request: Request, name: str, role: str) -> None:
    request.session.clear()
    request.session.update({"name": name, "role": role, "csrf": secrets.token_urlsafe(24)})


def person(request: Request) -> Person | None:
    session = request.session
    if session.get("role") not in (ADMIN, VIEWER) or not session.get("csrf"):
        return None
    return Person(str(session.get("name") or "?"), str(session["role"]), str(session["csrf"]))


def page(handler: Handler) -> Handler:
    """A page anyone signed in may read; others are sent to sign in."""

    @wraps(handler)
    async def guarded(*args: Any) -> Response:
        request: Request = args[-1]
        if person(request) is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            login = request.url_for("login").include_query_params(next=target)
            return RedirectResponse(str(login), status_code=303)
        return await handler(*args)

    return guarded


def form_post(role: str) -> Callable[[Handler], Handler]:
    """A POST: signed in, the CSRF token, a same-origin request, and the role it needs."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(*args: Any) -> Response:
            request: Request = args[-1]
            who = person(request)
            if who is None:
                return PlainTextResponse("sign in first", status_code=401)
            if not _same_origin(request):
                return PlainTextResponse("cross-site request refused", status_code=403)
            if not await _csrf_ok(request, who):
                return PlainTextResponse(
                    "the form is out of date (CSRF token missing or wrong): reload the page",
                    status_code=403,
                )
            if role == ADMIN and not who.is_admin:
                return PlainTextResponse("viewers cannot act: sign in as an admin", 403)
            return await handler(*args)

        return guarded

    return decorate


async def _csrf_ok(request: Request, who: Person) -> bool:
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()  # cached by Starlette: the handler reads it again
        value = form.get("csrf")
        given = value if isinstance(value, str) else None
    return given is not None and hmac.compare_digest(given.encode(), who.csrf.encode())


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return True  # no Origin (an old browser, curl): the CSRF token alone decides
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)
