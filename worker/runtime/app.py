"""The Celery app: `celery -A worker.runtime.app worker|beat`, or `leadrelay worker|beat`.

Configured from `Settings` (the environment) the first time its configuration is read, never at
import: importing this module opens no connection and starts no server.

- JSON only, for tasks, results and events: a task carries ids and URLs, never objects.
- Every task is idempotent (a record is routable only while the CRM says so), so messages are
  acknowledged after the task ran (`acks_late`) and put back when a worker dies under one
  (`reject_on_worker_lost`). Redis re-delivers an unacknowledged message after the visibility
  timeout, so that timeout is derived from the longest hard time limit: a task still running is
  never handed to a second worker.
- One beat at a time: RedBeat keeps the schedule in Redis and holds a lock there; a second beat
  waits for the lock instead of doubling every poll (`worker.runtime.beat`).
- A broker that goes away is waited for, never fatal: kombu's Redis transport is patched for
  the defect that made a restart under a running task exit the worker (`worker.runtime.broker`),
  and a running task is left to finish rather than terminated (see `celery_config`).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from celery import Celery, signals

from worker.logging import bind_task, configure_logging, unbind_task
from worker.names import QUEUE
from worker.runtime import broker
from worker.runtime.exporter import start_worker_exporter
from worker.settings import Settings
from worker.state.embedded import broker_url, ensure_redis

__all__ = ["app", "celery_config", "visibility_timeout"]

broker.install()  # kombu's Redis transport with the restart fix (see worker.runtime.broker)

BEAT_KEY_PREFIX = "leadrelay:beat:"


def visibility_timeout(settings: Settings) -> int:
    """Seconds before Redis re-delivers a message nobody acknowledged: past the longest hard
    time limit with a margin, so only a dead worker's message comes back."""
    longest = max(settings.task_time_limit, settings.long_task_time_limit)
    return math.ceil(longest * 1.25) + 5


def beat_interval(settings: Settings) -> float:
    """How often beat wakes (and renews its lock): often enough for the poll interval, and
    often enough that the lock of a beat that died lapses in seconds (three intervals), so a
    worker started after a crash polls without waiting long for it."""
    return max(0.5, min(settings.poll_seconds / 2, 1.0))


def celery_config(settings: Settings, redis_url: str) -> dict[str, Any]:
    visibility = visibility_timeout(settings)
    transport = {
        "visibility_timeout": visibility,
        # look for messages past the timeout every quarter of it (kombu's default is about
        # every 100 s whatever the timeout, so a dead worker's batch would wait that long)
        "unacked_restore_interval": max(1, min(10, visibility // 4)),
        "unacked_restore_throttle": 1,
    }
    return {
        "broker_url": broker_url(redis_url),
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,  # a restarted Redis is waited for, not fatal
        "task_default_queue": QUEUE,
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_ignore_result": True,  # results go to the store, not to a result backend
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "task_time_limit": settings.task_time_limit,
        "task_soft_time_limit": settings.task_soft_time_limit,
        "worker_prefetch_multiplier": 1,  # a prefetched message would age toward the timeout
        # A task keeps running through a broker outage rather than being terminated: Celery
        # terminates it with a signal to its pool process, and a task whose clean-up then
        # fails on the dead connection survives the signal, which desynchronises the pool
        # ("Unrecoverable error: UnpicklingError" after the time limit fires). The task is
        # safe to finish: its locks are leases it re-confirms before writing, and its
        # message, if not acknowledged, is redelivered and runs again idempotently.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "worker_send_task_events": False,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_scheduler": "worker.runtime.beat:LeadRelayScheduler",
        "beat_max_loop_interval": beat_interval(settings),
        "redbeat_redis_url": redis_url,
        "redbeat_redis_options": {},
        "redbeat_key_prefix": BEAT_KEY_PREFIX,
        "redbeat_lock_key": BEAT_KEY_PREFIX + "lock",
        "redbeat_lock_timeout": max(3 * beat_interval(settings), 3.0),
    }


class LeadRelayCelery(Celery):  # type: ignore[misc]
    def on_configure(self) -> None:
        """Runs once, when the configuration is first read (not at import)."""
        settings = Settings()
        self.conf.update(celery_config(settings, ensure_redis(settings)))


app = LeadRelayCelery(
    "leadrelay", include=["worker.runtime.tasks"], amqp="worker.runtime.broker:AMQP"
)


def _use_structlog(**_: Any) -> None:
    """Connected, so Celery leaves the root logger to us."""
    configure_logging(Settings().log_format)


def _bind_task_context(task_id: str, task: Any, args: Any = (), **_: Any) -> None:
    crm = args[0] if args and isinstance(args[0], str) else None
    bind_task(task_id=task_id, task=getattr(task, "name", None), crm=crm)


def _unbind_task_context(**_: Any) -> None:
    unbind_task()


def _quiet_cancel_warning(**_: Any) -> None:
    """Celery warns at every broker loss that tasks are not cancelled on connection loss; that
    is deliberate here (see `celery_config`). Run after Celery's logging set-up, which turns
    its deprecation warnings back on."""
    warnings.filterwarnings(
        "ignore", message=r"\s*In Celery 5\.1 we introduced an optional breaking change"
    )


signals.setup_logging.connect(_use_structlog)
signals.celeryd_after_setup.connect(_quiet_cancel_warning)
signals.task_prerun.connect(_bind_task_context)
signals.task_postrun.connect(_unbind_task_context)
signals.worker_init.connect(start_worker_exporter)  # /metrics, when a port is set
