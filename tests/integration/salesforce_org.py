"""A small fake Salesforce org answering with the documented reply shapes.

One request handler (`FakeOrg.handle`) serves two transports: `responses`, in-process (`fake_org`),
and a real HTTPS server for worker processes (tests/standins/salesforce_http.py).

REST query (`totalSize`, `done`, `nextRecordsUrl`, `records` with `attributes`), sObject
Collections PATCH (per-record SaveResults), Bulk API 2.0 ingest and query jobs, sObject
describe (`fields[].name`; `type: picklist` with `picklistValues[]` for picklists), `limits`,
the SOAP partner login and the OAuth 2.0 token endpoint (JWT bearer and username-password), and
a `Sforce-Limit-Info: api-usage=N/LIMIT` header on every reply. It understands just enough SOQL
for the connector's queries: the selected fields, the object, a WHERE of AND-ed comparisons
(`=`, `!=`, `<`, `>=`, ...) and `IN (...)`, ORDER BY. Like a real org it returns only the fields
a query selects, and refuses a query naming a field the object lacks or the user may not read
(400 INVALID_FIELD).

An object's schema is its standard fields, every field its records carry, and `custom_fields`;
`hidden` takes fields away as field-level security does (absent from describe and from SOQL).
A picklist's values are those a new org has (`STANDARD_PICKLISTS`), or `picklists` set by a
test, plus every value its records hold (an org's records hold only its picklists' values).
What else a real org throws can be scripted: faults, per-record errors, expired sessions, and
leads converted, merged or deleted.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

import jwt
import requests
import responses
from requests.structures import CaseInsensitiveDict

from connectors._retry import RetryPolicy
from connectors.salesforce._auth import SalesforceCredentials
from connectors.salesforce.connector import SalesforceConnector, SalesforceSettings

INSTANCE = "https://acme.my.salesforce.com"
API = f"{INSTANCE}/services/data/v59.0"
SESSION_ID = "00Dxx0000001gPL!AQ4AQSECRETSESSIONTOKEN"
ORG_ID = "00Dxx0000001gPLEAY"
INTEGRATION_USER_ID = "005000000000099AAA"
NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
JSON = {"Content-Type": "application/json"}

Reply = tuple[int, dict[str, str], str]

STANDARD_FIELDS: dict[str, tuple[str, ...]] = {
    "User": ("Id", "Name", "FirstName", "LastName", "Email", "Title", "IsActive", "ManagerId",
             "CreatedDate", "LastModifiedDate", "SystemModstamp"),
    "Group": ("Id", "Name", "Type", "Email", "CreatedDate", "SystemModstamp"),
    "Account": ("Id", "Name", "Website", "OwnerId", "Type", "ParentId", "Industry",
                "NumberOfEmployees", "AnnualRevenue", "BillingCountry", "BillingState",
                "BillingCity", "BillingPostalCode", "Phone", "CreatedDate", "LastActivityDate",
                "LastModifiedDate", "SystemModstamp"),
    "Contact": ("Id", "AccountId", "FirstName", "LastName", "Name", "Email", "Title", "Phone",
                "OwnerId", "LeadSource", "MailingCountry", "MailingState", "MailingCity",
                "CreatedDate", "LastModifiedDate", "SystemModstamp"),
    "Opportunity": ("Id", "AccountId", "OwnerId", "Name", "StageName", "IsClosed", "IsWon",
                    "Amount", "Probability", "Type", "LeadSource", "CreatedDate", "CloseDate",
                    "LastModifiedDate", "SystemModstamp"),
    "Lead": ("Id", "FirstName", "LastName", "Name", "Email", "Company", "Website", "Title",
             "Country", "State", "City", "PostalCode", "Phone", "Industry", "NumberOfEmployees",
             "AnnualRevenue", "LeadSource", "Rating", "Status", "OwnerId", "IsConverted",
             "ConvertedAccountId", "ConvertedContactId", "CreatedDate", "LastActivityDate",
             "LastModifiedDate", "SystemModstamp"),
}  # fmt: skip


_INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Other",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
)
_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
STANDARD_PICKLISTS: dict[str, dict[str, tuple[str, ...]]] = {
    "Lead": {"Status": ("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                        "Closed - Not Converted"),
             "LeadSource": _SOURCES, "Industry": _INDUSTRIES, "Rating": ("Hot", "Warm", "Cold")},
    "Account": {"Type": ("Prospect", "Customer - Direct", "Customer - Channel",
                         "Channel Partner / Reseller", "Installation Partner",
                         "Technology Partner", "Other"),
                "Industry": _INDUSTRIES},
    "Contact": {"LeadSource": _SOURCES},
    "Opportunity": {"StageName": ("Prospecting", "Qualification", "Needs Analysis",
                                  "Value Proposition", "Id. Decision Makers",
                                  "Perception Analysis", "Proposal/Price Quote",
                                  "Negotiation/Review", "Closed Won", "Closed Lost"),
                    "Type": ("Existing Customer - Upgrade", "Existing Customer - Replacement",
                             "Existing Customer - Downgrade", "New Customer"),
                    "LeadSource": _SOURCES},
}  # fmt: skip


def sf_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def record(object: str, record_id: str, **values: Any) -> dict[str, Any]:
    url = f"/services/data/v59.0/sobjects/{object}/{record_id}"
    return {"attributes": {"type": object, "url": url}, "Id": record_id, **values}


def error_reply(status: int, code: str, message: str, **headers: str) -> Reply:
    """A REST error as Salesforce sends it: a list of `{"message", "errorCode"}`."""
    body = json.dumps([{"message": message, "errorCode": code}])
    return status, {**JSON, **headers}, body


def session_expired() -> Reply:
    return error_reply(401, "INVALID_SESSION_ID", "Session expired or invalid")


def limit_exceeded() -> Reply:
    return error_reply(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def throttled(status: int = 429, retry_after: str = "1") -> Reply:
    """A burst refusal (429) or an overloaded instance (503): not the daily allowance."""
    if status == 429:
        return error_reply(
            429, "TOO_MANY_REQUESTS", "Too many requests", **{"Retry-After": retry_after}
        )
    return error_reply(
        503, "SERVER_UNAVAILABLE", "Server unavailable", **{"Retry-After": retry_after}
    )


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the org sees it, whichever transport carried it."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | str | None = None

    @classmethod
    def of(cls, prepared: requests.PreparedRequest) -> Request:
        body = prepared.body
        return cls(
            prepared.method or "GET",
            prepared.url or "",
            CaseInsensitiveDict(prepared.headers),
            body if isinstance(body, bytes | str) or body is None else str(body),
        )

    def text(self) -> str:
        if isinstance(self.body, bytes):
            return self.body.decode("utf-8")
        return self.body or ""


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class OwnerWrite:
    """One owner write the org accepted, with the assignment-rule header it came with."""

    object: str
    record_id: str
    owner_id: str
    auto_assign: str | None
    via: str  # "collections" or "bulk"


@dataclass
class FakeOrg:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    page_size: int = 2000
    api_used: int = 1000
    api_limit: int = 15000
    record_errors: dict[str, list[str]] = field(default_factory=dict)
    faults: list[Reply | Exception] = field(default_factory=list)
    query_faults: list[Reply] = field(default_factory=list)  # for the next SOQL queries only
    calls: list[Request] = field(default_factory=list)
    bulk_polls_before_done: int = 1
    instance_url: str = INSTANCE
    # sessions: every reply needs a valid Bearer only when `require_session` is set
    require_session: bool = False
    sessions: set[str] = field(default_factory=lambda: {SESSION_ID})
    logins: list[str] = field(default_factory=list)  # "soap", "jwt", "password", one per login
    passwords: dict[str, str] = field(default_factory=dict)  # username -> password+token
    jwt_public_key: str | None = None
    custom_fields: dict[str, set[str]] = field(default_factory=dict)
    hidden: dict[str, set[str]] = field(default_factory=dict)
    # a real org refuses any field it lacks; False: only the hidden ones
    refuse_unknown_fields: bool = True
    # when set, writes and lifecycle changes stamp SystemModstamp with this clock
    clock: Callable[[], datetime] | None = None
    owner_writes: list[OwnerWrite] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # losing Id -> winning Id
    lock: threading.RLock = field(default_factory=threading.RLock)
    _on_write: dict[str, Callable[[], None]] = field(default_factory=dict)
    picklists: dict[str, dict[str, set[str]]] = field(
        default_factory=dict
    )  # object → field → values
    _cursors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _index: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add(self, object: str, record_id: str, **values: Any) -> None:
        added = record(object, record_id, **values)
        self.records.setdefault(object, []).append(added)
        self._index[object, record_id] = added

    def get(self, object: str, record_id: str) -> dict[str, Any]:
        if (object, record_id) in self._index:
            return self._index[object, record_id]
        return next(r for r in self.records.get(object, []) if r["Id"] == record_id)

    def fields_of(self, object: str) -> set[str]:
        """What describe lists for the integration user: the schema less hidden fields."""
        names = set(STANDARD_FIELDS.get(object, ("Id",))) | self.custom_fields.get(object, set())
        for held in self.records.get(object, []):
            names.update(k for k in held if k != "attributes" and not isinstance(held[k], dict))
        return names - self.hidden.get(object, set())

    def picklist_of(self, object: str, name: str) -> set[str] | None:
        """A picklist field's values: set by the test, else the standard ones, and always
        every value the org's records hold; None for a field that is no picklist."""
        values = self.picklists.get(object, {}).get(name)
        if values is None:
            standard = STANDARD_PICKLISTS.get(object, {}).get(name)
            values = set(standard) if standard is not None else None
        if values is None:
            return None
        held = (r.get(name) for r in self.records.get(object, []))
        return values | {v for v in held if isinstance(v, str) and v}

    def describes(self) -> list[str]:
        """The objects described so far, one entry per describe call."""
        paths = (urlparse(c.url or "").path for c in self.calls if c.method == "GET")
        return [p.split("/")[-2] for p in paths if p.endswith("/describe")]

    def fail_next(self, *replies: Reply | Exception) -> None:
        self.faults.extend(replies)

    def fail_next_query(self, *replies: Reply) -> None:
        """The next SOQL queries get these replies; describes and logins pass as usual."""
        self.query_faults.extend(replies)

    def fail_record(self, record_id: str, *codes: str) -> None:
        """The next writes of `record_id` fail with these codes, one per attempt."""
        self.record_errors[record_id] = list(codes)

    # -- what a real org does to records and sessions ---------------------------------------

    def expire_sessions(self) -> None:
        """Every session issued so far is invalid: the next call answers INVALID_SESSION_ID."""
        self.sessions.clear()

    def hide_field(self, object: str, name: str) -> None:
        """Field-level security hides `name` from the integration user."""
        self.hidden.setdefault(object, set()).add(name)

    def convert(self, lead_id: str, contact_id: str = "", account_id: str = "") -> None:
        lead = self.get("Lead", lead_id)
        lead.update(IsConverted=True, ConvertedContactId=contact_id or None)
        lead.update(ConvertedAccountId=account_id or None, Status="Closed - Converted")
        self._touch(lead)

    def delete(self, object: str, record_id: str) -> None:
        gone = self._index.pop((object, record_id), None) or self.get(object, record_id)
        self.records[object] = [r for r in self.records[object] if r is not gone]

    def merge(self, object: str, winner_id: str, loser_id: str) -> None:
        """The loser is deleted (its Id no longer found); the winner is modified."""
        self.delete(object, loser_id)
        self.merged[loser_id] = winner_id
        self._touch(self.get(object, winner_id))

    def when_written(self, record_id: str, action: Callable[[], None]) -> None:
        """Run `action` once, just before the first write of `record_id` is applied: what a
        person does to the record between the worker's read and its write."""
        self._on_write[record_id] = action

    def _touch(self, changed: dict[str, Any]) -> None:
        if self.clock is not None:
            changed["SystemModstamp"] = sf_time(self.clock())

    # -- wiring ----------------------------------------------------------------------------

    def install(self, mock: responses.RequestsMock) -> None:
        pattern = re.compile(re.escape(INSTANCE) + r"/.*")
        for method in ("GET", "POST", "PATCH", "PUT"):
            mock.add_callback(method, pattern, callback=self._dispatch)
        login = re.compile(r"https://(login|test)\.salesforce\.com/.*")
        mock.add_callback("POST", login, callback=self._dispatch)

    def _dispatch(self, request: requests.PreparedRequest) -> Reply:
        return self.handle(Request.of(request))

    def handle(self, request: Request) -> Reply:
        """Every request, from either transport: faults first, then the endpoint."""
        with self.lock:
            self.calls.append(request)
            self.api_used += 1
            limit_info = {"Sforce-Limit-Info": f"api-usage={self.api_used}/{self.api_limit}"}
            if self.faults:
                fault = self.faults.pop(0)
                if isinstance(fault, Exception):
                    raise fault
                status, headers, body = fault
                return status, {**limit_info, **headers}, body
            if self.query_faults and "/query" in urlparse(request.url).path:
                status, headers, body = self.query_faults.pop(0)
                return status, {**limit_info, **headers}, body
            status, headers, body = self._route(request)
            return status, {**limit_info, **headers}, body

    def _route(self, request: Request) -> Reply:
        url = urlparse(request.url)
        if url.path.startswith(("/services/oauth2/token", "/services/Soap/u/")):
            return self._login(request, url.path)
        if self.require_session and not self._authorised(request):
            return session_expired()
        path = url.path.removeprefix("/services/data/v59.0/")
        method = request.method
        if path == "query/" and method == "GET":
            return self._query(parse_qs(url.query)["q"][0])
        if path.startswith("query/"):
            return self._next_page(path.removeprefix("query/"))
        if path == "composite/sobjects" and method == "PATCH":
            return self._collections(request)
        if path.startswith("jobs/"):
            return self._bulk(method, path.removeprefix("jobs/"), request)
        if path.startswith("sobjects/") and path.rstrip("/").endswith("/describe"):
            return self._describe(path.split("/")[1])
        if path.rstrip("/") == "limits":
            return self._limits()
        return 404, {}, json.dumps([{"errorCode": "NOT_FOUND", "message": path}])

    # -- logins: SOAP partner login, OAuth 2.0 token endpoint ------------------------------

    def _login(self, request: Request, path: str) -> Reply:
        if path.startswith("/services/Soap/u/"):
            return self._soap_login(request.text())
        form = {k: v[0] for k, v in parse_qs(request.text()).items()}
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._jwt_login(form.get("assertion", ""))
        if grant == "password":
            if not self._password_ok(form.get("username", ""), form.get("password", "")):
                return _oauth_error("invalid_grant", "authentication failure")
            return self._token_reply("password")
        return _oauth_error("unsupported_grant_type", "grant type not supported")

    def _soap_login(self, body: str) -> Reply:
        username = _xml_value(body, "username")
        if not self._password_ok(username, _xml_value(body, "password")):
            return 500, {"Content-Type": "text/xml"}, _soap_fault()
        session = self._new_session("soap")
        server = f"{self.instance_url}/services/Soap/u/59.0/{ORG_ID}"
        reply = (
            '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://'
            'schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com"><soapenv:'
            "Body><loginResponse><result><metadataServerUrl>"
            f"{self.instance_url}/services/Soap/m/59.0/{ORG_ID}</metadataServerUrl>"
            "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
            f"<serverUrl>{server}</serverUrl><sessionId>{escape(session)}</sessionId>"
            f"<userId>{INTEGRATION_USER_ID}</userId></result></loginResponse></soapenv:Body>"
            "</soapenv:Envelope>"
        )
        return 200, {"Content-Type": "text/xml"}, reply

    def _jwt_login(self, assertion: str) -> Reply:
        try:
            claims = self._jwt_claims(assertion)
        except jwt.PyJWTError as exc:
            return _oauth_error("invalid_grant", f"invalid assertion: {type(exc).__name__}")
        if not claims.get("iss") or not claims.get("sub"):
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if self.passwords and claims["sub"] not in self.passwords:
            return _oauth_error("invalid_grant", "user hasn't approved this consumer")
        return self._token_reply("jwt")

    def _jwt_claims(self, assertion: str) -> dict[str, Any]:
        if self.jwt_public_key is None:
            return dict(jwt.decode(assertion, options={"verify_signature": False}))
        return dict(
            jwt.decode(
                assertion,
                self.jwt_public_key,
                algorithms=["RS256"],
                options={"verify_aud": False, "require": ["exp", "iss", "sub", "aud"]},
            )
        )

    def _password_ok(self, username: str, password: str) -> bool:
        return not self.passwords or self.passwords.get(username) == password

    def _token_reply(self, flow: str) -> Reply:
        body = {
            "access_token": self._new_session(flow),
            "scope": "api",
            "instance_url": self.instance_url,
            "id": f"https://login.salesforce.com/id/{ORG_ID}/{INTEGRATION_USER_ID}",
            "token_type": "Bearer",
            "issued_at": "1760961600000",
        }
        return 200, JSON, json.dumps(body)

    def _new_session(self, flow: str) -> str:
        self.logins.append(flow)
        session = f"{ORG_ID[:15]}!AQ4AQSESSION{len(self.logins):04d}"
        self.sessions.add(session)
        return session

    def _authorised(self, request: Request) -> bool:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return bearer in self.sessions

    # -- REST query ------------------------------------------------------------------------

    def _query(self, soql: str) -> Reply:
        refused = self.invalid_field(soql)
        if refused is not None:
            return refused
        try:
            matching = self.matching(soql)
        except SoqlError as exc:
            return error_reply(400, exc.code, exc.message)
        cursor = f"01gRO0000016PIAYA2-{len(self._cursors) + 1}"
        self._cursors[cursor] = matching
        return self._page(cursor, 0, len(matching))

    def invalid_field(self, soql: str) -> Reply | None:
        """Salesforce's reply to a SELECT naming a field the user cannot see."""
        object = re.search(r"\bFROM (\w+)", re.sub(r"\(SELECT [^)]*\)", "", soql))
        assert object, soql
        known = self.fields_of(object.group(1))
        hidden = self.hidden.get(object.group(1), set())
        for name in selected(soql):
            if "." in name or name.startswith("(") or name in known:
                continue
            if self.refuse_unknown_fields or name in hidden:
                message = (
                    f"\n{soql[:80]}\n^\nERROR at Row:1:Column:8\nNo such column '{name}' on entity "
                    f"'{object.group(1)}'. If you are attempting to use a custom field, be sure to "
                    "append the '__c' after the custom field name. Please reference your WSDL or "
                    "the describe call for the appropriate names."
                )
                return 400, {}, json.dumps([{"message": message, "errorCode": "INVALID_FIELD"}])
        return None

    def _next_page(self, locator: str) -> Reply:
        cursor, _, offset = locator.rpartition("-")
        return self._page(cursor, int(offset), len(self._cursors[cursor]))

    def _page(self, cursor: str, offset: int, total: int) -> Reply:
        chunk = self._cursors[cursor][offset : offset + self.page_size]
        done = offset + self.page_size >= total
        body: dict[str, Any] = {"totalSize": total, "done": done, "records": chunk}
        if not done:
            body["nextRecordsUrl"] = (
                f"/services/data/v59.0/query/{cursor}-{offset + self.page_size}"
            )
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def matching(self, soql: str) -> list[dict[str, Any]]:
        """The records a query selects, with only the selected fields (as copies)."""
        query = parse_soql(soql)
        found = [r for r in self.records.get(query.object, []) if query.selects(r)]
        if query.order and query.order[0] == "SystemModstamp":
            found.sort(key=lambda r: (_stamp(r), r["Id"]))
        elif query.order:
            found.sort(key=lambda r: tuple(str(r.get(n) or "") for n in query.order))
        return [query.project(r) for r in found]

    # -- describe and limits ---------------------------------------------------------------

    def _describe(self, object: str) -> Reply:
        if object not in STANDARD_FIELDS and object not in self.records:
            message = f"The requested resource does not exist: sobjects/{object}/describe"
            return 404, {}, json.dumps([{"errorCode": "NOT_FOUND", "message": message}])
        fields = [self._described_field(object, n) for n in sorted(self.fields_of(object))]
        urls = {"sobject": f"/services/data/v59.0/sobjects/{object}"}
        body = {"name": object, "label": object, "custom": False, "queryable": True,
                "fields": fields, "urls": urls}  # fmt: skip
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def _described_field(self, object: str, name: str) -> dict[str, Any]:
        described = {"name": name, "label": name.removesuffix("__c").replace("_", " "),
                     "custom": name.endswith("__c"), "type": "id" if name == "Id" else "string",
                     "nillable": name != "Id", "picklistValues": [],
                     "restrictedPicklist": False}  # fmt: skip
        values = self.picklist_of(object, name)
        if values is not None:
            described["type"] = "picklist"
            described["picklistValues"] = [
                {"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v}
                for v in sorted(values)
            ]
        return described

    def _limits(self) -> Reply:
        body = {
            "DailyApiRequests": {
                "Max": self.api_limit,
                "Remaining": self.api_limit - self.api_used,
            },
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000 - len(self._jobs)},
        }
        return 200, JSON, json.dumps(body)

    # -- sObject Collections ---------------------------------------------------------------

    def _collections(self, request: Request) -> Reply:
        body = json.loads(request.body or b"{}")
        auto_assign = request.headers.get("Sforce-Auto-Assign")
        assert body["allOrNone"] is False
        assert auto_assign == "FALSE", f"Sforce-Auto-Assign: {auto_assign}"
        assert len(body["records"]) <= 200
        return (
            200,
            {"Content-Type": "application/json"},
            json.dumps([self._save(item, auto_assign, "collections") for item in body["records"]]),
        )

    def _save(
        self, item: dict[str, Any], auto_assign: str | None = None, via: str = "collections"
    ) -> dict[str, Any]:
        record_id = item["id"]
        codes = self.record_errors.get(record_id)
        if codes:
            code = codes.pop(0)
            return {
                "success": False,
                "errors": [{"statusCode": code, "message": code.lower(), "fields": []}],
            }
        object = item["attributes"]["type"]
        action = self._on_write.pop(record_id, None)
        if action is not None:
            action()
        try:
            target = self.get(object, record_id)
        except StopIteration:
            return _save_error("ENTITY_IS_DELETED", "entity is deleted")
        if object == "Lead" and target.get("IsConverted") is True:
            return _save_error("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        target["OwnerId"] = item["OwnerId"]
        self._touch(target)
        self.owner_writes.append(OwnerWrite(object, record_id, item["OwnerId"], auto_assign, via))
        return {"id": record_id, "success": True, "errors": []}

    # -- Bulk API 2.0 ----------------------------------------------------------------------

    def _bulk(self, method: str, path: str, request: Request) -> Reply:
        kind, _, rest = path.partition("/")
        job_id, _, tail = rest.strip("/").partition("/")
        if method == "POST" and not job_id:
            return self._create_job(kind, json.loads(request.body or b"{}"))
        if job_id not in self._jobs:
            return error_reply(404, "NOT_FOUND", f"no job {job_id}")
        job = self._jobs[job_id]
        if method == "PUT":
            job["csv"] = request.body.decode() if isinstance(request.body, bytes) else request.body
            return 201, {}, ""
        if method == "PATCH":
            job["state"] = "UploadComplete"
            return 200, {"Content-Type": "application/json"}, json.dumps(self._job_info(job))
        if not tail:
            return self._poll(job)
        if tail == "results":
            return self._query_results(job, parse_qs(urlparse(request.url or "").query))
        return self._ingest_results(job, tail)

    def _create_job(self, kind: str, spec: dict[str, Any]) -> Reply:
        assert "assignmentRuleId" not in spec, "an owner update must not run assignment rules"
        if kind == "query":
            if "(SELECT" in spec["query"]:
                message = "Bulk API 2.0 does not support parent-to-child relationship queries"
                return error_reply(400, "INVALIDJOB", message)
            refused = self.invalid_field(spec["query"])
            if refused is not None:
                return refused
        job_id = f"750R0000000{len(self._jobs) + 1:07d}"
        self._jobs[job_id] = {"id": job_id, "kind": kind, "spec": spec, "state": "Open", "polls": 0}
        return (
            200,
            {"Content-Type": "application/json"},
            json.dumps(self._job_info(self._jobs[job_id])),
        )

    def _job_info(self, job: dict[str, Any]) -> dict[str, Any]:
        spec = job["spec"]
        info = {
            "id": job["id"],
            "state": job["state"],
            "apiVersion": 59.0,
            "concurrencyMode": "Parallel",
        }
        if job["kind"] == "ingest":
            info |= {
                "object": spec["object"],
                "operation": "update",
                "contentType": "CSV",
                "lineEnding": "LF",
                "contentUrl": f"services/data/v59.0/jobs/ingest/{job['id']}/batches",
            }
        else:
            info |= {"operation": "query", "object": "", "contentType": "CSV"}
        return info

    def _poll(self, job: dict[str, Any]) -> Reply:
        job["polls"] += 1
        if job["polls"] > self.bulk_polls_before_done:
            job["state"] = "JobComplete"
            if job["kind"] == "ingest":
                self._run_ingest(job)
        else:
            job["state"] = "InProgress"
        return 200, {"Content-Type": "application/json"}, json.dumps(self._job_info(job))

    def _run_ingest(self, job: dict[str, Any]) -> None:
        if "done" in job:
            return
        object = job["spec"]["object"]
        job["done"], job["failed"] = [], []
        for row in csv.DictReader(io.StringIO(job["csv"])):
            item = {"attributes": {"type": object}, "id": row["Id"], "OwnerId": row["OwnerId"]}
            saved = self._save(item, None, "bulk")
            if saved["success"]:
                job["done"].append(row)
            else:
                error = saved["errors"][0]
                job["failed"].append(
                    {"sf__Error": f"{error['statusCode']}:{error['message']}:--", **row}
                )

    def _ingest_results(self, job: dict[str, Any], tail: str) -> Reply:
        if tail == "successfulResults":
            rows = [{"sf__Id": r["Id"], "sf__Created": "false", **r} for r in job["done"]]
            return (
                200,
                {"Content-Type": "text/csv"},
                _csv(["sf__Id", "sf__Created", "Id", "OwnerId"], rows),
            )
        rows = [{"sf__Id": r["Id"], **r} for r in job["failed"]]
        return (
            200,
            {"Content-Type": "text/csv"},
            _csv(["sf__Id", "sf__Error", "Id", "OwnerId"], rows),
        )

    def _query_results(self, job: dict[str, Any], params: dict[str, list[str]]) -> Reply:
        soql = job["spec"]["query"]
        names = [n for n in parse_soql(soql).fields if not n.startswith("(")]
        if "rows" not in job:  # the results are the records as they were when the job ran
            job["rows"] = [{n: _csv_value(r.get(n)) for n in names} for r in self.matching(soql)]
        rows = job["rows"]
        size = int(params["maxRecords"][0])
        offset = int(params.get("locator", ["0"])[0])
        chunk = rows[offset : offset + size]
        locator = str(offset + size) if offset + size < len(rows) else "null"
        headers = {
            "Content-Type": "text/csv",
            "Sforce-Locator": locator,
            "Sforce-NumberOfRecords": str(len(chunk)),
        }
        return 200, headers, _csv(names, chunk)


def selected(soql: str) -> list[str]:
    """The SELECT list, with a sub-query standing for its relationship (`Tasks`)."""
    head = re.search(r"^SELECT (.*?) FROM \w+(?![^(]*\))", soql)
    assert head, soql
    text = re.sub(r"\(SELECT [^)]*FROM (\w+)[^)]*\)", r"(\1", head.group(1))
    return [n.strip() for n in text.split(",") if n.strip()]


def _project(found: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """A record as a query returns it: its attributes, then each selected field (null if unset)."""
    shown: dict[str, Any] = {"attributes": found["attributes"]}
    for name in names:
        key = name.lstrip("(").split(".")[0]
        shown[key] = found.get(key)
    return shown


# -- SOQL, just what the connector sends ------------------------------------------------------

_SUBQUERY = re.compile(r"\(SELECT [^()]*? FROM (\w+)[^()]*\)")
_QUERY = re.compile(
    r"^SELECT (?P<fields>.+?) FROM (?P<object>\w+)(?: WHERE (?P<where>.+?))?"
    r"(?: ORDER BY (?P<order>.+?))?(?: LIMIT \d+)?$",
    re.S,
)
_COMPARISON = re.compile(r"^(\w+) (=|!=|<=|>=|<|>) (.+)$")
_IN = re.compile(r"^(\w+) IN \((.*)\)$", re.S)
_LITERAL = re.compile(r"^'((?:[^'\\]|\\.)*)'$")


@dataclass(frozen=True, slots=True)
class Query:
    object: str
    fields: list[str]  # as `selected` gives them: a sub-query is `(Tasks`
    conditions: list[Callable[[dict[str, Any]], bool]]
    order: list[str]

    def selects(self, found: dict[str, Any]) -> bool:
        return all(condition(found) for condition in self.conditions)

    def project(self, found: dict[str, Any]) -> dict[str, Any]:
        return _project(found, self.fields)


def parse_soql(soql: str) -> Query:
    matched = _QUERY.match(_SUBQUERY.sub("", soql).strip())
    if not matched:
        raise SoqlError("MALFORMED_QUERY", f"unexpected query: {soql[:200]}")
    fields = selected(soql)
    where = matched["where"]
    conditions = [_condition(term) for term in _terms(where)] if where else []
    order = [part.split()[0] for part in (matched["order"] or "").split(",") if part.strip()]
    return Query(matched["object"], fields, conditions, order)


def _terms(where: str) -> list[str]:
    """`(a) AND (b AND c)` -> [a, b, c]; an OR is more than the stand-in understands. What is
    inside a quoted literal (`Company != 'a) OR (b'`) is text, not syntax."""
    depth, start, terms = 0, 0, []
    text = where.strip()
    code = _without_literals(text)
    for position, char in enumerate(code):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and code[position : position + 5] == " AND ":
            terms.append(text[start:position])
            start = position + 5
    terms.append(text[start:])
    flat: list[str] = []
    for term in terms:
        term = term.strip()
        if term.startswith("(") and _closes_at_end(_without_literals(term)):
            flat += _terms(term[1:-1])
        elif " OR " in _without_literals(term):
            raise SoqlError("MALFORMED_QUERY", f"the stand-in does not understand OR: {term}")
        else:
            flat.append(term)
    return flat


def _without_literals(text: str) -> str:
    """`text` with every character inside '…' (backslash escapes included) replaced by _."""
    masked, quoted, escaped = [], False, False
    for char in text:
        inside = quoted and not (char == "'" and not escaped)
        masked.append("_" if inside else char)
        if quoted and char == "'" and not escaped:
            quoted = False
        elif not quoted and char == "'":
            quoted = True
        escaped = quoted and char == "\\" and not escaped
    return "".join(masked)


def _closes_at_end(term: str) -> bool:
    depth = 0
    for position, char in enumerate(term):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return position == len(term) - 1
    return False


def _condition(term: str) -> Callable[[dict[str, Any]], bool]:
    listed = _IN.match(term)
    if listed:
        name, values = listed[1], {_literal(v.strip()) for v in listed[2].split(",") if v.strip()}
        return lambda found: found.get(name) in values
    compared = _COMPARISON.match(term)
    if not compared:
        raise SoqlError("MALFORMED_QUERY", f"unexpected condition: {term}")
    name, operator, value = compared[1], compared[2], _literal(compared[3].strip())
    return lambda found: _compare(found.get(name), operator, value)


def _literal(text: str) -> Any:
    quoted = _LITERAL.match(text)
    if quoted:
        return quoted[1].replace("\\'", "'")
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        return _parse(text)
    return float(text) if "." in text else int(text)


def _compare(actual: Any, operator: str, wanted: Any) -> bool:
    if isinstance(wanted, datetime):
        if actual is None:
            return False
        actual = _parse_any(str(actual))
    if operator == "=":
        return bool(actual == wanted)
    if operator == "!=":
        return bool(actual != wanted)
    if actual is None or wanted is None:
        return False
    return {
        "<": actual < wanted,
        "<=": actual <= wanted,
        ">": actual > wanted,
        ">=": actual >= wanted,
    }[operator]


def _parse_any(text: str) -> datetime:
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    return _parse(text)


def _save_error(code: str, message: str) -> dict[str, Any]:
    return {"success": False, "errors": [{"statusCode": code, "message": message, "fields": []}]}


def _oauth_error(error: str, description: str) -> Reply:
    return 400, JSON, json.dumps({"error": error, "error_description": description})


def _xml_value(body: str, name: str) -> str:
    found = re.search(rf"<(?:\w+:)?{name}>(.*?)</(?:\w+:)?{name}>", body, re.S)
    text = found[1] if found else ""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _soap_fault() -> str:
    message = "Invalid username, password, security token; or user locked out."
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.'
        'xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body>'
        f"<soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: "
        f"{message}</faultstring><detail><sf:LoginFault><sf:exceptionCode>INVALID_LOGIN"
        f"</sf:exceptionCode><sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault>"
        "</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )


def _csv(names: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and re.search(r"T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$", value):
        return value.removesuffix("+0000") + "Z"  # Bulk API CSV writes datetimes in UTC, Z
    return str(value)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _stamp(r: dict[str, Any]) -> datetime:
    text = r["SystemModstamp"]
    return datetime.fromisoformat(text[:-5] + text[-5:-2] + ":" + text[-2:])


def sleeps_policy(sleeps: list[float]) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps.append, clock=lambda: NOW)


def session_connector(
    settings: SalesforceSettings | None = None, sleeps: list[float] | None = None
) -> SalesforceConnector:
    credentials = SalesforceCredentials(instance_url=INSTANCE, session_id=SESSION_ID)
    return SalesforceConnector(
        credentials, settings, policy=sleeps_policy(sleeps if sleeps is not None else [])
    )


@contextmanager
def fake_org(org: FakeOrg | None = None) -> Iterator[FakeOrg]:
    org = org or FakeOrg()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org.install(mock)
        yield org
