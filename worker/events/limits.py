"""Request size limits and per-source rate limits, both checked before any parsing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from starlette.requests import Request

from worker.events.errors import BadRequest, RateLimited, TooLarge


async def read_body(request: Request, source: str, max_bytes: int) -> bytes:
    """The body, refused as soon as it is known to be too large: by its Content-Length, or
    while streaming a chunked one, so an oversized request is never held in memory."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest(source, "bad_content_length")
        if int(declared) > max_bytes:
            raise TooLarge(source, "body_too_large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(source, "body_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


class TokenBucket:
    """`rate` requests a second on average, up to `burst` at once. Thread-safe."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """0 if a request may pass now, else the seconds until one may."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


class RateLimits:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._buckets = {
            source: TokenBucket(rate, burst, clock) for source in ("hubspot", "salesforce")
        }

    def check(self, source: str) -> None:
        wait = self._buckets[source].take()
        if wait > 0:
            raise RateLimited(source, wait)
