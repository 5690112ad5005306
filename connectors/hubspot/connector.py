"""HubSpot behind the Connector interface (hubspot-api-client).

A policy's `Contact` is a HubSpot contact; its `Lead` is HubSpot's Leads object (where the
portal has it: each lead carries its primary contact's properties beneath its own, and the
contact's company when it has none). Companies are accounts (parents through company-to-company
associations); deals are opportunities; owners are reps (archived = inactive), with an
availability flag read from a property of HubSpot users, and owners of type QUEUE are queues.
HubSpot has no other queues: `hubspot.queues` in the policy names the owners that stand for
them (config/policy.py); `profile` tells the policy compiler what this portal cannot route.
Every HTTP call passes through the guarded transport in `_hs_transport` (retries, call count,
daily-limit headers).
"""

from __future__ import annotations

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
from connectors._retry import RetryPolicy
from connectors.base import (
    AuthError,
    ChangedRecord,
    ChangePage,
    ConfigError,
    ConnectorError,
    FatalError,
    FieldNeeds,
    FirstTouch,
    UnreadableField,
    Window,
    WriteResult,
)
from connectors.budget import ApiMeter, MeteredConnector
from connectors.hubspot._read import (
    CHILD_TO_PARENT_COMPANY,
    LEAD_TO_COMPANY,
    LEAD_TO_PRIMARY_CONTACT,
    PRIMARY_CONTACT_TO_COMPANY,
    PRIMARY_DEAL_TO_COMPANY,
    Found,
    HubSpotReader,
)
from connectors.hubspot._records import (
    COMPANY_ALIASES,
    CONTACT_ALIASES,
    DEAL_ALIASES,
    LEAD_ALIASES,
    LINKS,
    OBJECT_TYPES,
    OWNER_FIELDS,
    USER_TIME_ZONE,
    USER_TIME_ZONE_FIELDS,
    USER_WORKING_HOURS,
    Fields,
    epoch_millis,
    fields_of,
    is_queue,
    needed_aliases,
    parse_hs_datetime,
    property_of,
    to_account,
    to_contact,
    to_hs_lead,
    to_lead,
    to_opportunity,
    to_queue,
    to_rep,
)
from connectors.hubspot._transport import Rejected, guarded_api_factory
from connectors.hubspot._write import HubSpotOwnerWriter
from connectors.schema import close_names, did_you_mean
from routing.model import CrmProfile, CrmSnapshot, OwnerChange, Queue, Rep

log = structlog.get_logger(__name__)

MODIFIED = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate",
            "deals": "hs_lastmodifieddate", "leads": "hs_lastmodifieddate"}  # fmt: skip
FIRST_TOUCH = "hs_sa_first_engagement_date"
AWAY_VALUES = frozenset({"away", "true", "out_of_office", "ooo"})
NO_LEADS_FIX = "HubSpot contacts are routed with `objects: [Contact]`"
QUEUE_HELP = (
    "HubSpot has no queues: under `hubspot: queues:` name the HubSpot owner acting as it "
    "(e.g. `{queue}: {slug}@yourcompany.example`) or, in routable.owners, write `{queue}: "
    "unowned` for records with no owner; or assign a `user:` instead"
)


@dataclass(frozen=True, slots=True)
class HubSpotSettings:
    contact_fields: Mapping[str, str] = field(default_factory=lambda: dict(CONTACT_ALIASES))
    company_fields: Mapping[str, str] = field(default_factory=lambda: dict(COMPANY_ALIASES))
    deal_fields: Mapping[str, str] = field(default_factory=lambda: dict(DEAL_ALIASES))
    lead_fields: Mapping[str, str] = field(default_factory=lambda: dict(LEAD_ALIASES))
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
            lead_fields=mapping("HUBSPOT_LEAD_FIELDS", LEAD_ALIASES),
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
        self._no_leads: tuple[str, str] | None = None  # why Leads cannot be read, and the fix
        self._leads_probed = False
        self.needs: FieldNeeds = {}
        self._known: dict[str, frozenset[str]] = {}
        self._owners_read_at: datetime | None = None
        self._options: dict[str, dict[str, frozenset[str]]] = {}

    def __repr__(self) -> str:
        return f"HubSpotConnector(base_url={self.base_url!r})"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, policy: RetryPolicy | None = None
    ) -> HubSpotConnector:
        source = _env.process_env() if env is None else env
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

    # -- the fields the policy reads ------------------------------------------------------

    def need_fields(self, needs: FieldNeeds) -> None:
        self.needs = {o: frozenset(f) for o, f in needs.items() if f}

    def unreadable_fields(self, needs: FieldNeeds) -> list[UnreadableField]:
        """Checked against the properties API, which lists what this token can read."""
        found: list[UnreadableField] = []
        for object in sorted(needs):
            if object == "User":
                found += self._unreadable_owner_fields(needs[object])
                continue
            object_type = OBJECT_TYPES.get(object)
            if object_type is None:
                continue
            aliases, known = self._aliases(object_type), self.readable_properties(object_type)
            for name in sorted(needs[object] - LINKS):
                read_as = property_of(name, aliases)
                if read_as not in known:
                    found.append(_unreadable(object, name, read_as, object_type, known))
        return found

    def readable_properties(self, object_type: str) -> frozenset[str]:
        """`results[].name` of GET /crm/v3/properties/{objectType}: one call per type."""
        if object_type not in self._known:
            with _sdk_errors(f"reading the {object_type} properties"):
                reply = self._client.crm.properties.core_api.get_all(object_type=object_type)
            self._known[object_type] = frozenset(p.name for p in reply.results)
            self._options[object_type] = {
                p.name: frozenset(str(o.value) for o in p.options or ())
                for p in reply.results
                if p.type == "enumeration"
            }
        return self._known[object_type]

    def picklist_values(self, object: str, field: str) -> frozenset[str] | None:
        """The `options[].value` of the enumeration property the field is read as. A Leads
        object's own fields (its Status is its pipeline stage) are not judged here."""
        object_type = OBJECT_TYPES.get(object)
        if object_type is None or object == "User" or field in LINKS:
            return None
        if object == "Lead" and field in self.settings.lead_fields:
            return None
        self.readable_properties(object_type)
        return self._options[object_type].get(property_of(field, self._aliases(object_type)))

    def _unreadable_owner_fields(self, fields: frozenset[str]) -> list[UnreadableField]:
        carried = (
            OWNER_FIELDS
            | USER_TIME_ZONE_FIELDS
            | {USER_WORKING_HOURS}
            | ({"Out_Of_Office__c"} if self.settings.availability_property else set())
        )
        return [
            UnreadableField(
                "User",
                name,
                "not something HubSpot owners carry (they have Id, Name, Email, IsActive; away "
                "status comes from a user property as Out_Of_Office__c, the time zone from the "
                "users' hs_standard_time_zone as TimeZoneSidKey)",
                f"{did_you_mean(close_names(name, carried))}for away, use Out_Of_Office__c "
                "with HUBSPOT_AVAILABILITY_PROPERTY naming the users' property; for a time zone, "
                "time_zone_field: TimeZoneSidKey; or change the policy",
                close_names(name, carried),
            )
            for name in sorted(fields - carried)
        ]

    # -- reads ----------------------------------------------------------------------------

    def snapshot(self) -> CrmSnapshot:
        with _sdk_errors("reading a snapshot"):
            reps, queues = self._owners()
            accounts = [to_account(f) for f in self._companies(self._all("companies"))]
            people = self._contacts(self._all("contacts"))
            deals = [to_opportunity(f) for f in self._deals(self._all("deals"))]
            pages = self._leads_pages(()) if self.reads_lead_objects else ()
            leads = [to_hs_lead(f) for page in pages for f in page]
        log.info("hs_snapshot_read", users=len(reps), accounts=len(accounts),
                 contacts=len(people), leads=len(leads))  # fmt: skip
        return CrmSnapshot(
            users={rep.id: rep for rep in reps},
            queues={queue.id: queue for queue in queues},
            accounts={a.id: a for a in accounts},
            contacts=tuple(to_contact(f) for f in people if f.get("AccountId")),
            opportunities=tuple(deals),
            leads=(*(to_lead(f) for f in people), *leads),
            profile=self.profile,
        )

    @property
    def profile(self) -> CrmProfile:
        """What this portal cannot route, as of the last read of its Leads object."""
        unroutable = {"Lead": self._no_leads} if self._no_leads else {}
        return CrmProfile(
            "HubSpot", unroutable, QUEUE_HELP, queue_objects=None, contacts_are_leads=True
        )

    def _all(self, object_type: str, *conditions: Filter) -> list[Found]:
        properties = self._properties(object_type)
        pages = self._reader.search_pages(object_type, properties, conditions)
        return [found for page in pages for found in page]

    def _properties(self, object_type: str) -> list[str]:
        aliases = self._read_aliases(object_type)
        return sorted({*aliases.values(), MODIFIED[object_type], "hs_object_id"})

    def _aliases(self, object_type: str) -> Mapping[str, str]:
        return {
            "contacts": self.settings.contact_fields,
            "companies": self.settings.company_fields,
            "deals": self.settings.deal_fields,
            "leads": self.settings.lead_fields,
        }[object_type]

    def _read_aliases(self, object_type: str) -> Mapping[str, str]:
        """The configured aliases and one for every field the policy reads on this type."""
        return needed_aliases(self.needs, object_type, self._aliases(object_type))

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
        return fields_of(found.id, found.properties, self._read_aliases(object_type)) | links

    # -- HubSpot's Leads object -----------------------------------------------------------

    @property
    def reads_lead_objects(self) -> bool:
        """Leads objects are read for a policy that routes Lead (every policy reads its
        objects' OwnerId), or when no policy said what it reads."""
        return not self.needs or "Lead" in self.needs

    def _leads_pages(self, conditions: Sequence[Filter]) -> Iterator[list[Fields]]:
        """Leads, page by page; none on a portal without the object (see `profile`)."""
        pages = self._reader.search_pages("leads", self._properties("leads"), conditions)
        try:
            first = next(pages)
        except (Rejected, AuthError) as exc:
            if not _missing_object(exc):
                raise
            self._leads_probed, self._no_leads = True, _why_no_leads(exc)
            log.info("hs_no_leads_object", why=self._no_leads[0])  # an error only for Lead policies
            return
        self._leads_probed, self._no_leads = True, None
        for page in _chain(first, pages):
            yield self._hs_leads(page) if page else []

    def _hs_leads(self, found: Sequence[Found]) -> list[Fields]:
        ids = [f.id for f in found]
        to_person = self._reader.associated("leads", "contacts", ids, LEAD_TO_PRIMARY_CONTACT)
        companies = self._reader.associated("leads", "companies", ids, LEAD_TO_COMPANY)
        person_ids = sorted(set(to_person.values()))
        read = self._reader.read_batch("contacts", person_ids, self._properties("contacts"))
        people = {str(f["Id"]): f for f in self._contacts(read)}
        merged = []
        for lead in found:
            person = people.get(to_person.get(lead.id, ""), {})
            account = companies.get(lead.id) or person.get("AccountId")
            own = self._fields("leads", lead)
            merged.append({**person, **own, "ContactId": person.get("Id"), "AccountId": account})
        return merged

    def _owners(self) -> tuple[list[Rep], list[Queue]]:
        read_at = self.policy.clock()
        users = self._users()
        owners = self._reader.owners()
        reps = [
            to_rep(o, *users.get(o.get("user_id") or -1, (None, None, None)))
            for o in owners
            if not is_queue(o)
        ]
        self._owners_read_at = read_at
        return reps, [to_queue(o) for o in owners if is_queue(o)]

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

    def _users(self) -> dict[int, tuple[bool | None, str | None, str | None]]:
        """What owners do not carry, from HubSpot's users in one read: away (the availability
        property) and, when the policy reads them, the user's time zone (`hs_standard_time_zone`,
        which a policy reads as TimeZoneSidKey like on Salesforce) and working hours
        (`hs_working_hours`, for `availability.hours_field`)."""
        away_name = self.settings.availability_property
        wanted = self.needs.get("User", frozenset())
        wants_zone = bool(wanted & USER_TIME_ZONE_FIELDS)
        wants_hours = USER_WORKING_HOURS in wanted
        names = [
            n
            for n in (
                away_name,
                USER_TIME_ZONE if wants_zone else None,
                USER_WORKING_HOURS if wants_hours else None,
            )
            if n
        ]
        if not names:
            return {}
        users = self._reader.user_properties(names)
        return {
            user: (
                _away(values.get(away_name) if away_name else None),
                values.get(USER_TIME_ZONE),
                values.get(USER_WORKING_HOURS),
            )
            for user, values in users.items()
        }

    # -- incremental ----------------------------------------------------------------------

    def changes(self, object: str, window: Window) -> Iterator[ChangePage]:
        """A `User` window re-reads every owner (they carry no useful modification time, and
        availability lives on users), unless the last read is recent: `_owners_fresh`."""
        if object == "User":
            reps: tuple[Rep, ...] = ()
            if not self._owners_fresh(window):
                with _sdk_errors("reading owners"):
                    reps = tuple(self._owners()[0])
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
            if object == "Lead" and self.reads_lead_objects:
                yield from self._lead_object_changes(window)
        yield ChangePage(object, (), window.end)

    def _lead_object_changes(self, window: Window) -> Iterator[ChangePage]:
        """The routed records are contacts and, where the portal has them, Leads objects."""
        if self._leads_probed and self._no_leads:
            return
        for page in self._leads_pages(_window_filters("leads", window)):
            if page:
                yield ChangePage("Lead", tuple(to_hs_lead(f) for f in page), None)

    def _change_kind(
        self, object: str
    ) -> tuple[str, Callable[[Sequence[Found]], list[Fields]], Callable[[Fields], ChangedRecord]]:
        kinds: dict[str, tuple[str, Any, Any]] = {
            "Lead": ("contacts", self._contacts, to_lead),  # and Leads objects, see above
            "Contact": ("contacts", self._contacts, to_contact),
            "Account": ("companies", self._companies, to_account),
            "Opportunity": ("deals", self._deals, to_opportunity),
        }
        if object not in kinds:
            raise ConfigError(
                f"HubSpot changes are read for {sorted([*kinds, 'User'])}, not {object!r}"
            )
        return kinds[object]

    # -- by Id ----------------------------------------------------------------------------

    def records(self, object: str, ids: Sequence[str]) -> list[ChangedRecord]:
        """Batch read, 100 ids a call: unlike search, it answers with the record as it is now
        (search is indexed with a delay). An id HubSpot does not have is absent."""
        valid = list(dict.fromkeys(i for i in ids if i.isdigit()))
        if object == "User":  # owners have no batch read: all of them, a few calls
            wanted = set(valid)
            with _sdk_errors("reading owners"):
                return [rep for rep in self._owners()[0] if rep.id in wanted]
        object_type, to_fields, to_record = self._change_kind(object)
        with _sdk_errors(f"reading {len(valid)} {object} records by id"):
            found = self._reader.read_batch(object_type, valid, self._properties(object_type))
            records = [to_record(f) for f in to_fields(found)] if found else []
            if object == "Lead":  # Leads objects last: they win over a contact of the same id
                records += self._lead_objects(valid)
            return records

    def _lead_objects(self, ids: Sequence[str]) -> list[ChangedRecord]:
        """Leads objects by id, as `changes` and `snapshot` read them beside the contacts: a
        re-read that asked contacts alone found none of them, and the worker dropped them."""
        if not ids or not self.reads_lead_objects or (self._leads_probed and self._no_leads):
            return []
        try:
            found = self._reader.read_batch("leads", ids, self._properties("leads"))
        except (Rejected, AuthError) as exc:
            if not _missing_object(exc):
                raise
            self._leads_probed, self._no_leads = True, _why_no_leads(exc)
            return []
        return [to_hs_lead(f) for f in self._hs_leads(found)] if found else []

    # -- first touch (SLA) ----------------------------------------------------------------

    def first_touches(
        self, object: str, record_ids: Sequence[str], fields: Sequence[str] = ()
    ) -> list[FirstTouch]:
        """Batch reads of 100 contacts; `fields` by name or mapped property, as on a lead."""
        if object not in ("Lead", "Contact"):
            raise ConfigError(
                f"first touches are read for contacts and Leads objects, not {object!r}"
            )
        object_type = "leads" if object == "Lead" else "contacts"
        aliases = self._aliases(object_type)
        status = aliases.get("Status", "hs_lead_status")
        fields = [*fields, *(["IsConverted"] if "IsConverted" in aliases else [])]
        wanted = [property_of(name, aliases) for name in fields]
        properties = sorted({"hubspot_owner_id", status, FIRST_TOUCH, *wanted})
        with _sdk_errors(f"reading first touches of {len(record_ids)} {object_type}"):
            found = self._reader.read_batch(object_type, list(record_ids), properties)
        return [_first_touch(object, f, status, self._asked(object_type, f, fields)) for f in found]

    def _asked(self, object_type: str, found: Found, names: Sequence[str]) -> Fields:
        if not names:
            return {}
        typed = self._fields(object_type, found)
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


def _missing_object(exc: Rejected | AuthError) -> bool:
    """HubSpot's answer for an object type the portal lacks, or one the app may not read."""
    if isinstance(exc, AuthError):
        return "(403)" in str(exc)
    return exc.status == 400 and "infer object type" in str(exc)


def _why_no_leads(exc: Rejected | AuthError) -> tuple[str, str]:
    if isinstance(exc, AuthError):
        return (
            f"this HubSpot app may not read the Leads object ({exc})",
            "add the scopes crm.objects.leads.read and crm.objects.leads.write to the private "
            f"app, or route contacts: {NO_LEADS_FIX}",
        )
    return (f"this HubSpot portal has no Leads object ({exc})", NO_LEADS_FIX)


def _chain(first: list[Found], rest: Iterator[list[Found]]) -> Iterator[list[Found]]:
    yield first
    yield from rest


def _unreadable(
    object: str, name: str, property: str, object_type: str, known: frozenset[str]
) -> UnreadableField:
    close = close_names(property, known)
    setting = {"contacts": "HUBSPOT_CONTACT_FIELDS", "companies": "HUBSPOT_COMPANY_FIELDS",
               "deals": "HUBSPOT_DEAL_FIELDS"}[object_type]  # fmt: skip
    example = close[0] if close else "<property>"
    return UnreadableField(
        object,
        name,
        f"read from the HubSpot {object_type} property '{property}', which this portal does "
        "not have or this app's token cannot read",
        f"{did_you_mean(close)}map the field to its property with {setting}={name}={example}, "
        "create the property, or grant the private app the scope that reads it",
        close,
    )


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


def _away(value: str | None) -> bool | None:
    return value.lower() in AWAY_VALUES if value else None
