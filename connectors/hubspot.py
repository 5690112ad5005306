"""HubSpot behind the Connector interface (hubspot-api-client).

Contacts are HubSpot's leads; companies are accounts (parents through company-to-company
associations); deals are opportunities; owners are reps (archived = inactive), with an
availability flag read from a property of HubSpot users. Every HTTP call passes through the
guarded transport in `_hs_transport` (retries, call count, daily-limit headers).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import hubspot
import structlog
from hubspot.crm.objects import Filter

from connectors import _env
from connectors._budget import ApiMeter, MeteredConnector
from connectors._hs_read import (
    CHILD_TO_PARENT_COMPANY,
    PRIMARY_CONTACT_TO_COMPANY,
    PRIMARY_DEAL_TO_COMPANY,
    Found,
    HubSpotReader,
)
from connectors._hs_records import (
    COMPANY_ALIASES,
    CONTACT_ALIASES,
    DEAL_ALIASES,
    Fields,
    epoch_millis,
    fields_of,
    parse_hs_datetime,
    to_account,
    to_contact,
    to_lead,
    to_opportunity,
    to_rep,
)
from connectors._hs_transport import guarded_api_factory
from connectors._hs_write import HubSpotOwnerWriter
from connectors._retry import RetryPolicy
from connectors.base import (
    ChangedRecord,
    ChangePage,
    ConfigError,
    ConnectorError,
    FatalError,
    FirstTouch,
    Window,
    WriteResult,
)
from routing.model import CrmSnapshot, OwnerChange, Rep

log = structlog.get_logger(__name__)

MODIFIED = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate",
            "deals": "hs_lastmodifieddate"}  # fmt: skip
FIRST_TOUCH = "hs_sa_first_engagement_date"
AWAY_VALUES = frozenset({"away", "true", "out_of_office", "ooo"})


@dataclass(frozen=True, slots=True)
class HubSpotSettings:
    contact_fields: Mapping[str, str] = field(default_factory=lambda: dict(CONTACT_ALIASES))
    company_fields: Mapping[str, str] = field(default_factory=lambda: dict(COMPANY_ALIASES))
    deal_fields: Mapping[str, str] = field(default_factory=lambda: dict(DEAL_ALIASES))
    availability_property: str = "hs_availability_status"
    owners_seconds: float = 300.0  # owners are re-read at most this often by a `User` poll
    max_daily_share: float = 0.5
    resume_after: timedelta = timedelta(hours=1)

    @classmethod
    def from_env(cls, env: _env.Env) -> HubSpotSettings:
        def mapping(name: str, defaults: Mapping[str, str]) -> dict[str, str]:
            return {**defaults, **dict(_env.pairs(env, name, "="))}

        return cls(
            contact_fields=mapping("HUBSPOT_CONTACT_FIELDS", CONTACT_ALIASES),
            company_fields=mapping("HUBSPOT_COMPANY_FIELDS", COMPANY_ALIASES),
            deal_fields=mapping("HUBSPOT_DEAL_FIELDS", DEAL_ALIASES),
            availability_property=_env.text(
                env, "HUBSPOT_AVAILABILITY_PROPERTY", "hs_availability_status"
            ),
            owners_seconds=_env.number(env, "HUBSPOT_OWNERS_SECONDS", 300.0),
            max_daily_share=_env.share(env, "HUBSPOT_MAX_DAILY_API_SHARE", 0.5),
            resume_after=timedelta(minutes=_env.integer(env, "HUBSPOT_RESUME_AFTER_MINUTES", 60)),
        )


class HubSpotConnector(MeteredConnector):
    name = "hubspot"

    def __init__(
        self,
        access_token: str,
        settings: HubSpotSettings | None = None,
        *,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        if not access_token:
            raise ConfigError(
                "HUBSPOT_ACCESS_TOKEN is not set: create a private app, copy its token"
            )
        self._token = access_token
        self.base_url = base_url
        self.settings = settings or HubSpotSettings()
        self.policy = policy or RetryPolicy()
        self.meter = ApiMeter(
            "HubSpot",
            max_share=self.settings.max_daily_share,
            resume_after=self.settings.resume_after,
            clock=self.policy.clock,
        )
        self._owners_read_at: datetime | None = None

    def __repr__(self) -> str:
        return f"HubSpotConnector(base_url={self.base_url!r})"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, policy: RetryPolicy | None = None
    ) -> HubSpotConnector:
        source = os.environ if env is None else env
        return cls(
            _env.text(source, "HUBSPOT_ACCESS_TOKEN"),
            HubSpotSettings.from_env(source),
            base_url=_env.text(source, "HUBSPOT_BASE_URL") or None,
            policy=policy,
        )

    # -- the SDK, built on first use ------------------------------------------------------

    @cached_property
    def _client(self) -> Any:
        factory = guarded_api_factory(self._token, self.base_url, self.meter, self.policy)
        return hubspot.Client.create(access_token=self._token, api_factory=factory)

    @cached_property
    def _objects(self) -> Any:
        return _ObjectsApis(self._client)

    @cached_property
    def _reader(self) -> HubSpotReader:
        crm = self._client.crm
        return HubSpotReader(self._objects, _V4Apis(crm.associations.v4), _OwnersApis(crm))

    # -- reads ----------------------------------------------------------------------------

    def snapshot(self) -> CrmSnapshot:
        with _sdk_errors("reading a snapshot"):
            users = {rep.id: rep for rep in self._reps()}
            accounts = [to_account(f) for f in self._companies(self._all("companies"))]
            people = self._contacts(self._all("contacts"))
            deals = [to_opportunity(f) for f in self._deals(self._all("deals"))]
        log.info("hs_snapshot_read", users=len(users), accounts=len(accounts), leads=len(people))
        return CrmSnapshot(
            users=users,
            accounts={a.id: a for a in accounts},
            contacts=tuple(to_contact(f) for f in people if f.get("AccountId")),
            opportunities=tuple(deals),
            leads=tuple(to_lead(f) for f in people),
        )

    def _all(self, object_type: str, *conditions: Filter) -> list[Found]:
        properties = self._properties(object_type)
        pages = self._reader.search_pages(object_type, properties, conditions)
        return [found for page in pages for found in page]

    def _properties(self, object_type: str) -> list[str]:
        aliases = self._aliases(object_type)
        return sorted({*aliases.values(), MODIFIED[object_type], "hs_object_id"})

    def _aliases(self, object_type: str) -> Mapping[str, str]:
        return {
            "contacts": self.settings.contact_fields,
            "companies": self.settings.company_fields,
            "deals": self.settings.deal_fields,
        }[object_type]

    def _companies(self, found: Sequence[Found]) -> list[Fields]:
        ids = [f.id for f in found]
        parents = self._reader.associated("companies", "companies", ids, CHILD_TO_PARENT_COMPANY)
        return [self._fields("companies", f, ParentId=parents.get(f.id)) for f in found]

    def _contacts(self, found: Sequence[Found]) -> list[Fields]:
        ids = [f.id for f in found]
        companies = self._reader.associated(
            "contacts", "companies", ids, PRIMARY_CONTACT_TO_COMPANY
        )
        return [self._fields("contacts", f, AccountId=companies.get(f.id)) for f in found]

    def _deals(self, found: Sequence[Found]) -> list[Fields]:
        ids = [f.id for f in found]
        companies = self._reader.associated("deals", "companies", ids, PRIMARY_DEAL_TO_COMPANY)
        return [self._fields("deals", f, AccountId=companies.get(f.id)) for f in found]

    def _fields(self, object_type: str, found: Found, **links: str | None) -> Fields:
        return fields_of(found.id, found.properties, self._aliases(object_type)) | links

    def _reps(self) -> list[Rep]:
        read_at = self.policy.clock()
        away = self._availability()
        reps = [
            to_rep(owner, away.get(owner.get("user_id") or -1)) for owner in self._reader.owners()
        ]
        self._owners_read_at = read_at
        return reps

    def _owners_fresh(self, window: Window) -> bool:
        """Owners have no modification time to ask for, and a read costs three calls (active,
        archived, the users' availability), so a `User` poll re-reads them only once they
        are `owners_seconds` old (a snapshot reads them too): an owner change reaches
        routing within that bound plus a poll. A window reaching back further than that
        before the last read (a first poll, a worker that was down) always re-reads."""
        read_at, bound = self._owners_read_at, timedelta(seconds=self.settings.owners_seconds)
        if read_at is None or window.start is None:
            return False
        return self.policy.clock() - read_at < bound and window.start >= read_at - bound

    def _availability(self) -> dict[int, bool | None]:
        name = self.settings.availability_property
        if not name:
            return {}
        values = self._reader.user_property(name)
        return {user: (v.lower() in AWAY_VALUES if v else None) for user, v in values.items()}

    # -- incremental ----------------------------------------------------------------------

    def changes(self, object: str, window: Window) -> Iterator[ChangePage]:
        """A `User` window re-reads every owner (they carry no useful modification time, and
        availability lives on users), unless the last read is recent: `_owners_fresh`."""
        if object == "User":
            reps: tuple[Rep, ...] = ()
            if not self._owners_fresh(window):
                with _sdk_errors("reading owners"):
                    reps = tuple(self._reps())
            yield ChangePage(object, reps, window.end)
            return
        object_type, to_fields, to_record = self._change_kind(object)
        with _sdk_errors(f"reading {object} changes"):
            pages = self._reader.search_pages(
                object_type, self._properties(object_type), _window_filters(object_type, window)
            )
            for page in pages:
                records = tuple(to_record(f) for f in to_fields(page)) if page else ()
                if records:
                    yield ChangePage(object, records, None)
        yield ChangePage(object, (), window.end)

    def _change_kind(
        self, object: str
    ) -> tuple[str, Callable[[Sequence[Found]], list[Fields]], Callable[[Fields], ChangedRecord]]:
        kinds: dict[str, tuple[str, Any, Any]] = {
            "Lead": ("contacts", self._contacts, to_lead),
            "Contact": ("contacts", self._contacts, to_contact),
            "Account": ("companies", self._companies, to_account),
            "Opportunity": ("deals", self._deals, to_opportunity),
        }
        if object not in kinds:
            raise ConfigError(
                f"HubSpot changes are read for {sorted([*kinds, 'User'])}, not {object!r}"
            )
        return kinds[object]

    # -- first touch (SLA) ----------------------------------------------------------------

    def first_touches(
        self, object: str, record_ids: Sequence[str], fields: Sequence[str] = ()
    ) -> list[FirstTouch]:
        """Batch reads of 100 contacts; `fields` by name or mapped property, as on a lead."""
        if object not in ("Lead", "Contact"):
            raise ConfigError(
                f"first touches are read for contacts (Lead, Contact), not {object!r}"
            )
        aliases = self.settings.contact_fields
        status = aliases.get("Status", "hs_lead_status")
        fields = [*fields, *(["IsConverted"] if "IsConverted" in aliases else [])]
        wanted = [aliases.get(name, name) for name in fields]
        properties = sorted({"hubspot_owner_id", status, FIRST_TOUCH, *wanted})
        with _sdk_errors(f"reading first touches of {len(record_ids)} contacts"):
            found = self._reader.read_batch("contacts", list(record_ids), properties)
        return [_first_touch(object, f, status, self._asked(f, fields)) for f in found]

    def _asked(self, found: Found, names: Sequence[str]) -> Fields:
        if not names:
            return {}
        typed = self._fields("contacts", found)
        return {name: typed.get(name) for name in names}

    # -- writes ---------------------------------------------------------------------------

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        if dry_run:
            return [WriteResult(change.record_id, ok=True) for change in changes]
        with _sdk_errors(f"writing {len(changes)} owners"):
            results = HubSpotOwnerWriter(self._objects).write(changes)
        log.info("hs_owners_written", records=len(results), failed=sum(not r.ok for r in results))
        return results


class _ObjectsApis:
    """The generic CRM objects APIs, built once (each SDK attribute builds a new client)."""

    def __init__(self, client: Any) -> None:
        objects = client.crm.objects
        self.search_api = objects.search_api
        self.batch_api = objects.batch_api
        self.basic_api = objects.basic_api


class _V4Apis:
    def __init__(self, v4: Any) -> None:
        self.batch_api = v4.batch_api


class _OwnersApis:
    def __init__(self, crm: Any) -> None:
        self.owners_api = crm.owners.owners_api


def _window_filters(object_type: str, window: Window) -> list[Filter]:
    modified = MODIFIED[object_type]
    until = Filter(property_name=modified, operator="LT", value=epoch_millis(window.end))
    if window.start is None:
        return [until]
    since = Filter(property_name=modified, operator="GTE", value=epoch_millis(window.start))
    return [since, until]


def _first_touch(object: str, found: Found, status: str, fields: Fields) -> FirstTouch:
    touched = found.properties.get(FIRST_TOUCH)
    return FirstTouch(
        record_id=found.id,
        object=object,
        owner_id=found.properties.get("hubspot_owner_id") or None,
        status=found.properties.get(status) or None,
        touched_at=parse_hs_datetime(touched) if touched else None,
        fields=fields,
        is_converted=fields.get("IsConverted") is True,
    )


@contextmanager
def _sdk_errors(doing: str) -> Iterator[None]:
    """The SDK turns an undocumented reply into ValueError/TypeError while building its models."""
    try:
        yield
    except ConnectorError:
        raise
    except (ValueError, TypeError) as exc:
        raise FatalError(
            f"HubSpot sent a reply that is not the documented JSON while {doing} "
            f"({type(exc).__name__}); nothing was changed on our side, try again later"
        ) from None
