"""Salesforce behind the Connector interface (simple-salesforce).

Reads go through SOQL (`query_all_iter`, paged by nextRecordsUrl) or, for large reads, Bulk
API 2.0; writes through sObject Collections or Bulk API 2.0 (see `_sf_write`). Every HTTP call
passes through one `SalesforceSession`, which retries, counts and watches the daily budget.
Settings and credentials come from the environment (`.env.example` documents each variable).
"""

from __future__ import annotations

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
from connectors._retry import RetryPolicy
from connectors.base import (
    ChangedRecord,
    ChangePage,
    ConfigError,
    FatalError,
    FieldNeeds,
    FirstTouch,
    UnreadableField,
    Window,
    WriteResult,
)
from connectors.budget import ApiMeter, MeteredConnector
from connectors.salesforce._auth import DEFAULT_API_VERSION, SalesforceCredentials
from connectors.salesforce._bulk import Bulk2, BulkSettings
from connectors.salesforce._errors import salesforce_errors
from connectors.salesforce._paging import query_records
from connectors.salesforce._records import (
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
from connectors.salesforce._session import SalesforceSession
from connectors.salesforce._settings import check_salesforce_settings
from connectors.salesforce._write import OwnerWriter, WriteSettings
from connectors.schema import close_names, did_you_mean
from routing.model import CrmProfile, CrmSnapshot, OwnerChange

log = structlog.get_logger(__name__)

PROFILE = CrmProfile("Salesforce")
BY_ID_BATCH = 200  # Ids per `Id IN (...)`: well inside SOQL's 100,000-character limit
_SALESFORCE_ID = re.compile(r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$")
_MAPPERS: Mapping[str, Callable[[Fields], ChangedRecord]] = {
    "Lead": to_lead,
    "Contact": to_contact,
    "Account": to_account,
    "Opportunity": to_opportunity,
    "User": to_rep,
}


def _picklists(fields: list[Any]) -> dict[str, frozenset[str]]:
    """Field → its active values, for describe's `picklist` and `multipicklist` fields."""
    found = {}
    for described in fields:
        if not isinstance(described, Mapping):
            continue
        if described.get("type") not in ("picklist", "multipicklist"):
            continue
        values = described.get("picklistValues") or ()
        found[str(described.get("name"))] = frozenset(
            str(v["value"]) for v in values if isinstance(v, Mapping) and v.get("active", True)
        )
    return found


@dataclass(frozen=True, slots=True)
class SalesforceSettings:
    api_version: str = DEFAULT_API_VERSION
    availability_field: str = ""  # the policy's away_fields are read anyway (config/fields.py)
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
            availability_field=_env.text(env, "SALESFORCE_AVAILABILITY_FIELD"),
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

    def fields_of(self, object: str, needs: FieldNeeds | None = None) -> list[str]:
        """What a read of `object` selects: the fields the connector itself uses, the ones
        the policy reads (`needs`), then SALESFORCE_EXTRA_FIELDS; each once."""
        names = list(BASE_FIELDS[object])
        if object == "User" and self.availability_field:
            names.append(self.availability_field)
        wanted = [*sorted((needs or {}).get(object, ())), *self.extra_fields.get(object, ())]
        names += [n for n in dict.fromkeys(wanted) if n not in names]
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
        needs: FieldNeeds | None = None,
    ) -> None:
        self.credentials = credentials
        self.settings = settings or SalesforceSettings()
        self.policy = policy or RetryPolicy()
        self.needs: FieldNeeds = {}
        self._described: dict[str, frozenset[str]] = {}
        self._picklists: dict[str, dict[str, frozenset[str]]] = {}
        self.need_fields(needs or {})
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
        source = _env.process_env() if env is None else env
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

    # -- the fields the policy reads ------------------------------------------------------

    def need_fields(self, needs: FieldNeeds) -> None:
        self.needs = {o: frozenset(f) for o, f in needs.items() if o in _MAPPERS and f}

    def unreadable_fields(self, needs: FieldNeeds) -> list[UnreadableField]:
        """Checked against describe, which lists only the fields this user can read."""
        found: list[UnreadableField] = []
        for object in sorted(needs):
            if object not in _MAPPERS:
                continue
            readable = self.readable_fields(object)
            for name in sorted(needs[object]):
                if "." not in name and name not in readable:
                    found.append(_unreadable(object, name, readable))
        return found

    def readable_fields(self, object: str) -> frozenset[str]:
        """`fields[].name` of the object's describe: one call per object per connector."""
        if object not in self._described:
            with self._errors(f"describing {object}"):
                reply = self.client.restful(f"sobjects/{object}/describe", method="GET")
            fields = reply.get("fields") if isinstance(reply, Mapping) else None
            if not isinstance(fields, list):
                raise FatalError(f"Salesforce's describe of {object} has no field list")
            self._described[object] = frozenset(str(f.get("name")) for f in fields)
            self._picklists[object] = _picklists(fields)
        return self._described[object]

    def picklist_values(self, object: str, field: str) -> frozenset[str] | None:
        """The active `picklistValues[].value` of a picklist field in describe."""
        if object not in _MAPPERS:
            return None
        self.readable_fields(object)
        return self._picklists[object].get(field)

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
        return CrmSnapshot(users, queues, accounts, contacts, opportunities, leads, profile=PROFILE)

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
        soql = f"SELECT {', '.join(self.settings.fields_of(object, self.needs))} FROM {object}"
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

    # -- by Id ----------------------------------------------------------------------------

    def records(self, object: str, ids: Sequence[str]) -> list[ChangedRecord]:
        """SOQL `Id IN (...)`, 200 Ids a query, with the fields and filter of every other read
        (a converted Lead is absent, as it is from the snapshot)."""
        if object not in _MAPPERS:
            raise ConfigError(f"Salesforce records are read for {sorted(_MAPPERS)}, not {object!r}")
        valid = list(dict.fromkeys(i for i in ids if _SALESFORCE_ID.match(i)))
        to_record, found = _MAPPERS[object], []
        with self._errors(f"reading {len(valid)} {object} records by Id"):
            for start in range(0, len(valid), BY_ID_BATCH):
                quoted = ", ".join(f"'{i}'" for i in valid[start : start + BY_ID_BATCH])
                soql = self._soql(object, f"Id IN ({quoted})")
                found += [to_record(json_fields(r)) for r in self.client.query_all_iter(soql)]
        return found

    # -- first touch (SLA) ----------------------------------------------------------------

    def first_touches(
        self, object: str, record_ids: Sequence[str], fields: Sequence[str] = ()
    ) -> list[FirstTouch]:
        """200 Ids per SOQL query. `fields` are read on leads only: the snapshot, which the
        SLA check read them from before, reads them on leads only."""
        if object not in ("Lead", "Contact"):
            raise ConfigError(f"first touches are read for Lead and Contact, not {object!r}")
        ids = [i for i in record_ids if _SALESFORCE_ID.match(i)]
        extra = [f for f in fields if f not in _FIRST_TOUCH_FIELDS] if object == "Lead" else []
        touches: list[FirstTouch] = []
        with self._errors(f"reading first touches of {len(ids)} {object} records"):
            for start in range(0, len(ids), 200):
                soql = _first_touch_soql(object, ids[start : start + 200], extra)
                touches += [
                    _first_touch(object, r, extra) for r in query_records(self.client, soql)
                ]
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


def _unreadable(object: str, name: str, readable: frozenset[str]) -> UnreadableField:
    close = close_names(name, readable)
    return UnreadableField(
        object,
        name,
        "not a field the integration user can read in Salesforce (it does not exist, or "
        "field-level security hides it)",
        f"{did_you_mean(close)}Create the field, or give the integration user's profile read "
        f"access to it (Setup → Object Manager → {object} → Fields & Relationships → Set "
        "Field-Level Security), or change the policy",
        close,
    )


_FIRST_TOUCH_FIELDS = frozenset({"Id", "OwnerId", "Status", "IsConverted"})


def _first_touch_soql(object: str, ids: Sequence[str], extra: Sequence[str] = ()) -> str:
    lead = ", Status, IsConverted" if object == "Lead" else ""
    more = "".join(f", {name}" for name in extra)
    quoted = ", ".join(f"'{i}'" for i in ids)
    tasks = "(SELECT CreatedDate FROM Tasks ORDER BY CreatedDate ASC LIMIT 1)"
    return f"SELECT Id, OwnerId{lead}{more}, {tasks} FROM {object} WHERE Id IN ({quoted})"


def _first_touch(object: str, record: Mapping[str, Any], extra: Sequence[str] = ()) -> FirstTouch:
    tasks = (record.get("Tasks") or {}).get("records") or []
    first = json_fields(tasks[0]).get("CreatedDate") if tasks else None
    typed = json_fields(record) if extra else {}
    return FirstTouch(
        record_id=str(record["Id"]),
        object=object,
        owner_id=record.get("OwnerId"),
        status=record.get("Status"),
        touched_at=first if isinstance(first, datetime) else None,
        fields={name: typed.get(name) for name in extra},
        is_converted=record.get("IsConverted") is True,
    )
