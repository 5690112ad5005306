"""A window that defaults to "the last 30 days" selects by today's date, so on an export a
month old it selects nothing. Saying so, with the window, the newest record and how to widen
it, beats a screen of zeros."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from worker.store.records import decisions


def empty_window_hint(
    what: str, since: str, start: datetime, end: datetime, newest: datetime | None
) -> str:
    """`what`: the records the window selects ("leads created", "decisions recorded")."""
    window = f"--since {since} selects {what} {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"
    if newest is None:
        return f"nothing selected: {window}, and there are none at all"
    if newest < start:
        wider = (newest - timedelta(days=30)).date().isoformat()
        return (
            f"nothing selected: {window} (a window counted back from now), and the newest is "
            f"from {newest:%Y-%m-%d %H:%M} UTC — widen it, e.g. --since {wider}"
        )
    return f"nothing selected: {window}; the newest is from {newest:%Y-%m-%d %H:%M} UTC"


def newest_decision(engine: Engine, crm: str | None) -> datetime | None:
    query = sa.select(sa.func.max(decisions.c.decided_at))
    if crm is not None:
        query = query.where(decisions.c.crm == crm)
    with engine.connect() as connection:
        newest: datetime | None = connection.execute(query).scalar()
    return newest
