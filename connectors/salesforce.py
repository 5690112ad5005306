"""Salesforce behind the Connector interface (simple-salesforce).

Reads go through SOQL (`query_all_iter`, paged by nextRecordsUrl) or, for large reads, Bulk
API 2.0; writes through sObject Collections or Bulk API 2.0 (see `_sf_write`). Every HTTP call
passes through one `SalesforceSession`, which retries, counts and watches the daily budget.
Settings and credentials come from the environment (`.env.example` documents each variable).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import structlog
from simple_salesforce.api import Salesforce

from connectors import _env
from connectors._budget import ApiMeter, MeteredConnector
from connectors._retry import RetryPolicy
from connectors._sf_auth import DEFAULT_API_VERSION, SalesforceCredentials
from connectors._sf_bulk import Bulk2, BulkSettings
from connectors._sf_errors import salesforce_errors
from connectors._sf_paging import query_records
from connectors._sf_records import (
    BASE_FIELDS,
    Fields,
    csv_fields,
    format_soql_datetime,
    json_fields,
    to_account,
    to_contact,
    to_lead,
    to_opportunity,
    to_queue,
    to_rep,
)
from connectors._sf_session import SalesforceSession
from connectors._sf_settings import check_salesforce_settings
from connectors._sf_write import OwnerWriter, WriteSettings
from connectors.base import (
    ChangedRecord,
    ChangePage,
    ConfigError,
    FirstTouch,
    Window,
    WriteResult,
)
from routing.model import CrmSnapshot, OwnerChange

log = structlog.get_logger(__name__)

_SALESFORCE_ID = re.compile(r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$")
_MAPPERS: Mapping[str, Callable[[Fields], ChangedRecord]] = {
    "Lead": to_lead,
    "Contact": to_contact,
    "Account": to_account,
    "Opportunity": to_opportunity,
    "User": to_rep,
}


@dataclass(frozen=True, slots=True)
class SalesforceSettings:
    api_version: str = DEFAULT_API_VERSION
    availability_field: str = "Out_Of_Office__c"
    extra_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lead_filter: str = "IsConverted = false"
    opportunity_filter: str = ""
    bulk_reads: bool = False
    change_page_size: int = 2_000
    max_daily_share: float = 0.5
    resume_after: timedelta = timedelta(hours=1)
    write: WriteSettings = field(default_factory=WriteSettings)
    bulk: BulkSettings = field(default_factory=BulkSettings)

    def __post_init__(self) -> None:  # these are pasted into SOQL
        filters = {"SALESFORCE_LEAD_FILTER": self.lead_filter}
        filters["SALESFORCE_OPPORTUNITY_FILTER"] = self.opportunity_filter
        check_salesforce_settings(filters, self.availability_field, self.extra_fields)

    @classmethod
    def from_env(cls, env: _env.Env) -> SalesforceSettings:
        extra: dict[str, tuple[str, ...]] = {}
        for object, name in _env.pairs(env, "SALESFORCE_EXTRA_FIELDS", "."):
            extra[object] = (*extra.get(object, ()), name)
        return cls(
            api_version=_env.text(env, "SALESFORCE_API_VERSION") or DEFAULT_API_VERSION,
            availability_field=_env.text(env, "SALESFORCE_AVAILABILITY_FIELD", "Out_Of_Office__c"),
            extra_fields=extra,
            lead_filter=_env.text(env, "SALESFORCE_LEAD_FILTER", "IsConverted = false"),
            opportunity_filter=_env.text(env, "SALESFORCE_OPPORTUNITY_FILTER"),
            bulk_reads=_env.flag(env, "SALESFORCE_BULK_READS", False),
            max_daily_share=_env.share(env, "SALESFORCE_MAX_DAILY_API_SHARE", 0.5),
            resume_after=timedelta(
                minutes=_env.integer(env, "SALESFORCE_RESUME_AFTER_MINUTES", 60)
            ),
            write=WriteSettings(
                bulk_threshold=_env.integer(env, "SALESFORCE_BULK_WRITE_THRESHOLD", 2_000)
            ),
        )

    def fields_of(self, object: str) -> list[str]:
        names = list(BASE_FIELDS[object])
        if object == "User" and self.availability_field:
            names.append(self.availability_field)
        names += [n for n in self.extra_fields.get(object, ()) if n not in names]
        return names

    def filter_of(self, object: str) -> str:
        filters = {"Group": "Type = 'Queue'", "Lead": self.lead_filter}
        filters["Opportunity"] = self.opportunity_filter
        return filters.get(object, "")


class SalesforceConnector(MeteredConnector):
    name = "salesforce"

    def __init__(
        self,
        credentials: SalesforceCredentials,
        settings: SalesforceSettings | None = None,
        *,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.credentials = credentials
        self.settings = settings or SalesforceSettings()
        self.policy = policy or RetryPolicy()
        self.meter = ApiMeter(
            "Salesforce",
            max_share=self.settings.max_daily_share,
            resume_after=self.settings.resume_after,
            clock=self.policy.clock,
        )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, policy: RetryPolicy | None = None
    ) -> SalesforceConnector:
        source = os.environ if env is None else env
        credentials = SalesforceCredentials.from_env(source)
        return cls(credentials, SalesforceSettings.from_env(source), policy=policy)

    # -- the client, built on first use so that nothing connects at construction -------------

    @cached_property
    def client(self) -> Salesforce:
        session = SalesforceSession(self.meter, self.policy)
        with self._errors("logging in"):
            return self.credentials.client(session, self.settings.api_version)

    @cached_property
    def _bulk(self) -> Bulk2:
        return Bulk2(self.client, self.settings.bulk, self.policy.sleep)

    def _errors(self, doing: str) -> AbstractContextManager[None]:
        return salesforce_errors(doing, can_relogin=self.credentials.can_relogin)

    # -- reads ----------------------------------------------------------------------------

    def snapshot(self) -> CrmSnapshot:
        with self._errors("reading a snapshot"):
            users = {r.id: r for r in map(to_rep, self._read("User"))}
            queues = {q.id: q for q in map(to_queue, self._read("Group"))}
            accounts = {a.id: a for a in map(to_account, self._read("Account"))}
            contacts = tuple(map(to_contact, self._read("Contact")))
            opportunities = tuple(map(to_opportunity, self._read("Opportunity")))
            leads = tuple(map(to_lead, self._read("Lead")))
        log.info("sf_snapshot_read", users=len(users), accounts=len(accounts), leads=len(leads))
        return CrmSnapshot(users, queues, accounts, contacts, opportunities, leads)

    def _read(self, object: str, *conditions: str) -> Iterator[Fields]:
        soql = self._soql(object, *conditions)
        if self.settings.bulk_reads:
            yield from self._bulk_read(soql)
            return
        for record in query_records(self.client, soql):
            yield json_fields(record)

    def _bulk_read(self, soql: str) -> Iterator[Fields]:
        for rows in self._bulk.query(soql):
            yield from map(csv_fields, rows)

    def _soql(self, object: str, *conditions: str, order: str = "") -> str:
        where = [f"({c})" for c in (self.settings.filter_of(object), *conditions) if c]
        soql = f"SELECT {', '.join(self.settings.fields_of(object))} FROM {object}"
        if where:
            soql += " WHERE " + " AND ".join(where)
        return f"{soql} ORDER BY {order}" if order else soql

    # -- incremental ----------------------------------------------------------------------

    def changes(self, object: str, window: Window) -> Iterator[ChangePage]:
        if object not in _MAPPERS:
            raise ConfigError(f"Salesforce changes are read for {sorted(_MAPPERS)}, not {object!r}")
        with self._errors(f"reading {object} changes"):
            if window.start is None:
                yield from self._initial_load(object, window)
            else:
                yield from self._window_pages(object, window)

    def _initial_load(self, object: str, window: Window) -> Iterator[ChangePage]:
        """Bulk API 2.0; its results are unordered, so the watermark moves only at the end."""
        soql = self._soql(object, f"SystemModstamp < {format_soql_datetime(window.end)}")
        to_record = _MAPPERS[object]
        for rows in self._bulk.query(soql):
            yield ChangePage(object, tuple(to_record(csv_fields(row)) for row in rows), None)
        yield ChangePage(object, (), window.end)

    def _window_pages(self, object: str, window: Window) -> Iterator[ChangePage]:
        assert window.start is not None
        since = f"SystemModstamp >= {format_soql_datetime(window.start)}"
        until = f"SystemModstamp < {format_soql_datetime(window.end)}"
        soql = self._soql(object, since, until, order="SystemModstamp ASC, Id ASC")
        to_record, seen = _MAPPERS[object], _VersionsSeen()
        page: list[ChangedRecord] = []
        for record in query_records(self.client, soql):
            fields = json_fields(record)
            if seen.is_new(fields):
                page.append(to_record(fields))
            if len(page) >= self.settings.change_page_size:
                yield ChangePage(object, tuple(page), seen.latest)
                page = []
        yield ChangePage(object, tuple(page), window.end)

    # -- first touch (SLA) ----------------------------------------------------------------

    def first_touches(self, object: str, record_ids: Sequence[str]) -> list[FirstTouch]:
        if object not in ("Lead", "Contact"):
            raise ConfigError(f"first touches are read for Lead and Contact, not {object!r}")
        ids = [i for i in record_ids if _SALESFORCE_ID.match(i)]
        touches: list[FirstTouch] = []
        with self._errors(f"reading first touches of {len(ids)} {object} records"):
            for start in range(0, len(ids), 200):
                soql = _first_touch_soql(object, ids[start : start + 200])
                touches += [_first_touch(object, r) for r in query_records(self.client, soql)]
        return touches

    # -- writes ---------------------------------------------------------------------------

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        if dry_run:
            return [WriteResult(change.record_id, ok=True) for change in changes]
        writer = OwnerWriter(
            self.client, self._bulk, self.settings.write, self.policy, self._errors
        )
        results = writer.write(changes)
        failed = sum(not r.ok for r in results)
        log.info("sf_owners_written", records=len(results), failed=failed)
        return results


class _VersionsSeen:
    """De-duplicates by Id: a record is passed on once per SystemModstamp."""

    def __init__(self) -> None:
        self._versions: dict[str, datetime] = {}
        self.latest: datetime | None = None

    def is_new(self, fields: Fields) -> bool:
        record_id, stamp = str(fields["Id"]), fields.get("SystemModstamp")
        if not isinstance(stamp, datetime):
            return record_id not in self._versions
        known = self._versions.get(record_id)
        self.latest = stamp if self.latest is None else max(self.latest, stamp)
        if known is not None and known >= stamp:
            return False
        self._versions[record_id] = stamp
        return True


def _first_touch_soql(object: str, ids: Sequence[str]) -> str:
    status = ", Status" if object == "Lead" else ""
    quoted = ", ".join(f"'{i}'" for i in ids)
    tasks = "(SELECT CreatedDate FROM Tasks ORDER BY CreatedDate ASC LIMIT 1)"
    return f"SELECT Id, OwnerId{status}, {tasks} FROM {object} WHERE Id IN ({quoted})"


def _first_touch(object: str, record: Mapping[str, Any]) -> FirstTouch:
    tasks = (record.get("Tasks") or {}).get("records") or []
    first = json_fields(tasks[0]).get("CreatedDate") if tasks else None
    return FirstTouch(
        record_id=str(record["Id"]),
        object=object,
        owner_id=record.get("OwnerId"),
        status=record.get("Status"),
        touched_at=first if isinstance(first, datetime) else None,
    )
