"""The nightly backfill as beat runs it: settings from the environment, the same guard rails."""

from __future__ import annotations

from pathlib import Path

import pytest
from backfill_helpers import KEVIN, NOW, fresh_logging
from celery import Celery
from test_backfill_csv import crm, deactivate, open_leads_of

from connectors.csvcrm.connector import CsvCrm
from connectors.registry import open_connector
from tests.conftest import ACME_POLICY
from worker.runtime.backfill_schedule import BackfillSchedule, schedule_backfill, scheduled_backfill
from worker.settings import Settings
from worker.state.board import ConfiguredCrm
from worker.store.records import Store

__all__ = ["crm", "fresh_logging"]


def schedule(**env: str) -> BackfillSchedule:
    return BackfillSchedule(**{f"LEADRELAY_BACKFILL_{k.upper()}": v for k, v in env.items()})


@pytest.fixture
def runtime(tmp_path: Path) -> tuple[Settings, Store]:
    settings = Settings(LEADRELAY_HOME=tmp_path / "home")
    store = Store(settings.database_url.get_secret_value())
    store.migrate()
    return settings, store


def test_the_nightly_run_keeps_to_max_moves_then_moves_and_records(
    crm: Path, runtime: tuple[Settings, Store]
) -> None:
    settings, store = runtime
    deactivate(crm, KEVIN)
    args = (f"csv:{crm}", str(ACME_POLICY), settings, store)
    connector = open_connector(f"csv:{crm}")
    capped = scheduled_backfill(
        *args, schedule(scope="all", max_moves="3"), now=NOW, connector=connector
    )
    assert (capped["over_limit"], capped["written"]) == (True, 0)
    assert open_leads_of(crm, KEVIN)
    done = scheduled_backfill(
        *args, schedule(scope="all", max_moves="1000"), now=NOW, connector=connector
    )
    assert done["written"] == done["planned"] and done["stopped"] is None
    assert open_leads_of(crm, KEVIN) == []
    assert len(store.moves_for(crm=f"csv:{crm}")) == done["written"]


def test_nothing_is_scheduled_or_run_without_a_scope(
    crm: Path, runtime: tuple[Settings, Store]
) -> None:
    settings, store = runtime
    assert "skipped" in scheduled_backfill(f"csv:{crm}", str(ACME_POLICY), settings, store,
                                           schedule(), connector=CsvCrm(crm))  # fmt: skip
    assert (
        schedule_backfill(Celery(), ConfiguredCrm(f"csv:{crm}", str(ACME_POLICY)), schedule()) == []
    )


def test_beat_schedules_the_nightly_backfill_and_retraining(
    crm: Path, redis_url: str, redis_namespace: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from redbeat import RedBeatSchedulerEntry

    from worker.runtime.schedule import schedule_crm
    from worker.state.embedded import broker_url

    monkeypatch.setenv("LEADRELAY_BACKFILL_SCOPE", "inactive-owners")
    app = Celery(broker=broker_url(redis_url))
    app.conf.redbeat_redis_url = redis_url
    app.conf.redbeat_key_prefix = f"{redis_namespace}:redbeat:"
    configured = ConfiguredCrm(f"csv:{crm}", str(ACME_POLICY))
    names = schedule_crm(app, configured, Settings(LEADRELAY_HOME=tmp_path / "home"))
    nightly = {n: RedBeatSchedulerEntry.from_key(f"{app.conf.redbeat_key_prefix}{n}", app=app)
               for n in names if n.split()[0] in ("backfill", "retrain")}  # fmt: skip
    tasks = {entry.task for entry in nightly.values()}
    for name in names:
        RedBeatSchedulerEntry.from_key(f"{app.conf.redbeat_key_prefix}{name}", app=app).delete()
    assert tasks == {"leadrelay.backfill", "leadrelay.retrain_best_fit"}
    assert all(entry.args == [configured.url, configured.policy] for entry in nightly.values())
