"""Why a request was refused. `reason` is a short fixed word, safe for logs and metric labels:
never a header, a body or a secret."""

from __future__ import annotations


class Rejected(Exception):
    status = 400

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class BadRequest(Rejected):
    status = 400


class Unauthorized(Rejected):
    status = 401


class TooLarge(Rejected):
    status = 413


class RateLimited(Rejected):
    status = 429

    def __init__(self, source: str, retry_after_s: float) -> None:
        super().__init__(source, "rate_limited")
        self.retry_after_s = retry_after_s
