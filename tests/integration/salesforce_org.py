"""A small fake Salesforce org behind `responses`, answering with the documented reply shapes.

REST query (`totalSize`, `done`, `nextRecordsUrl`, `records` with `attributes`), sObject
Collections PATCH (per-record SaveResults), Bulk API 2.0 ingest and query jobs, sObject
describe (`fields[].name`; `type: picklist` with `picklistValues[]` for picklists), and a
`Sforce-Limit-Info: api-usage=N/LIMIT` header on every reply.
It understands just enough SOQL for the connector's queries: the object, a SystemModstamp window
and `Id IN (...)`. Like a real org it returns only the fields a query selects, and refuses a
query naming a field the object lacks or the user may not read (400 INVALID_FIELD).

An object's schema is its standard fields, every field its records carry, and `custom_fields`;
`hidden` takes fields away as field-level security does (absent from describe and from SOQL).
A picklist's values are those a new org has (`STANDARD_PICKLISTS`), or `picklists` set by a
test, plus every value its records hold (an org's records hold only its picklists' values).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
import responses

from connectors._retry import RetryPolicy
from connectors._sf_auth import SalesforceCredentials
from connectors.salesforce import SalesforceConnector, SalesforceSettings

INSTANCE = "https://acme.my.salesforce.com"
API = f"{INSTANCE}/services/data/v59.0"
SESSION_ID = "00Dxx0000001gPL!AQ4AQSECRETSESSIONTOKEN"
NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)

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


@dataclass
class FakeOrg:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    page_size: int = 2000
    api_used: int = 1000
    api_limit: int = 15000
    record_errors: dict[str, list[str]] = field(default_factory=dict)
    faults: list[Reply | Exception] = field(default_factory=list)
    calls: list[requests.PreparedRequest] = field(default_factory=list)
    bulk_polls_before_done: int = 1
    custom_fields: dict[str, set[str]] = field(default_factory=dict)
    hidden: dict[str, set[str]] = field(default_factory=dict)
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

    def fail_record(self, record_id: str, *codes: str) -> None:
        """The next writes of `record_id` fail with these codes, one per attempt."""
        self.record_errors[record_id] = list(codes)

    # -- wiring ----------------------------------------------------------------------------

    def install(self, mock: responses.RequestsMock) -> None:
        pattern = re.compile(re.escape(INSTANCE) + r"/.*")
        for method in ("GET", "POST", "PATCH", "PUT"):
            mock.add_callback(method, pattern, callback=self._dispatch)
        login = re.compile(r"https://(login|test)\.salesforce\.com/.*")
        mock.add_callback("POST", login, callback=self._dispatch)

    def _dispatch(self, request: requests.PreparedRequest) -> Reply:
        self.calls.append(request)
        self.api_used += 1
        if self.faults:
            fault = self.faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            return fault
        status, headers, body = self._route(request)
        headers = {"Sforce-Limit-Info": f"api-usage={self.api_used}/{self.api_limit}", **headers}
        return status, headers, body

    def _route(self, request: requests.PreparedRequest) -> Reply:
        path = urlparse(request.url or "").path.removeprefix("/services/data/v59.0/")
        method = request.method or "GET"
        if path == "query/" and method == "GET":
            return self._query(parse_qs(urlparse(request.url or "").query)["q"][0])
        if path.startswith("query/"):
            return self._next_page(path.removeprefix("query/"))
        if path == "composite/sobjects" and method == "PATCH":
            return self._collections(request)
        if path.startswith("jobs/"):
            return self._bulk(method, path.removeprefix("jobs/"), request)
        if path.startswith("sobjects/") and path.rstrip("/").endswith("/describe"):
            return self._describe(path.split("/")[1])
        return 404, {}, json.dumps([{"errorCode": "NOT_FOUND", "message": path}])

    # -- REST query ------------------------------------------------------------------------

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

    def _query(self, soql: str) -> Reply:
        refused = self.invalid_field(soql)
        if refused is not None:
            return refused
        names = selected(soql)
        matching = [_project(r, names) for r in self.matching(soql)]
        cursor = f"01gRO0000016PIAYA2-{len(self._cursors) + 1}"
        self._cursors[cursor] = matching
        return self._page(cursor, 0, len(matching))

    def invalid_field(self, soql: str) -> Reply | None:
        """Salesforce's reply to a SELECT naming a field the user cannot see."""
        object = re.search(r"\bFROM (\w+)", re.sub(r"\(SELECT [^)]*\)", "", soql))
        assert object, soql
        known = self.fields_of(object.group(1))
        for name in selected(soql):
            if "." not in name and not name.startswith("(") and name not in known:
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
        soql = re.sub(r"\(SELECT [^)]*\)", "", soql)
        object = re.search(r"\bFROM (\w+)", soql)
        assert object, soql
        found = list(self.records.get(object.group(1), []))
        since = re.search(r"SystemModstamp >= (\S+?)\)", soql)
        until = re.search(r"SystemModstamp < (\S+?)\)", soql)
        ids = re.search(r"Id IN \(([^)]*)\)", soql)
        if since:
            found = [r for r in found if _stamp(r) >= _parse(since.group(1))]
        if until:
            found = [r for r in found if _stamp(r) < _parse(until.group(1))]
        if ids:
            wanted = set(re.findall(r"'(\w+)'", ids.group(1)))
            found = [r for r in found if r["Id"] in wanted]
        if "ORDER BY SystemModstamp" in soql:
            found.sort(key=lambda r: (_stamp(r), r["Id"]))
        return found

    # -- sObject Collections ---------------------------------------------------------------

    def _collections(self, request: requests.PreparedRequest) -> Reply:
        body = json.loads(request.body or b"{}")
        assert body["allOrNone"] is False
        assert request.headers["Sforce-Auto-Assign"] == "FALSE"
        assert len(body["records"]) <= 200
        return (
            200,
            {"Content-Type": "application/json"},
            json.dumps([self._save(item) for item in body["records"]]),
        )

    def _save(self, item: dict[str, Any]) -> dict[str, Any]:
        record_id = item["id"]
        codes = self.record_errors.get(record_id)
        if codes:
            code = codes.pop(0)
            return {
                "success": False,
                "errors": [{"statusCode": code, "message": code.lower(), "fields": []}],
            }
        try:
            self.get(item["attributes"]["type"], record_id)["OwnerId"] = item["OwnerId"]
        except StopIteration:
            error = {
                "statusCode": "ENTITY_IS_DELETED",
                "message": "entity is deleted",
                "fields": [],
            }
            return {"success": False, "errors": [error]}
        return {"id": record_id, "success": True, "errors": []}

    # -- Bulk API 2.0 ----------------------------------------------------------------------

    def _bulk(self, method: str, path: str, request: requests.PreparedRequest) -> Reply:
        kind, _, rest = path.partition("/")
        job_id, _, tail = rest.strip("/").partition("/")
        if method == "POST" and not job_id:
            return self._create_job(kind, json.loads(request.body or b"{}"))
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
        if kind == "query":
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
            saved = self._save(
                {"attributes": {"type": object}, "id": row["Id"], "OwnerId": row["OwnerId"]}
            )
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
        names = re.search(r"SELECT (.*?) FROM", soql).group(1).split(", ")  # type: ignore[union-attr]
        rows = [{n: _csv_value(r.get(n)) for n in names} for r in self.matching(soql)]
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
