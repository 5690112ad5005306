"""Locks held as leases: a few seconds long, renewed by a heartbeat thread while their holder
runs, so a holder that dies (SIGKILL, a lost machine) frees what it held within seconds instead
of blocking every poll until a time-limit-long TTL runs out.

When Redis loses its data (restarted empty, flushed), a live holder's heartbeat takes its locks
back, and the rebuild of the routing state holds everyone else off long enough for that
(`TAKE_BACK_S`). A lease can also lapse under a holder that is alive but cannot reach Redis for
longer than the lease (a partition). So before it records and writes owners, a holder confirms,
with one compare-and-set round trip, that it still holds every lease it took
(`confirm_leases`); a holder that lost one stops there, and the records stay routable for
whoever holds them now. (A write already on its way when a lease is lost cannot be called back:
the CRM has no compare-and-set on owners. The lease outlives four missed heartbeats.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import redis

from worker.logging import get_logger
from worker.state.batch import BatchedRedisState

__all__ = [
    "LEASE_S",
    "RENEW_EVERY_S",
    "TAKE_BACK_S",
    "Lease",
    "LeaseLost",
    "confirm_leases",
    "leased",
]

log = get_logger(__name__)

LEASE_S = 5.0  # how long a lock outlives its holder's last heartbeat
RENEW_EVERY_S = 1.0  # four heartbeats may be missed before a live holder's lease lapses
RETRY_S = 0.1  # a heartbeat Redis did not answer is retried this soon
# after Redis lost its data, how long live holders have to take their locks back (at least two
# heartbeats) before anyone else may lock a record
TAKE_BACK_S = 2 * RENEW_EVERY_S + 1.0

_active: ContextVar[tuple[Lease, ...]] = ContextVar("leases", default=())


class LeaseLost(RuntimeError):
    """A lock this task held lapsed or was taken: it must not write what it decided."""


class Lease:
    """Locks (record id → token) of one CRM, renewed every `every_s` while open."""

    def __init__(
        self,
        state: BatchedRedisState,
        crm: str,
        tokens: Mapping[str, str],
        lease_s: float = LEASE_S,
        every_s: float = RENEW_EVERY_S,
    ) -> None:
        self.state, self.crm, self.tokens = state, crm, dict(tokens)
        self.lease_s, self.every_s = lease_s, every_s
        self.lost: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease:{crm}", daemon=True)

    def start(self) -> None:
        if self.tokens:
            self._thread.start()

    def confirm(self) -> None:
        """Renew now; raise LeaseLost if any lock is no longer ours."""
        if not self.tokens:
            return
        try:
            self.lost |= self.state.renew_records(self.crm, self.tokens, self.lease_s)
        except redis.RedisError as error:
            raise LeaseLost(f"cannot confirm the locks held on {self.crm}: {error}") from error
        if self.lost:
            some = ", ".join(sorted(self.lost)[:5])
            raise LeaseLost(f"{len(self.lost)} lock(s) on {self.crm} lapsed or were taken: {some}")

    def close(self) -> None:
        """Stop renewing and release the locks still ours (best effort: a lock that cannot be
        released now lapses by itself within `lease_s`)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.every_s + 5)
        held = {record: token for record, token in self.tokens.items() if record not in self.lost}
        try:
            self.state.unlock_records(self.crm, held)
        except redis.RedisError as error:
            log.warning("locks not released; they lapse", crm=self.crm, error=str(error))

    def _beat(self) -> None:
        wait_s = self.every_s
        while not self._stop.wait(wait_s):
            try:
                lost = self.state.renew_records(self.crm, self.tokens, self.lease_s)
            except redis.RedisError as error:
                if wait_s != RETRY_S:
                    log.warning("lease not renewed; retrying", crm=self.crm, error=str(error))
                wait_s = RETRY_S  # Redis is back soon, maybe empty: be the first to say so
                continue
            wait_s = self.every_s
            if lost - self.lost:
                log.warning("lease lost", crm=self.crm, records=sorted(lost - self.lost)[:5])
            self.lost |= lost


@contextmanager
def leased(state: BatchedRedisState, crm: str, tokens: Mapping[str, str]) -> Iterator[Lease]:
    """Hold these freshly taken locks for the block: renewed while it runs, released after."""
    lease = Lease(state, crm, tokens)
    reset = _active.set((*_active.get(), lease))
    lease.start()
    try:
        yield lease
    finally:
        _active.reset(reset)
        lease.close()


def confirm_leases() -> None:
    """Every lease the running job holds is still its own, or LeaseLost."""
    for lease in _active.get():
        lease.confirm()
