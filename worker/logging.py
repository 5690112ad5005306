"""structlog for every LeadRelay process: JSON lines in production, a readable console on a TTY.

Celery's own loggers (and any library's) go through the same processors, because the root
logger gets structlog's `ProcessorFormatter`. Context bound with `bind_task` (task id, CRM,
record id) lands on every line of that task. Secrets never reach a log line: URL passwords
and values of secret-looking keys are masked by the last processor before rendering.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any, Literal

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

__all__ = ["bind_task", "configure_logging", "get_logger", "redact", "unbind_task"]

LogFormat = Literal["json", "console", "auto"]

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):[^@/\s]+@", re.I)
_SECRET_KEY = re.compile(r"pass|secret|token|session_id|private_key|authorization|api_key", re.I)
_BOUND = ("task_id", "task", "crm", "record_id")
_MASK = "***"


def redact(text: str) -> str:
    """`redis://user:hunter2@host` → `redis://user:***@host`."""
    return _URL_PASSWORD.sub(rf"\g<scheme>\g<user>:{_MASK}@", text)


def _redact_value(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key) and value not in (None, ""):
        return _MASK
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


def _redact_secrets(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    return {key: _redact_value(key, value) for key, value in event.items()}


def _renderer(log_format: LogFormat) -> Processor:
    if log_format == "auto":
        log_format = "console" if sys.stderr.isatty() else "json"
    if log_format == "console":
        return structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    return structlog.processors.JSONRenderer()


def configure_logging(log_format: LogFormat = "auto", level: int | str = logging.INFO) -> None:
    """Idempotent: every process calls it once at start (CLI, worker, beat)."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _redact_secrets,
            _renderer(log_format),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("kombu", "amqp", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)


def bind_task(**context: str | None) -> None:
    structlog.contextvars.bind_contextvars(
        **{key: value for key, value in context.items() if value is not None}
    )


def unbind_task() -> None:
    structlog.contextvars.unbind_contextvars(*_BOUND)
