"""Alembic's entry point. The connection comes from `Store.migrate()` (config attribute
`connection`), or, run by hand, from `-x url=...` or DATABASE_URL. No logging setup: the worker
configures logging itself."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from worker.store import schema_metadata


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=schema_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("give the database: alembic ... -x url=URL, or set DATABASE_URL")
    return url


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine = sa.create_engine(_url())
    with engine.begin() as connection:
        _run(connection)
    engine.dispose()
