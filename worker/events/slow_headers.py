"""uvicorn's HTTP/1.1 protocol with a deadline for the request head.

uvicorn times out idle keep-alive connections but not a client that opens a connection and
sends its headers slowly, or never: 300 such half-open connections filled --limit-concurrency
and locked /healthz and both webhooks out. Here every request's head (request line and headers)
must arrive within `header_timeout` seconds of its first byte (or of the connection, for the
first request), else the connection is closed. A body is not limited by this.
"""

from __future__ import annotations

import asyncio
import os

import h11
import structlog
from uvicorn.protocols.http.h11_impl import H11Protocol

log = structlog.get_logger()

HEADER_TIMEOUT_S = 10.0
# `leadrelay serve --header-timeout` sets it; server processes (--workers) inherit it
HEADER_TIMEOUT_ENV = "LEADRELAY_HEADER_TIMEOUT_S"


class SlowHeaderGuard(H11Protocol):
    """Pass the class as uvicorn's `http=`: an import path, so --workers processes get it."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.header_timeout = float(os.environ.get(HEADER_TIMEOUT_ENV, HEADER_TIMEOUT_S))
        self._head_deadline: asyncio.TimerHandle | None = None
        self._start_head_deadline()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._start_head_deadline()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def _start_head_deadline(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            log.warning("request_head_timeout", timeout_s=self.header_timeout)
            self.transport.close()
