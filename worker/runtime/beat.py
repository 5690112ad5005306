"""Beat's scheduler: RedBeat (the schedule and a lock in Redis, so one beat runs at a time),
made to survive a Redis restart.

RedBeat alone dies when its lock vanishes (a restarted Redis forgets it) and its schedule is
gone with the data. This scheduler takes the lock back when no other beat holds it, stands by
when one does, and puts each CRM it has seen configured back on the schedule — with a poll sent
at once, since a restored entry is first due a whole interval later.
"""

from __future__ import annotations

from typing import Any

import redis
from redbeat import RedBeatScheduler
from redbeat.schedulers import RedBeatSchedulerEntry, get_redis

from worker import names
from worker.logging import get_logger
from worker.runtime.schedule import entry_names, schedule_crm
from worker.settings import Settings
from worker.state.board import ConfiguredCrm, CrmBoard

__all__ = ["LeadRelayScheduler"]

log = get_logger(__name__)
_RETRY_S = 1.0


class LeadRelayScheduler(RedBeatScheduler):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known: list[ConfiguredCrm] = []
        self._settings = Settings()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            if not self._hold_lock():
                return float(self.max_interval)
            self._keep_crms_scheduled()
            return float(super().tick(*args, **kwargs))
        except redis.RedisError as error:
            log.warning("beat: Redis unavailable; retrying", error=str(error))
            return _RETRY_S

    def _hold_lock(self) -> bool:
        """True while this beat holds the lock; takes it back if Redis lost it."""
        if not self.lock_key or self.lock is None:
            return True
        if self.lock.owned():
            return True
        taken = bool(self.lock.acquire(blocking=False))
        if taken:
            log.info("beat: lock taken again (Redis lost it)")
        return taken

    def _keep_crms_scheduled(self) -> None:
        client = get_redis(self.app)
        board = CrmBoard(client)
        configured = board.configured()
        if configured:
            self._known = configured
        for crm in self._known:
            if not configured:
                board.register(crm)
            if not all(client.exists(_entry_key(self.app, n)) for n in entry_names(crm)):
                schedule_crm(self.app, crm, self._settings)
                expires = max(self._settings.poll_seconds, 1.0)
                self.app.send_task(names.POLL, args=[crm.url, crm.policy], expires=expires)
                log.info("beat: schedule restored", crm=crm.url)


def _entry_key(app: Any, name: str) -> str:
    return str(RedBeatSchedulerEntry.generate_key(app, name))
