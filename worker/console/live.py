"""One CRM as the console sees it: its connector, the policy version it routes (the latest
published, else the file) and a snapshot of the CRM reused for a short while, so search,
explain and "try a lead" do not each read a whole CRM."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from worker.console._services import (
    ConfiguredCrm,
    Connector,
    CrmSnapshot,
    PolicySource,
    copy_of,
    current_source,
    open_connector,
    read_policy_fields,
)


class LiveCrm:
    def __init__(
        self,
        configured: ConfiguredCrm,
        engine: Engine,
        home: Path,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.configured = configured
        self.key = configured.key
        self._engine = engine
        self._home = home
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._connector: Connector | None = None
        self._cached: tuple[float, str, CrmSnapshot] | None = None

    @property
    def connector(self) -> Connector:
        if self._connector is None:
            self._connector = open_connector(self.configured.url)
        return self._connector

    def source(self) -> PolicySource:
        return current_source(self._engine, Path(self.configured.policy))

    def policy_path(self, source: PolicySource | None = None) -> Path:
        """The immutable copy of the version routed now, as a worker compiles it."""
        return copy_of(source or self.source(), self._home)

    def snapshot(self) -> tuple[CrmSnapshot, Path, str]:
        """(snapshot, policy copy, version label): read again when older than the TTL or when
        another version is published."""
        source = self.source()
        path = self.policy_path(source)
        with self._lock:
            cached = self._cached
            fresh = (
                cached and cached[1] == source.version and self._clock() - cached[0] < self._ttl_s
            )
            if not fresh:
                read_policy_fields(self.connector, path)
                self._cached = cached = (self._clock(), source.version, self.connector.snapshot())
            assert cached is not None
            return cached[2], path, source.label

    def forget(self) -> None:
        """Something was written: the next read goes to the CRM."""
        with self._lock:
            self._cached = None
            self._connector = None
