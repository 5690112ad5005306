"""The command line's outer edge: what goes wrong outside our code (a database that does not
answer, a driver not installed, Redis down, a path that cannot be written) is one line saying
what and how to fix it, never a traceback — and never a URL with its password.

Our own bugs still raise (a traceback is how they get fixed), but without local variables:
typer's pretty tracebacks would otherwise print them, Redis and database URLs included.
"""

from __future__ import annotations

import errno
from typing import Any

import typer
from typer.core import TyperGroup

from worker.cli._common import POLICY_EXIT, say_error

SERVICE_EXIT = 5  # as `leadrelay serve` when Redis cannot start


class EdgeGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            known = explain(exc)
            if known is None:
                raise
            message, code = known
            say_error(message)
            raise typer.Exit(code) from None


def explain(exc: BaseException) -> tuple[str, int] | None:
    """A message and an exit code for a failure of the surroundings, or None for a bug."""
    for explainer in (_database, _redis, _missing_module, _path):
        found = explainer(exc)
        if found is not None:
            return found
    return None


def _database(exc: BaseException) -> tuple[str, int] | None:
    from sqlalchemy import exc as sa

    if isinstance(exc, sa.NoSuchModuleError | sa.ArgumentError):
        return (
            f"DATABASE_URL cannot be used: {exc} — write it as sqlite:///PATH or "
            "postgresql+psycopg://HOST/DB",
            SERVICE_EXIT,
        )
    if isinstance(exc, sa.OperationalError | sa.InterfaceError):
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return (
            f"the database did not answer ({reason}) — check DATABASE_URL and that the "
            "database server is up",
            SERVICE_EXIT,
        )
    return None


def _redis(exc: BaseException) -> tuple[str, int] | None:
    import redis

    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return (
            f"Redis did not answer ({exc}) — check REDIS_URL and that Redis is up, or unset "
            "REDIS_URL to use the embedded one",
            SERVICE_EXIT,
        )
    return None


def _missing_module(exc: BaseException) -> tuple[str, int] | None:
    if not isinstance(exc, ModuleNotFoundError):
        return None
    return (
        f"the Python package providing '{exc.name}' is not installed (a database driver "
        "named by DATABASE_URL?) — install it, e.g. pip install 'leadrelay[postgres]' for "
        "PostgreSQL, or use a URL LeadRelay has a driver for",
        SERVICE_EXIT,
    )


_PATH_FIXES = {
    errno.EEXIST: "a file of that name is in the way; give a folder, or remove the file",
    errno.ENOENT: "the path does not exist; check it, or create its folder first",
    errno.EISDIR: "that is a folder; give a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EACCES: "check the permissions of the path",
    errno.EROFS: "the file system is read-only; write somewhere else",
    errno.ENOSPC: "the disk is full; free some space",
}


def _path(exc: BaseException) -> tuple[str, int] | None:
    if not isinstance(exc, OSError) or exc.filename is None:
        return None
    fix = _PATH_FIXES.get(exc.errno or 0, "check the path")
    return f"{exc.filename}: {exc.strerror} — {fix}", POLICY_EXIT
